// The services of a booking inside the editor: one block per service, added and removed in place.
import { useTranslation } from 'react-i18next';
import { CABIN_CLASSES, SERVICE_TYPES } from '../../../shared/domain';
import { SelectField, TextField } from '../components/fields';
import type { FieldErrors } from '../lib/field-errors';
import type { CabinClass, ServiceForm } from './booking-form';

interface BookingServicesProps {
  services: ServiceForm[];
  /** Errors to show, keyed `services.<index>.<field>`. */
  errors: FieldErrors;
  onChange: (index: number, patch: Partial<ServiceForm>, path: string) => void;
  onAdd: () => void;
  onRemove: (index: number) => void;
}

export function BookingServices(props: BookingServicesProps) {
  const { services, errors, onChange, onAdd, onRemove } = props;
  const { t } = useTranslation();

  return (
    <div className="services" data-testid="services">
      {services.length === 0 ? <p className="muted">{t('booking.services.empty')}</p> : null}
      {errors.services ? <p className="field-error">{t(`validation.${errors.services}`)}</p> : null}

      {services.map((service, index) => (
        <ServiceFieldset
          key={service.key}
          index={index}
          service={service}
          errors={errors}
          onChange={(patch, field) => onChange(index, patch, `services.${index}.${field}`)}
          onRemove={() => onRemove(index)}
        />
      ))}

      <button type="button" className="secondary" onClick={onAdd}>
        + {t('booking.services.add')}
      </button>
    </div>
  );
}

interface ServiceFieldsetProps {
  index: number;
  service: ServiceForm;
  errors: FieldErrors;
  onChange: (patch: Partial<ServiceForm>, field: string) => void;
  onRemove: () => void;
}

function ServiceFieldset({ index, service, errors, onChange, onRemove }: ServiceFieldsetProps) {
  const { t } = useTranslation();
  const id = (field: string) => `service-${index}-${field.replace('.', '-')}`;
  const error = (field: string) => errors[`services.${index}.${field}`];
  const legend = t('booking.services.legend', { index: index + 1 });

  const typeOptions = SERVICE_TYPES.map((type) => ({
    value: type,
    label: t(`booking.services.types.${type}`),
  }));
  const cabinOptions = CABIN_CLASSES.map((cabin) => ({
    value: cabin,
    label: t(`booking.services.cabinClasses.${cabin}`),
  }));

  const setFlight = (patch: Partial<ServiceForm['flight']>, field: string) =>
    onChange({ flight: { ...service.flight, ...patch } }, `flight.${field}`);

  return (
    <fieldset className="service" data-testid={`service-${index}`}>
      <legend>
        {legend} · {t(`booking.services.types.${service.type}`)}
      </legend>
      <div className="form-grid">
        <SelectField
          id={id('type')}
          label={t('booking.services.type')}
          value={service.type}
          options={typeOptions}
          onChange={(type) => onChange({ type }, 'type')}
        />
        <TextField
          id={id('description')}
          label={t('booking.services.description')}
          value={service.description}
          error={error('description')}
          span={4}
          onChange={(description) => onChange({ description }, 'description')}
        />
        <TextField
          id={id('startDate')}
          label={t('booking.services.startDate')}
          value={service.startDate}
          error={error('startDate')}
          placeholder={t('common.dateHint')}
          inputMode="numeric"
          onChange={(startDate) => onChange({ startDate }, 'startDate')}
        />
        <TextField
          id={id('endDate')}
          label={t('booking.services.endDate')}
          value={service.endDate}
          error={error('endDate')}
          placeholder={t('common.dateHint')}
          inputMode="numeric"
          onChange={(endDate) => onChange({ endDate }, 'endDate')}
        />
        <TextField
          id={id('travellers')}
          label={t('booking.services.travellers')}
          value={service.travellers}
          error={error('travellers')}
          inputMode="numeric"
          span={1}
          onChange={(travellers) => onChange({ travellers }, 'travellers')}
        />
        {service.type === 'flight' ? (
          <>
            <TextField
              id={id('flight.departureAirport')}
              label={t('booking.services.departureAirport')}
              value={service.flight.departureAirport}
              error={error('flight.departureAirport')}
              placeholder="FRA"
              maxLength={3}
              span={1}
              startRow
              onChange={(value) => setFlight({ departureAirport: value }, 'departureAirport')}
            />
            <TextField
              id={id('flight.arrivalAirport')}
              label={t('booking.services.arrivalAirport')}
              value={service.flight.arrivalAirport}
              error={error('flight.arrivalAirport')}
              placeholder="JFK"
              maxLength={3}
              span={1}
              onChange={(value) => setFlight({ arrivalAirport: value }, 'arrivalAirport')}
            />
            <TextField
              id={id('flight.flightNumber')}
              label={t('booking.services.flightNumber')}
              value={service.flight.flightNumber}
              error={error('flight.flightNumber')}
              placeholder="LH 400"
              onChange={(value) => setFlight({ flightNumber: value }, 'flightNumber')}
            />
            <SelectField<CabinClass>
              id={id('flight.cabinClass')}
              label={t('booking.services.cabinClass')}
              value={service.flight.cabinClass}
              options={cabinOptions}
              error={error('flight.cabinClass')}
              onChange={(cabinClass) => setFlight({ cabinClass }, 'cabinClass')}
            />
            {error('flight') ? (
              <p className="field-error span-6">
                {t(`validation.${error('flight') ?? 'invalid'}`)}
              </p>
            ) : null}
          </>
        ) : null}
      </div>
      <div className="service-actions">
        <button
          type="button"
          className="link danger"
          aria-label={`${legend}: ${t('booking.services.remove')}`}
          onClick={onRemove}
        >
          {t('booking.services.remove')}
        </button>
      </div>
    </fieldset>
  );
}
