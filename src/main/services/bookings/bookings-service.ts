// Saving and reading bookings. The marking rule runs inside the same transaction as the save,
// so a booking and its mail state can never disagree.
import type { BookingInput } from '../../../shared/domain';
import type {
  BookingDetail,
  BookingDraft,
  BookingListItem,
  MailState,
  MarkSummary,
} from '../../../shared/contract';
import {
  decideMark,
  normaliseEmail,
  type RuleInput,
  type RuleOutcome,
} from '../../../shared/marking-rule';
import type { FieldIssue } from '../../../shared/result';
import { travelDate } from '../../../shared/travel-date';
import { localDate, type Clock } from '../clock';
import { prepared, type Db } from '../store/database';
import {
  findBooking,
  insertBooking,
  listServices,
  nextBookingNumber,
  recordDecision,
  replaceServices,
  searchBookings,
  updateBooking,
  type BookingRow,
} from '../store/bookings-store';
import {
  createMark,
  lastSentMail,
  listMarks,
  listSentMails,
  openMark,
  withdrawMark,
  type MarkRow,
} from '../store/marks-store';
import { readSettings } from '../store/settings-store';

export interface BookingsContext {
  db: Db;
  clock: Clock;
  timeZone: string;
}

/** A value only the main process can judge (it knows today's date): refused like bad input. */
export class BookingInputError extends Error {
  readonly code = 'invalid_input';
  readonly issues: FieldIssue[];
  constructor(path: string, issueCode: string) {
    super('Bitte prüfen Sie die markierten Felder. Es wurde nichts gespeichert.');
    this.issues = [{ path, code: issueCode }];
  }
}

export class BookingNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly id: number) {
    super(`Der Vorgang ${id} existiert nicht (mehr).`);
  }
}

export function saveBooking(
  ctx: BookingsContext,
  input: BookingInput,
): { booking: BookingDetail; outcome: RuleOutcome } {
  const now = ctx.clock();
  const nowIso = now.toISOString();
  const today = localDate(now, ctx.timeZone);
  if (input.customer.objected && input.customer.objectedOn && input.customer.objectedOn > today) {
    throw new BookingInputError('customer.objectedOn', 'date_future');
  }
  const customer = {
    ...input.customer,
    objectedOn: input.customer.objected ? (input.customer.objectedOn ?? today) : null,
  };
  const fields = { status: input.status, customer, atmosfairMail: input.atmosfairMail };

  const save = ctx.db.transaction(() => {
    // 1. Store the booking and its services.
    let id: number;
    if (input.id === undefined) {
      const number = nextBookingNumber(ctx.db, Number(today.slice(0, 4)));
      id = insertBooking(ctx.db, { ...fields, number }, nowIso);
    } else {
      if (!findBooking(ctx.db, input.id)) throw new BookingNotFoundError(input.id);
      id = input.id;
      updateBooking(ctx.db, id, fields, nowIso);
    }
    replaceServices(ctx.db, id, input.services);

    // 2. Apply the marking rule to what is now stored.
    const outcome = decideMark(ruleInputFor(ctx.db, id, today));
    applyOutcome(ctx.db, id, outcome, nowIso);
    return { id, outcome };
  });

  const { id, outcome } = save.immediate();
  return { booking: getBooking(ctx, id), outcome };
}

/** The marking rule's input for a stored booking, as the store holds it right now. */
export function ruleInputFor(db: Db, bookingId: number, today: string): RuleInput {
  const booking = findBooking(db, bookingId);
  if (!booking) throw new BookingNotFoundError(bookingId);
  const settings = readSettings(db);
  const last = lastSentMail(db, bookingId);
  return {
    atmosfairEnabled: settings.atmosfair.enabled,
    atmosfairMail: booking.atmosfairMail,
    status: booking.status,
    customerObjected: booking.customer.objected || hasObjected(db, booking.customer.email),
    customerEmail: booking.customer.email,
    services: listServices(db, bookingId),
    today,
    lastSent: last ? { recipient: last.recipient, serviceIds: last.serviceIds } : null,
  };
}

/**
 * An objection belongs to the customer, not to one booking: whoever objected under this e-mail
 * address never gets the mail again, on any booking.
 */
function hasObjected(db: Db, email: string): boolean {
  const address = normaliseEmail(email);
  if (address === '') return false;
  const statement = prepared(
    db,
    'SELECT 1 FROM bookings WHERE objected = 1 AND email_key = ? LIMIT 1',
  );
  return statement.get(address) !== undefined;
}

/** Turns a rule outcome into marks: create (once), withdraw, or leave alone. */
export function applyOutcome(db: Db, bookingId: number, outcome: RuleOutcome, now: string): void {
  if (outcome.decision === 'mark') {
    if (!openMark(db, bookingId)) createMark(db, bookingId, outcome.reason, now);
  } else if (outcome.decision === 'unmark') {
    withdrawMark(db, bookingId, outcome.reason, now);
  }
  recordDecision(db, bookingId, outcome, now);
}

export function getBooking(ctx: BookingsContext, id: number): BookingDetail {
  const booking = findBooking(ctx.db, id);
  if (!booking) throw new BookingNotFoundError(id);
  return toDetail(ctx.db, booking);
}

export function listBookings(ctx: BookingsContext, query: string): BookingListItem[] {
  return searchBookings(ctx.db, query).map((row) => ({
    id: row.id,
    number: row.number,
    customerName: [row.first_name, row.last_name].filter(Boolean).join(' '),
    travelDate: row.travel_date,
    status: row.status,
    mailState: (row.open_mark_state ?? row.last_mark_state ?? 'none') as MailState,
  }));
}

export function bookingDraft(ctx: BookingsContext): BookingDraft {
  const settings = readSettings(ctx.db);
  return {
    atmosfairEnabled: settings.atmosfair.enabled,
    booking: {
      status: 'booked',
      customer: {
        salutation: 'none',
        firstName: '',
        lastName: '',
        email: '',
        language: 'de',
        objected: false,
        objectedOn: null,
      },
      // "vorbelegen": new bookings start ticked, so every booking gets the mail unless unticked.
      atmosfairMail: settings.atmosfair.enabled && settings.atmosfair.preCheck,
      services: [],
    },
  };
}

function toDetail(db: Db, booking: BookingRow): BookingDetail {
  const services = listServices(db, booking.id);
  const mark = openMark(db, booking.id);
  return {
    id: booking.id,
    number: booking.number,
    status: booking.status,
    customer: booking.customer,
    atmosfairMail: booking.atmosfairMail,
    services,
    travelDate: travelDate(services),
    createdAt: booking.createdAt,
    updatedAt: booking.updatedAt,
    mail: {
      mark: mark ? markSummary(mark) : null,
      lastDecision: decisionOf(booking),
      sent: listSentMails(db, booking.id),
      history: listMarks(db, booking.id).map(markSummary),
    },
  };
}

export function markSummary(mark: MarkRow): MarkSummary {
  return {
    id: mark.id,
    reason: mark.reason,
    state: mark.state,
    attempts: mark.attempts,
    nextAttemptAt: mark.nextAttemptAt,
    lastError: mark.lastError,
    lastReplyCode: mark.lastReplyCode,
    withdrawnReason: mark.withdrawnReason,
    markedAt: mark.createdAt,
    updatedAt: mark.updatedAt,
  };
}

function decisionOf(booking: BookingRow): BookingDetail['mail']['lastDecision'] {
  if (!booking.mailDecision || !booking.mailReason || !booking.mailDecidedAt) return null;
  return {
    decision: booking.mailDecision,
    reason: booking.mailReason,
    decidedAt: booking.mailDecidedAt,
  } as BookingDetail['mail']['lastDecision'];
}
