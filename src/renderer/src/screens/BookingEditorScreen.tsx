// The booking editor ("Vorgang"): customer, services and the atmosfair checkbox; after each save
// it shows the marking rule's outcome and the booking's mail panel.
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BookingDetail } from '../../../shared/contract';
import { parseGermanDate } from '../../../shared/dates';
import { BOOKING_STATUSES, LANGUAGES, bookingInputSchema } from '../../../shared/domain';
import type { RuleOutcome } from '../../../shared/marking-rule';
import { travelDate } from '../../../shared/travel-date';
import { CheckboxField, SelectField, TextField } from '../components/fields';
import { Banner, Busy, Section } from '../components/layout';
import { OutcomeText, outcomeTone } from '../components/OutcomeText';
import type { FieldErrors } from '../lib/field-errors';
import { errorsFromIssues, errorsFromZod, withoutPath } from '../lib/field-errors';
import { formatDate } from '../lib/format';
import { request } from '../lib/request';
import { useNavigation } from '../store';
import { BookingMailPanel } from './BookingMailPanel';
import { BookingServices } from './BookingServices';
import type { BookingForm, Salutation, ServiceForm } from './booking-form';
import { bookingToForm, formToInput, newService, sameForm } from './booking-form';

type SaveState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; number: string; outcome: RuleOutcome }
  | { kind: 'refused'; message: string };

interface Loaded {
  form: BookingForm;
  detail: BookingDetail | null;
  atmosfairEnabled: boolean;
}

async function loadBooking(bookingId: number | null) {
  if (bookingId === null) {
    const draft = await request(() => window.api.bookings.draft());
    if (!draft.ok) return draft;
    const { booking, atmosfairEnabled } = draft.value;
    return {
      ok: true as const,
      value: { form: bookingToForm(booking), detail: null, atmosfairEnabled },
    };
  }

  const [booking, settings] = await Promise.all([
    request(() => window.api.bookings.get({ id: bookingId })),
    request(() => window.api.settings.get()),
  ]);
  if (!booking.ok) return booking;
  if (!settings.ok) return settings;
  const loaded: Loaded = {
    form: bookingToForm(booking.value),
    detail: booking.value,
    atmosfairEnabled: settings.value.settings.atmosfair.enabled,
  };
  return { ok: true as const, value: loaded };
}

export function BookingEditorScreen({ bookingId }: { bookingId: number | null }) {
  const { t } = useTranslation();
  const navigate = useNavigation((state) => state.navigate);
  const setUnsaved = useNavigation((state) => state.setUnsaved);
  const bookingSaved = useNavigation((state) => state.bookingSaved);

  // Loaded once per visit; a first save turns the new booking into a stored one in place.
  const [initialId] = useState(bookingId);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [atmosfairEnabled, setAtmosfairEnabled] = useState(false);
  const [form, setForm] = useState<BookingForm | null>(null);
  const [baseline, setBaseline] = useState<BookingForm | null>(null);
  const [detail, setDetail] = useState<BookingDetail | null>(null);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });

  useEffect(() => {
    let cancelled = false;
    void loadBooking(initialId).then((result) => {
      if (cancelled) return;
      if (!result.ok) {
        setLoadError(result.error.message);
        return;
      }
      setForm(result.value.form);
      setBaseline(result.value.form);
      setDetail(result.value.detail);
      setAtmosfairEnabled(result.value.atmosfairEnabled);
    });
    return () => {
      cancelled = true;
    };
  }, [initialId]);

  const unsaved = form !== null && baseline !== null && !sameForm(form, baseline);
  useEffect(() => setUnsaved(unsaved), [unsaved, setUnsaved]);
  useEffect(() => () => setUnsaved(false), [setUnsaved]);

  // The same schema main parses with, checked on every keystroke.
  const localErrors = useMemo(
    () => (form ? errorsFromZod(bookingInputSchema.safeParse(formToInput(form)).error) : {}),
    [form],
  );
  const errors = useMemo(() => {
    const shown: Record<string, FieldErrors[string]> = {};
    for (const [path, code] of Object.entries(localErrors)) {
      if (submitted || touched.has(path)) shown[path] = code;
    }
    return { ...shown, ...serverErrors };
  }, [localErrors, serverErrors, submitted, touched]);

  if (loadError) return <Banner tone="error">{loadError}</Banner>;
  if (!form) return <Busy label={t('app.loading')} />;

  const edit = (next: BookingForm, path: string) => {
    setForm(next);
    setTouched((previous) => new Set(previous).add(path));
    setServerErrors((previous) => withoutPath(previous, path));
    if (saveState.kind === 'saved') setSaveState({ kind: 'idle' });
  };
  const editCustomer = (patch: Partial<BookingForm['customer']>, field: string) =>
    edit({ ...form, customer: { ...form.customer, ...patch } }, `customer.${field}`);
  const editService = (index: number, patch: Partial<ServiceForm>, path: string) => {
    const services = form.services.map((service, i) =>
      i === index ? { ...service, ...patch } : service,
    );
    edit({ ...form, services }, path);
  };
  const addService = () => setForm({ ...form, services: [...form.services, newService()] });
  const removeService = (index: number) => {
    setForm({ ...form, services: form.services.filter((_, i) => i !== index) });
    setTouched((previous) => shiftServicePaths(previous, index));
    setServerErrors({});
  };

  const save = async () => {
    setSubmitted(true);
    setSaveState({ kind: 'saving' });
    const result = await request(() => window.api.bookings.save(formToInput(form)));

    if (!result.ok) {
      // Nothing the agent typed is touched: the form stays as it is, with main's reasons.
      setServerErrors(errorsFromIssues(result.error.issues));
      setSaveState({ kind: 'refused', message: result.error.message });
      return;
    }

    const { booking, outcome } = result.value;
    const saved = bookingToForm(booking);
    setForm(saved);
    setBaseline(saved);
    setDetail(booking);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setSaveState({ kind: 'saved', number: booking.number, outcome });
    if (form.id === undefined) bookingSaved(booking.id);
  };

  const saving = saveState.kind === 'saving';
  const number = form.number ?? t('booking.new');
  const currentTravelDate = travelDate(
    form.services.flatMap((service) => {
      const startDate = parseGermanDate(service.startDate);
      return startDate ? [{ startDate }] : [];
    }),
  );

  const statusOptions = BOOKING_STATUSES.map((status) => ({
    value: status,
    label: t(`status.${status}`),
  }));
  const salutationOptions: { value: Salutation; label: string }[] = [
    { value: 'none', label: t('booking.customer.salutationNone') },
    { value: 'ms', label: t('booking.customer.salutationMs') },
    { value: 'mr', label: t('booking.customer.salutationMr') },
  ];
  const languageOptions = LANGUAGES.map((language) => ({
    value: language,
    label: t(language === 'de' ? 'booking.customer.languageDe' : 'booking.customer.languageEn'),
  }));

  return (
    <form
      className="screen"
      aria-labelledby="booking-title"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <header className="screen-header">
        <div>
          <button type="button" className="link" onClick={() => navigate({ name: 'bookings' })}>
            ‹ {t('booking.back')}
          </button>
          <h1 id="booking-title" data-testid="booking-title">
            {t('booking.title', { number })}
          </h1>
        </div>
        <div className="button-row">
          {saving ? <Busy label={t('common.saving')} /> : null}
          <button type="submit" className="primary" disabled={saving}>
            {t('common.save')}
          </button>
        </div>
      </header>

      {saveState.kind === 'saved' ? (
        <Banner tone={outcomeTone(saveState.outcome)} testId="save-outcome">
          <strong>{t('booking.savedAs', { number: saveState.number })}</strong>{' '}
          <OutcomeText outcome={saveState.outcome} />
        </Banner>
      ) : null}
      {saveState.kind === 'refused' ? (
        <Banner tone="error" testId="save-refused">
          {saveState.message}
        </Banner>
      ) : null}

      <fieldset className="plain" disabled={saving}>
        <Section title={t('booking.details')}>
          <div className="form-grid">
            <div className="field span-2">
              <span className="label">{t('booking.number')}</span>
              <span className="value" data-testid="booking-number">
                {number}
              </span>
            </div>
            <SelectField
              id="booking-status"
              label={t('booking.status')}
              value={form.status}
              options={statusOptions}
              onChange={(status) => edit({ ...form, status }, 'status')}
            />
            <div className="field span-2">
              <span className="label">{t('booking.travelDate')}</span>
              <span className="value" data-testid="travel-date">
                {formatDate(currentTravelDate)}
              </span>
            </div>
            {atmosfairEnabled ? (
              <CheckboxField
                id="booking-atmosfairMail"
                label={t('booking.atmosfairMail')}
                hint={t('booking.atmosfairMailHint')}
                checked={form.atmosfairMail}
                onChange={(atmosfairMail) => edit({ ...form, atmosfairMail }, 'atmosfairMail')}
              />
            ) : null}
          </div>
        </Section>

        <Section title={t('booking.customer.title')}>
          <div className="form-grid">
            <SelectField
              id="customer-salutation"
              label={t('booking.customer.salutation')}
              value={form.customer.salutation}
              options={salutationOptions}
              span={1}
              onChange={(salutation) => editCustomer({ salutation }, 'salutation')}
            />
            <TextField
              id="customer-firstName"
              label={t('booking.customer.firstName')}
              value={form.customer.firstName}
              error={errors['customer.firstName']}
              span={2}
              onChange={(firstName) => editCustomer({ firstName }, 'firstName')}
            />
            <TextField
              id="customer-lastName"
              label={t('booking.customer.lastName')}
              value={form.customer.lastName}
              error={errors['customer.lastName']}
              span={3}
              onChange={(lastName) => editCustomer({ lastName }, 'lastName')}
            />
            <TextField
              id="customer-email"
              label={t('booking.customer.email')}
              type="email"
              value={form.customer.email}
              error={errors['customer.email']}
              span={4}
              onChange={(email) => editCustomer({ email }, 'email')}
            />
            <SelectField
              id="customer-language"
              label={t('booking.customer.language')}
              value={form.customer.language}
              options={languageOptions}
              span={2}
              onChange={(language) => editCustomer({ language }, 'language')}
            />
            <CheckboxField
              id="customer-objected"
              label={t('booking.customer.objected')}
              checked={form.customer.objected}
              span={2}
              onChange={(objected) => editCustomer({ objected }, 'objected')}
            />
            {form.customer.objected ? (
              <TextField
                id="customer-objectedOn"
                label={t('booking.customer.objectedOn')}
                value={form.customer.objectedOn}
                error={errors['customer.objectedOn']}
                hint={t('booking.customer.objectedOnHint')}
                placeholder={t('common.dateHint')}
                inputMode="numeric"
                onChange={(objectedOn) => editCustomer({ objectedOn }, 'objectedOn')}
              />
            ) : null}
          </div>
        </Section>

        <Section title={t('booking.services.title')}>
          <BookingServices
            services={form.services}
            errors={errors}
            onChange={editService}
            onAdd={addService}
            onRemove={removeService}
          />
        </Section>
      </fieldset>

      <BookingMailPanel booking={detail} />
    </form>
  );
}

/** After removing service `removed`, the touched marks of the services behind it move up. */
function shiftServicePaths(paths: ReadonlySet<string>, removed: number): ReadonlySet<string> {
  const shifted = new Set<string>();
  for (const path of paths) {
    const match = /^services\.(\d+)\.(.+)$/.exec(path);
    if (!match) {
      shifted.add(path);
      continue;
    }
    const index = Number(match[1]);
    if (index < removed) shifted.add(path);
    if (index > removed) shifted.add(`services.${index - 1}.${match[2]}`);
  }
  return shifted;
}
