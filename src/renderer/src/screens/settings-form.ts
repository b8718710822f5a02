// The settings form's state: the agency settings as typed (the SMTP port as text), and their
// conversion to the `settings.save` input.
import type { AgencySettings } from '../../../shared/domain';

export interface SettingsForm extends Omit<AgencySettings, 'delivery'> {
  delivery: Omit<AgencySettings['delivery'], 'smtp'> & {
    smtp: Omit<AgencySettings['delivery']['smtp'], 'port'> & { port: string };
  };
}

export function settingsToForm(settings: AgencySettings): SettingsForm {
  const { smtp } = settings.delivery;
  return {
    ...settings,
    delivery: { ...settings.delivery, smtp: { ...smtp, port: String(smtp.port) } },
  };
}

export function formToSettings(form: SettingsForm): AgencySettings {
  const { smtp } = form.delivery;
  const port = smtp.port.trim();
  return {
    ...form,
    // Zero is outside the allowed range, so the schema answers with the port's own message.
    delivery: {
      ...form.delivery,
      smtp: { ...smtp, port: /^\d{1,5}$/.test(port) ? Number(port) : 0 },
    },
  };
}

/** Atmosfair's two switches: pre-checking only exists while atmosfair is enabled. */
export function withAtmosfair(
  form: SettingsForm,
  enabled: boolean,
  preCheck: boolean,
): SettingsForm {
  return { ...form, atmosfair: { enabled, preCheck: enabled && preCheck } };
}
