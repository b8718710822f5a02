// Bookings and their services in SQLite: numbering, reading, writing, searching.
import type { BookingStatus, Customer, Language, ServiceInput } from '../../../shared/domain';
import type { StoredService } from '../../../shared/contract';
import { normaliseEmail } from '../../../shared/marking-rule';
import { prepared, type Db } from './database';

export interface BookingRow {
  id: number;
  number: string;
  status: BookingStatus;
  customer: Customer;
  atmosfairMail: boolean;
  mailDecision: string | null;
  mailReason: string | null;
  mailDecidedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface RawBooking {
  id: number;
  number: string;
  status: BookingStatus;
  salutation: Customer['salutation'];
  first_name: string;
  last_name: string;
  email: string;
  language: Language;
  objected: number;
  objected_on: string | null;
  atmosfair_mail: number;
  mail_decision: string | null;
  mail_reason: string | null;
  mail_decided_at: string | null;
  created_at: string;
  updated_at: string;
}

interface RawService {
  id: number;
  type: ServiceInput['type'];
  description: string;
  start_date: string;
  end_date: string | null;
  travellers: number;
  departure_airport: string | null;
  arrival_airport: string | null;
  flight_number: string | null;
  cabin_class: string | null;
}

/** Gives the next booking number of a year: `2026-00001`, `2026-00002`, … */
export function nextBookingNumber(db: Db, year: number): string {
  const row = prepared(
    db,
    `INSERT INTO booking_numbers (year, last) VALUES (?, 1)
       ON CONFLICT (year) DO UPDATE SET last = last + 1
       RETURNING last`,
  ).get(year) as { last: number };
  return `${year}-${String(row.last).padStart(5, '0')}`;
}

export function findBooking(db: Db, id: number): BookingRow | null {
  const raw = prepared(db, 'SELECT * FROM bookings WHERE id = ?').get(id) as RawBooking | undefined;
  return raw ? toBooking(raw) : null;
}

export function insertBooking(
  db: Db,
  fields: { number: string; status: BookingStatus; customer: Customer; atmosfairMail: boolean },
  now: string,
): number {
  const result = prepared(
    db,
    `INSERT INTO bookings (number, status, salutation, first_name, last_name, email, email_key,
       language, objected, objected_on, atmosfair_mail, created_at, updated_at)
     VALUES (@number, @status, @salutation, @firstName, @lastName, @email, @emailKey,
       @language, @objected, @objectedOn, @atmosfairMail, @now, @now)`,
  ).run({
    ...customerParams(fields.customer),
    number: fields.number,
    status: fields.status,
    atmosfairMail: fields.atmosfairMail ? 1 : 0,
    now,
  });
  return Number(result.lastInsertRowid);
}

export function updateBooking(
  db: Db,
  id: number,
  fields: { status: BookingStatus; customer: Customer; atmosfairMail: boolean },
  now: string,
): void {
  prepared(
    db,
    `UPDATE bookings SET status = @status, salutation = @salutation, first_name = @firstName,
       last_name = @lastName, email = @email, email_key = @emailKey, language = @language,
       objected = @objected,
       objected_on = @objectedOn, atmosfair_mail = @atmosfairMail, updated_at = @now
     WHERE id = @id`,
  ).run({
    ...customerParams(fields.customer),
    id,
    status: fields.status,
    atmosfairMail: fields.atmosfairMail ? 1 : 0,
    now,
  });
}

export function recordDecision(
  db: Db,
  bookingId: number,
  decision: { decision: string; reason: string },
  now: string,
): void {
  prepared(
    db,
    'UPDATE bookings SET mail_decision = ?, mail_reason = ?, mail_decided_at = ? WHERE id = ?',
  ).run(decision.decision, decision.reason, now, bookingId);
}

export function listServices(db: Db, bookingId: number): StoredService[] {
  const rows = prepared(
    db,
    'SELECT * FROM services WHERE booking_id = ? ORDER BY position, id',
  ).all(bookingId) as RawService[];
  return rows.map(toService);
}

/**
 * Replaces the booking's services with `services`: a service with an `id` of this booking is
 * updated in place (it keeps its identity, so an edit is not "a new service"), one without an
 * `id` is inserted, and stored ones missing from the list are deleted. An `id` that belongs to
 * another booking is treated as new.
 */
export function replaceServices(
  db: Db,
  bookingId: number,
  services: readonly ServiceInput[],
): void {
  const existing = new Set(listServices(db, bookingId).map((s) => s.id));
  const kept = new Set<number>();
  const update = prepared(
    db,
    `UPDATE services SET position = @position, type = @type, description = @description,
       start_date = @startDate, end_date = @endDate, travellers = @travellers,
       departure_airport = @departureAirport, arrival_airport = @arrivalAirport,
       flight_number = @flightNumber, cabin_class = @cabinClass
     WHERE id = @id AND booking_id = @bookingId`,
  );
  const insert = prepared(
    db,
    `INSERT INTO services (booking_id, position, type, description, start_date, end_date,
       travellers, departure_airport, arrival_airport, flight_number, cabin_class)
     VALUES (@bookingId, @position, @type, @description, @startDate, @endDate, @travellers,
       @departureAirport, @arrivalAirport, @flightNumber, @cabinClass)`,
  );

  services.forEach((service, position) => {
    const params = { ...serviceParams(service), bookingId, position };
    if (service.id !== undefined && existing.has(service.id) && !kept.has(service.id)) {
      update.run({ ...params, id: service.id });
      kept.add(service.id);
    } else {
      insert.run(params);
    }
  });

  const remove = prepared(db, 'DELETE FROM services WHERE id = ?');
  for (const id of existing) if (!kept.has(id)) remove.run(id);
}

export interface BookingSummaryRow {
  id: number;
  number: string;
  first_name: string;
  last_name: string;
  status: BookingStatus;
  travel_date: string | null;
  open_mark_state: 'marked' | 'sending' | 'retry' | 'uncertain' | null;
  last_mark_state: string | null;
}

/** Bookings whose number or customer name contains `query`, newest first. */
export function searchBookings(db: Db, query: string, limit = 500): BookingSummaryRow[] {
  const pattern = `%${escapeLike(query.trim())}%`;
  return prepared(
    db,
    `SELECT b.id, b.number, b.first_name, b.last_name, b.status,
         (SELECT MIN(s.start_date) FROM services s WHERE s.booking_id = b.id) AS travel_date,
         (SELECT m.state FROM marks m WHERE m.booking_id = b.id
            AND m.state IN ('marked', 'sending', 'retry', 'uncertain')) AS open_mark_state,
         (SELECT m.state FROM marks m WHERE m.booking_id = b.id AND m.state IN ('sent', 'failed')
            ORDER BY m.id DESC LIMIT 1) AS last_mark_state
       FROM bookings b
       WHERE td_fold(b.number) LIKE td_fold(@pattern) ESCAPE '\\'
          OR td_fold(b.first_name || ' ' || b.last_name) LIKE td_fold(@pattern) ESCAPE '\\'
          OR td_fold(b.last_name || ' ' || b.first_name) LIKE td_fold(@pattern) ESCAPE '\\'
          OR td_fold(b.last_name || ', ' || b.first_name) LIKE td_fold(@pattern) ESCAPE '\\'
       ORDER BY b.id DESC
       LIMIT @limit`,
  ).all({ pattern, limit }) as BookingSummaryRow[];
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function customerParams(customer: Customer) {
  return {
    salutation: customer.salutation,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    emailKey: normaliseEmail(customer.email),
    language: customer.language,
    objected: customer.objected ? 1 : 0,
    objectedOn: customer.objected ? customer.objectedOn : null,
  };
}

function serviceParams(service: ServiceInput) {
  return {
    type: service.type,
    description: service.description,
    startDate: service.startDate,
    endDate: service.endDate,
    travellers: service.travellers,
    departureAirport: service.flight?.departureAirport ?? null,
    arrivalAirport: service.flight?.arrivalAirport ?? null,
    flightNumber: service.flight?.flightNumber ?? null,
    cabinClass: service.flight?.cabinClass ?? null,
  };
}

function toBooking(raw: RawBooking): BookingRow {
  return {
    id: raw.id,
    number: raw.number,
    status: raw.status,
    customer: {
      salutation: raw.salutation,
      firstName: raw.first_name,
      lastName: raw.last_name,
      email: raw.email,
      language: raw.language,
      objected: raw.objected === 1,
      objectedOn: raw.objected_on,
    },
    atmosfairMail: raw.atmosfair_mail === 1,
    mailDecision: raw.mail_decision,
    mailReason: raw.mail_reason,
    mailDecidedAt: raw.mail_decided_at,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}

function toService(raw: RawService): StoredService {
  const isFlight = raw.type === 'flight';
  return {
    id: raw.id,
    type: raw.type,
    description: raw.description,
    startDate: raw.start_date,
    endDate: raw.end_date,
    travellers: raw.travellers,
    flight: isFlight
      ? {
          departureAirport: raw.departure_airport ?? '',
          arrivalAirport: raw.arrival_airport ?? '',
          flightNumber: raw.flight_number ?? '',
          cabinClass: (raw.cabin_class ?? 'economy') as NonNullable<
            ServiceInput['flight']
          >['cabinClass'],
        }
      : null,
  };
}
