// The domain's vocabulary as schemas: agency settings, bookings and services.
// Each schema is used twice: by the renderer to check forms as the agent types, and by the
// main process to parse every IPC input before it touches the store. Error messages are
// codes; the renderer translates them (see `validation.*` in the renderer's texts).
import { z } from 'zod';
import { isIsoDate } from './dates';

/**
 * Characters that have no place in a one-line field: control characters (CR, LF, TAB, NUL, …),
 * line and paragraph separators, zero-width characters and bidirectional overrides, which can
 * make a name look like something else.
 */
export const FORBIDDEN_CHARS =
  // Control (Cc), format (Cf: zero-width, bidi marks and overrides, soft hyphen, tags, …),
  // lone surrogates (Cs), private use (Co), line and paragraph separators, and the invisible
  // fillers and joiners that are letters or marks by category.
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u115f\u1160\u3164\uffa0]|\u034f|\u17b4|\u17b5/u;

export function line(max: number) {
  return z
    .string()
    .trim()
    .max(max, 'too_long')
    .refine((s) => !FORBIDDEN_CHARS.test(s), 'control_chars');
}

export function requiredLine(max: number) {
  return line(max).refine((s) => s.length > 0, 'required');
}

const asciiEmail = z.email();

/**
 * The address as it goes on the wire: the domain in punycode (`bücher.de` → `xn--bcher-kva.de`),
 * or null when it is no valid address. A local part with non-ASCII letters is not sendable
 * through ordinary SMTP servers and counts as invalid.
 */
export function emailForWire(value: string): string | null {
  const trimmed = value.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || FORBIDDEN_CHARS.test(trimmed)) return null;
  const local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1);
  if (!/^[\x21-\x7e]+$/.test(local) || domain === '' || /[\s/?#\\@:]/.test(domain)) return null;
  let asciiDomain: string;
  try {
    asciiDomain = new URL(`http://${domain}`).hostname;
  } catch {
    return null;
  }
  const address = `${local}@${asciiDomain}`;
  return asciiEmail.safeParse(address).success ? address : null;
}

export function isValidEmail(value: string): boolean {
  return emailForWire(value) !== null;
}

/** An e-mail address or the empty string ("no e-mail"). */
export const optionalEmail = line(254).superRefine((s, ctx) => {
  if (s === '' || isValidEmail(s)) return;
  const local = s.slice(0, Math.max(0, s.lastIndexOf('@')));
  const nonAscii = [...local].some((char) => char.charCodeAt(0) > 0x7e);
  ctx.addIssue({ code: 'custom', message: nonAscii ? 'email_local_ascii' : 'email' });
});

export const isoDate = z.string().refine(isIsoDate, 'date');
export const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time');

// ---------------------------------------------------------------------------------------------
// Agency settings

export const SMTP_SECURITY = ['none', 'starttls', 'tls'] as const;
export const DELIVERY_MODES = ['test', 'smtp'] as const;

export const agencySettingsSchema = z.object({
  agency: z.object({
    name: line(120),
    legalForm: line(60),
    street: line(120),
    postcode: line(12),
    city: line(80),
    country: line(80),
    phone: line(40),
    email: optionalEmail,
    website: line(200),
    registerCourt: line(120),
    registerNumber: line(60),
    managingDirectors: line(200),
    vatId: line(30),
  }),
  sender: z.object({
    fromName: line(120),
    fromAddress: optionalEmail,
    replyTo: optionalEmail,
  }),
  delivery: z.object({
    mode: z.enum(DELIVERY_MODES),
    // An absolute local path (or empty for the default): relative paths would depend on where
    // the app was started, and a network path (\\server\share) would hand the Windows
    // login to that server.
    testFolder: line(1000).refine(
      (s) => s === '' || (/^(\/|[A-Za-z]:[\\/])/.test(s) && !/^[\\/]{2}/.test(s)),
      'folder',
    ),
    smtp: z.object({
      host: line(253).refine((s) => !/\s/.test(s), 'host'),
      port: z.number().int('port').min(1, 'port').max(65535, 'port'),
      security: z.enum(SMTP_SECURITY),
      user: line(254),
    }),
  }),
  atmosfair: z.object({
    enabled: z.boolean(),
    preCheck: z.boolean(),
  }),
  nightRun: z.object({
    time: localTime,
  }),
});
export type AgencySettings = z.infer<typeof agencySettingsSchema>;

export const DEFAULT_NIGHT_RUN_TIME = '04:00';

export function defaultSettings(): AgencySettings {
  return {
    agency: {
      name: '',
      legalForm: '',
      street: '',
      postcode: '',
      city: '',
      country: 'Deutschland',
      phone: '',
      email: '',
      website: '',
      registerCourt: '',
      registerNumber: '',
      managingDirectors: '',
      vatId: '',
    },
    sender: { fromName: '', fromAddress: '', replyTo: '' },
    // A new installation starts in test mode: no customer gets a mail before the agency has
    // configured and tested its own mail server.
    delivery: {
      mode: 'test',
      testFolder: '',
      smtp: { host: '', port: 587, security: 'starttls', user: '' },
    },
    atmosfair: { enabled: false, preCheck: false },
    nightRun: { time: DEFAULT_NIGHT_RUN_TIME },
  };
}

// ---------------------------------------------------------------------------------------------
// Bookings and services

export const BOOKING_STATUSES = ['booked', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const SALUTATIONS = ['none', 'ms', 'mr'] as const;
export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const SERVICE_TYPES = [
  'flight',
  'hotel',
  'package',
  'rail',
  'car_hire',
  'insurance',
  'other',
] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const CABIN_CLASSES = ['economy', 'premium_economy', 'business', 'first'] as const;

const iataCode = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase())
  .refine((s) => /^[A-Z]{3}$/.test(s), 'iata');

const flightNumber = z
  .string()
  .trim()
  .transform((s) => s.toUpperCase().replace(/\s+/g, ''))
  .refine((s) => /^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$/.test(s), 'flight_number');

export const flightDetailsSchema = z.object({
  departureAirport: iataCode,
  arrivalAirport: iataCode,
  flightNumber,
  cabinClass: z.enum(CABIN_CLASSES),
});

export const serviceInputSchema = z
  .object({
    /** Set for a service that is already stored; absent for a new one. */
    id: z.number().int().positive().optional(),
    type: z.enum(SERVICE_TYPES),
    description: requiredLine(200),
    startDate: isoDate,
    endDate: isoDate.nullable(),
    travellers: z.number().int('travellers').min(1, 'travellers').max(99, 'travellers'),
    flight: flightDetailsSchema.nullable(),
  })
  .superRefine((service, ctx) => {
    if (service.endDate !== null && service.endDate < service.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'end_before_start' });
    }
    if (service.type === 'flight' && service.flight === null) {
      ctx.addIssue({ code: 'custom', path: ['flight'], message: 'flight_details' });
    }
  })
  .transform((service) => (service.type === 'flight' ? service : { ...service, flight: null }));
export type ServiceInput = z.infer<typeof serviceInputSchema>;

export const customerSchema = z.object({
  salutation: z.enum(SALUTATIONS),
  firstName: line(80),
  lastName: requiredLine(80),
  email: optionalEmail,
  language: z.enum(LANGUAGES),
  objected: z.boolean(),
  /** Date of the objection; the main process fills in today when it is missing. */
  objectedOn: isoDate.nullable(),
});
export type Customer = z.infer<typeof customerSchema>;

export const bookingInputSchema = z.object({
  id: z.number().int().positive().optional(),
  status: z.enum(BOOKING_STATUSES),
  customer: customerSchema,
  atmosfairMail: z.boolean(),
  services: z.array(serviceInputSchema).max(50, 'too_many_services'),
});
export type BookingInput = z.infer<typeof bookingInputSchema>;
