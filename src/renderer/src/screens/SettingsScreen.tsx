// Agenturstammdaten: agency master data, sender, mail delivery, the atmosfair interface switches
// and the night run.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SettingsView } from '../../../shared/contract';
import { SMTP_SECURITY, agencySettingsSchema } from '../../../shared/domain';
import { CheckboxField, RadioGroup, SelectField, TextField } from '../components/fields';
import { Banner, Busy, Section } from '../components/layout';
import type { FieldErrors } from '../lib/field-errors';
import { errorsFromIssues, errorsFromZod, withoutPath } from '../lib/field-errors';
import { request } from '../lib/request';
import { useNavigation } from '../store';
import { NightRunControls } from './NightRunControls';
import type { SettingsForm } from './settings-form';
import { formToSettings, settingsToForm, withAtmosfair } from './settings-form';

type SaveState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'refused'; message: string };

type ConnectionTest =
  { kind: 'idle' } | { kind: 'testing' } | { kind: 'done'; ok: boolean; message: string };

type AgencyField = keyof SettingsForm['agency'];
type SenderField = keyof SettingsForm['sender'];
type Span = 1 | 2 | 3 | 4 | 6;

const AGENCY_LAYOUT: readonly [AgencyField, Span][] = [
  ['name', 4],
  ['legalForm', 2],
  ['street', 3],
  ['postcode', 1],
  ['city', 2],
  ['country', 2],
  ['phone', 2],
  ['email', 2],
  ['website', 2],
  ['registerCourt', 2],
  ['registerNumber', 2],
  ['managingDirectors', 4],
  ['vatId', 2],
];

const SENDER_LAYOUT: readonly [SenderField, Span][] = [
  ['fromName', 2],
  ['fromAddress', 2],
  ['replyTo', 2],
];

export function SettingsScreen() {
  const { t } = useTranslation();
  const setUnsaved = useNavigation((state) => state.setUnsaved);

  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<SettingsView | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [baseline, setBaseline] = useState<SettingsForm | null>(null);
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [connection, setConnection] = useState<ConnectionTest>({ kind: 'idle' });
  const [savedCount, setSavedCount] = useState(0);

  useEffect(() => {
    let stale = false;
    void request(() => window.api.settings.get()).then((result) => {
      if (stale) return;
      if (!result.ok) {
        setLoadError(result.error.message);
        return;
      }
      const loaded = settingsToForm(result.value.settings);
      setView(result.value);
      setForm(loaded);
      setBaseline(loaded);
    });
    return () => {
      stale = true;
    };
  }, []);

  const unsaved =
    password !== '' ||
    (form !== null && baseline !== null && JSON.stringify(form) !== JSON.stringify(baseline));
  useEffect(() => setUnsaved(unsaved), [unsaved, setUnsaved]);
  useEffect(() => () => setUnsaved(false), [setUnsaved]);

  const localErrors = useMemo(
    () => (form ? errorsFromZod(agencySettingsSchema.safeParse(formToSettings(form)).error) : {}),
    [form],
  );
  const errors = useMemo(() => {
    const shown: Record<string, FieldErrors[string]> = {};
    for (const [path, code] of Object.entries(localErrors)) {
      if (submitted || touched.has(path)) shown[path] = code;
    }
    return { ...shown, ...serverErrors };
  }, [localErrors, serverErrors, submitted, touched]);

  if (loadError) {
    return (
      <Banner tone="error">
        <strong>{t('settings.loadFailed')}</strong> {loadError}
      </Banner>
    );
  }
  if (!form || !view) return <Busy label={t('app.loading')} />;

  const edit = (next: SettingsForm, path: string) => {
    setForm(next);
    setTouched((previous) => new Set(previous).add(path));
    setServerErrors((previous) => withoutPath(previous, path));
    if (saveState.kind === 'saved') setSaveState({ kind: 'idle' });
  };
  const editAgency = (field: AgencyField, value: string) =>
    edit({ ...form, agency: { ...form.agency, [field]: value } }, `agency.${field}`);
  const editSender = (field: SenderField, value: string) =>
    edit({ ...form, sender: { ...form.sender, [field]: value } }, `sender.${field}`);
  const editDelivery = (patch: Partial<SettingsForm['delivery']>, path: string) =>
    edit({ ...form, delivery: { ...form.delivery, ...patch } }, `delivery.${path}`);
  const editSmtp = (patch: Partial<SettingsForm['delivery']['smtp']>, field: string) =>
    editDelivery({ smtp: { ...form.delivery.smtp, ...patch } }, `smtp.${field}`);

  const save = async () => {
    setSubmitted(true);
    setSaveState({ kind: 'saving' });
    const result = await request(() => window.api.settings.save(formToSettings(form)));
    if (!result.ok) {
      setServerErrors(errorsFromIssues(result.error.issues));
      setSaveState({ kind: 'refused', message: result.error.message });
      return;
    }

    let saved = result.value;
    if (password !== '') {
      // Write-only: the password goes to main and is never read back, only whether one is set.
      let stored = await request(() => window.api.settings.setSmtpPassword({ password }));
      // Linux without a keyring: only with the agent's explicit consent.
      if (
        !stored.ok &&
        stored.error.code === 'weak_protection' &&
        window.confirm(stored.error.message)
      ) {
        stored = await request(() =>
          window.api.settings.setSmtpPassword({ password, acceptWeakProtection: true }),
        );
      }
      if (!stored.ok) {
        setSaveState({ kind: 'refused', message: stored.error.message });
        applySaved(saved);
        return;
      }
      saved = {
        ...saved,
        smtpPasswordSet: stored.value.smtpPasswordSet,
        smtpPasswordReadable: true,
      };
      setPassword('');
    }

    applySaved(saved);
    setSaveState({ kind: 'saved' });
  };

  const applySaved = (saved: SettingsView) => {
    const next = settingsToForm(saved.settings);
    setView(saved);
    setForm(next);
    setBaseline(next);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setSavedCount((n) => n + 1);
  };

  const removePassword = async () => {
    if (!window.confirm(t('settings.delivery.passwordRemoveConfirm'))) return;
    const result = await request(() => window.api.settings.setSmtpPassword({ password: '' }));
    if (result.ok) setView({ ...view, smtpPasswordSet: result.value.smtpPasswordSet });
    else setSaveState({ kind: 'refused', message: result.error.message });
  };

  const testConnection = async () => {
    setConnection({ kind: 'testing' });
    const result = await request(() => window.api.settings.testConnection());
    setConnection(
      result.ok
        ? { kind: 'done', ok: true, message: result.value.message }
        : { kind: 'done', ok: false, message: result.error.message },
    );
  };

  const saving = saveState.kind === 'saving';
  const { delivery, atmosfair } = form;
  const securityLabels = {
    none: t('settings.delivery.securityNone'),
    starttls: t('settings.delivery.securityStarttls'),
    tls: t('settings.delivery.securityTls'),
  };

  return (
    <form
      className="screen"
      aria-labelledby="settings-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <header className="screen-header">
        <div>
          <p className="breadcrumb">{t('settings.breadcrumb')}</p>
          <h1 id="settings-title">{t('settings.title')}</h1>
        </div>
        <div className="button-row">
          {saving ? <Busy label={t('common.saving')} /> : null}
          <button type="submit" className="primary" disabled={saving}>
            {t('common.save')}
          </button>
        </div>
      </header>

      {saveState.kind === 'saved' ? (
        <Banner tone="success" testId="settings-saved">
          {t('common.saved')}
        </Banner>
      ) : null}
      {saveState.kind === 'refused' ? (
        <Banner tone="error" testId="settings-refused">
          {saveState.message}
        </Banner>
      ) : null}

      <fieldset className="plain" disabled={saving}>
        <Section title={t('settings.agency.title')}>
          <div className="form-grid">
            {AGENCY_LAYOUT.map(([field, span]) => (
              <TextField
                key={field}
                id={`agency-${field}`}
                label={t(`settings.agency.${field}`)}
                value={form.agency[field]}
                error={errors[`agency.${field}`]}
                type={field === 'email' ? 'email' : 'text'}
                span={span}
                onChange={(value) => editAgency(field, value)}
              />
            ))}
          </div>
        </Section>

        <Section title={t('settings.sender.title')}>
          <div className="form-grid">
            {SENDER_LAYOUT.map(([field, span]) => (
              <TextField
                key={field}
                id={`sender-${field}`}
                label={t(`settings.sender.${field}`)}
                value={form.sender[field]}
                error={errors[`sender.${field}`]}
                type={field === 'fromName' ? 'text' : 'email'}
                span={span}
                onChange={(value) => editSender(field, value)}
              />
            ))}
          </div>
        </Section>

        <Section title={t('settings.delivery.title')}>
          <div className="form-grid">
            <RadioGroup
              name="delivery-mode"
              legend={t('settings.delivery.mode')}
              value={delivery.mode}
              options={[
                { value: 'test', label: t('settings.delivery.test') },
                { value: 'smtp', label: t('settings.delivery.smtp') },
              ]}
              onChange={(mode) => editDelivery({ mode }, 'mode')}
            />

            {delivery.mode === 'test' ? (
              <TextField
                id="delivery-testFolder"
                label={t('settings.delivery.testFolder')}
                value={delivery.testFolder}
                placeholder={view.defaultTestFolder}
                error={errors['delivery.testFolder']}
                hint={t('settings.delivery.testHint')}
                span={6}
                onChange={(testFolder) => editDelivery({ testFolder }, 'testFolder')}
              />
            ) : (
              <>
                <TextField
                  id="smtp-host"
                  label={t('settings.delivery.host')}
                  value={delivery.smtp.host}
                  error={errors['delivery.smtp.host']}
                  placeholder="smtp.example.de"
                  span={3}
                  onChange={(host) => editSmtp({ host }, 'host')}
                />
                <TextField
                  id="smtp-port"
                  label={t('settings.delivery.port')}
                  value={delivery.smtp.port}
                  error={errors['delivery.smtp.port']}
                  inputMode="numeric"
                  span={1}
                  onChange={(port) => editSmtp({ port }, 'port')}
                />
                <SelectField
                  id="smtp-security"
                  label={t('settings.delivery.security')}
                  value={delivery.smtp.security}
                  options={SMTP_SECURITY.map((value) => ({ value, label: securityLabels[value] }))}
                  span={2}
                  onChange={(security) => editSmtp({ security }, 'security')}
                />
                <TextField
                  id="smtp-user"
                  label={t('settings.delivery.user')}
                  value={delivery.smtp.user}
                  error={errors['delivery.smtp.user']}
                  span={3}
                  onChange={(user) => editSmtp({ user }, 'user')}
                />
                <TextField
                  id="smtp-password"
                  label={t('settings.delivery.password')}
                  type="password"
                  autoComplete="new-password"
                  value={password}
                  placeholder={view.smtpPasswordSet ? '••••••••' : ''}
                  hint={t('settings.delivery.passwordHint')}
                  span={3}
                  onChange={setPassword}
                />
                <div className="span-6 button-row">
                  <span
                    className={`password-state${view.smtpPasswordSet ? ' is-set' : ''}`}
                    data-testid="smtp-password-state"
                  >
                    {view.smtpPasswordSet
                      ? `✓ ${t('settings.delivery.passwordSet')}`
                      : t('settings.delivery.passwordNotSet')}
                  </span>
                  {view.smtpPasswordSet && !view.smtpPasswordReadable ? (
                    <span
                      className="field-error"
                      role="alert"
                      data-testid="smtp-password-unreadable"
                    >
                      {t('settings.delivery.passwordUnreadable')}
                    </span>
                  ) : null}
                  {view.passwordProtection === 'weak' ? (
                    <span className="muted">{t('settings.delivery.passwordWeak')}</span>
                  ) : null}
                  {view.smtpPasswordSet ? (
                    <button type="button" className="link danger" onClick={removePassword}>
                      {t('settings.delivery.passwordRemove')}
                    </button>
                  ) : null}
                </div>
              </>
            )}

            <div className="span-6 button-row">
              <button
                type="button"
                className="secondary"
                onClick={testConnection}
                disabled={connection.kind === 'testing'}
              >
                {t('settings.delivery.testConnection')}
              </button>
              {connection.kind === 'testing' ? (
                <Busy label={t('settings.delivery.testing')} />
              ) : null}
              {unsaved ? (
                <span className="muted">{t('settings.delivery.testUsesSaved')}</span>
              ) : null}
            </div>
            {connection.kind === 'done' ? (
              <div className="span-6">
                <Banner tone={connection.ok ? 'success' : 'error'} testId="connection-result">
                  {connection.message}
                </Banner>
              </div>
            ) : null}
          </div>
        </Section>

        <Section
          title={`${t('settings.interfaces.title')} › ${t('settings.interfaces.atmosfair')}`}
        >
          <div className="form-grid">
            <CheckboxField
              id="atmosfair-enabled"
              label={t('settings.interfaces.enabled')}
              checked={atmosfair.enabled}
              onChange={(enabled) =>
                edit(withAtmosfair(form, enabled, atmosfair.preCheck), 'atmosfair.enabled')
              }
            />
            <CheckboxField
              id="atmosfair-preCheck"
              label={t('settings.interfaces.preCheck')}
              hint={t('settings.interfaces.preCheckHint')}
              checked={atmosfair.preCheck}
              disabled={!atmosfair.enabled}
              onChange={(preCheck) =>
                edit(withAtmosfair(form, atmosfair.enabled, preCheck), 'atmosfair.preCheck')
              }
            />
          </div>
        </Section>

        <Section title={t('settings.nightRun.title')}>
          <div className="form-grid">
            <TextField
              id="nightRun-time"
              label={t('settings.nightRun.time')}
              value={form.nightRun.time}
              error={errors['nightRun.time']}
              placeholder="04:00"
              inputMode="numeric"
              span={1}
              onChange={(time) => edit({ ...form, nightRun: { time } }, 'nightRun.time')}
            />
          </div>
          <NightRunControls refreshKey={savedCount} />
        </Section>
      </fieldset>
    </form>
  );
}
