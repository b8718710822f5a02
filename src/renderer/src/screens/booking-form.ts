// The booking editor's form state: exactly what the agent typed (dates as `dd.mm.yyyy` text),
// and its conversion to and from the IPC types. Pure functions, no React.
import type { BookingDetail, InputOf } from '../../../shared/contract';
import { formatGermanDate, parseGermanDate } from '../../../shared/dates';
import type { BookingInput, BookingStatus, Language, ServiceType } from '../../../shared/domain';
import { CABIN_CLASSES, SALUTATIONS } from '../../../shared/domain';

export type Salutation = (typeof SALUTATIONS)[number];
export type CabinClass = (typeof CABIN_CLASSES)[number];

export interface ServiceForm {
  /** Stable React key, also for services that have no id yet. */
  key: string;
  /** The stored service's id; absent for a service added in this form. */
  id?: number;
  type: ServiceType;
  description: string;
  startDate: string;
  endDate: string;
  travellers: string;
  /** Kept while the type is switched away from flight, so nothing typed is lost. */
  flight: {
    departureAirport: string;
    arrivalAirport: string;
    flightNumber: string;
    cabinClass: CabinClass;
  };
}

export interface BookingForm {
  id?: number;
  number: string | null;
  status: BookingStatus;
  customer: {
    salutation: Salutation;
    firstName: string;
    lastName: string;
    email: string;
    language: Language;
    objected: boolean;
    objectedOn: string;
  };
  atmosfairMail: boolean;
  services: ServiceForm[];
}

let nextKey = 0;
function newKey(): string {
  nextKey += 1;
  return `service-${nextKey}`;
}

const emptyFlight: ServiceForm['flight'] = {
  departureAirport: '',
  arrivalAirport: '',
  flightNumber: '',
  cabinClass: 'economy',
};

export function newService(): ServiceForm {
  return {
    key: newKey(),
    type: 'flight',
    description: '',
    startDate: '',
    endDate: '',
    travellers: '1',
    flight: { ...emptyFlight },
  };
}

type ServiceSource = BookingInput['services'][number];

function serviceToForm(service: ServiceSource): ServiceForm {
  const form: ServiceForm = {
    key: newKey(),
    type: service.type,
    description: service.description,
    startDate: formatGermanDate(service.startDate),
    endDate: service.endDate === null ? '' : formatGermanDate(service.endDate),
    travellers: String(service.travellers),
    flight: service.flight ? { ...service.flight } : { ...emptyFlight },
  };
  if (service.id !== undefined) form.id = service.id;
  return form;
}

/** A draft from `bookings.draft` or a stored booking from `bookings.get`/`bookings.save`. */
export function bookingToForm(booking: BookingInput | BookingDetail): BookingForm {
  const number = 'number' in booking ? booking.number : null;
  const { customer } = booking;
  const form: BookingForm = {
    number,
    status: booking.status,
    customer: {
      salutation: customer.salutation,
      firstName: customer.firstName,
      lastName: customer.lastName,
      email: customer.email,
      language: customer.language,
      objected: customer.objected,
      objectedOn: customer.objectedOn === null ? '' : formatGermanDate(customer.objectedOn),
    },
    atmosfairMail: booking.atmosfairMail,
    services: booking.services.map(serviceToForm),
  };
  if (booking.id !== undefined) form.id = booking.id;
  return form;
}

/**
 * The save input as the agent typed it. Text that is no valid date or number is passed on in a
 * form the shared schema refuses, so the agent sees the message at the field.
 */
export function formToInput(form: BookingForm): InputOf<'bookings.save'> {
  const input: InputOf<'bookings.save'> = {
    status: form.status,
    customer: {
      ...form.customer,
      // The date only means something while the objection stands; empty means "today".
      objectedOn:
        form.customer.objected && form.customer.objectedOn.trim() !== ''
          ? toIsoDate(form.customer.objectedOn)
          : null,
    },
    atmosfairMail: form.atmosfairMail,
    services: form.services.map((service) => {
      const converted: InputOf<'bookings.save'>['services'][number] = {
        type: service.type,
        description: service.description,
        startDate: toIsoDate(service.startDate),
        endDate: service.endDate.trim() === '' ? null : toIsoDate(service.endDate),
        travellers: toCount(service.travellers),
        flight: service.type === 'flight' ? { ...service.flight } : null,
      };
      // The id tells main that this service is already stored; new services have none.
      if (service.id !== undefined) converted.id = service.id;
      return converted;
    }),
  };
  if (form.id !== undefined) input.id = form.id;
  return input;
}

function toIsoDate(text: string): string {
  return parseGermanDate(text) ?? text.trim();
}

function toCount(text: string): number {
  const trimmed = text.trim();
  // Zero is outside every allowed range, so the schema answers with the field's own message.
  return /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : 0;
}

/** Equal forms, ignoring React keys: tells whether the agent changed anything. */
export function sameForm(a: BookingForm, b: BookingForm): boolean {
  return JSON.stringify(withoutKeys(a)) === JSON.stringify(withoutKeys(b));
}

function withoutKeys(form: BookingForm): unknown {
  return { ...form, services: form.services.map(({ key: _key, ...rest }) => rest) };
}
