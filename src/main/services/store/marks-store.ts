// Marks (bookings on the list for the night run), their delivery states, and the record of
// every mail sent. Each state change is one conditional UPDATE, so two runs can never both
// move the same mark.
import type { MarkReason } from '../../../shared/marking-rule';
import type { SentMailSummary } from '../../../shared/contract';
import { prepared, type Db } from './database';

export type MarkState =
  'marked' | 'sending' | 'sent' | 'retry' | 'failed' | 'uncertain' | 'withdrawn';

/** States in which a mark still belongs to its booking's future: no second mark beside it. */
export const OPEN_STATES = ['marked', 'sending', 'retry', 'uncertain'] as const;
const OPEN = `('marked', 'sending', 'retry', 'uncertain')`;

export interface MarkRow {
  id: number;
  bookingId: number;
  reason: MarkReason;
  state: MarkState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastReplyCode: number | null;
  withdrawnReason: string | null;
  createdAt: string;
  updatedAt: string;
}

interface RawMark {
  id: number;
  booking_id: number;
  reason: MarkReason;
  state: MarkState;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  last_reply_code: number | null;
  withdrawn_reason: string | null;
  created_at: string;
  updated_at: string;
}

const MARK_COLUMNS = `id, booking_id, reason, state, attempts, next_attempt_at, last_error,
  last_reply_code, withdrawn_reason, created_at, updated_at`;

export function openMark(db: Db, bookingId: number): MarkRow | null {
  const raw = prepared(
    db,
    `SELECT ${MARK_COLUMNS} FROM marks WHERE booking_id = ? AND state IN ${OPEN}`,
  ).get(bookingId) as RawMark | undefined;
  return raw ? toMark(raw) : null;
}

export function findMark(db: Db, id: number): MarkRow | null {
  const raw = prepared(db, `SELECT ${MARK_COLUMNS} FROM marks WHERE id = ?`).get(id) as
    RawMark | undefined;
  return raw ? toMark(raw) : null;
}

export function createMark(db: Db, bookingId: number, reason: MarkReason, now: string): number {
  const result = prepared(
    db,
    `INSERT INTO marks (booking_id, reason, state, created_at, updated_at)
       VALUES (?, ?, 'marked', ?, ?)`,
  ).run(bookingId, reason, now, now);
  return Number(result.lastInsertRowid);
}

/**
 * Withdraws the booking's waiting mark, if any. A mark being sent right now, or one whose mail
 * may already have arrived (uncertain), is left alone.
 */
export function withdrawMark(db: Db, bookingId: number, reason: string, now: string): boolean {
  const result = prepared(
    db,
    `UPDATE marks SET state = 'withdrawn', withdrawn_reason = ?, next_attempt_at = NULL,
         updated_at = ?
       WHERE booking_id = ? AND state IN ('marked', 'retry')`,
  ).run(reason, now, bookingId);
  return result.changes > 0;
}

/** Ids of the marks a run should work on now: new marks, and retries whose time has come. */
export function dueMarkIds(db: Db, now: string): number[] {
  const rows = prepared(
    db,
    `SELECT id FROM marks
       WHERE state = 'marked'
          OR (state = 'retry' AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
       ORDER BY id`,
  ).all(now) as { id: number }[];
  return rows.map((row) => row.id);
}

export function countDueMarks(db: Db): number {
  return (
    prepared(db, "SELECT COUNT(*) AS n FROM marks WHERE state IN ('marked', 'retry')").get() as {
      n: number;
    }
  ).n;
}

/** What one attempt hands over; stored on the mark before sending. */
export interface ComposedAttempt {
  messageId: string;
  recipient: string;
  subject: string;
  serviceIds: number[];
  raw: Buffer;
}

/**
 * Claims a mark for sending, together with the exact message about to go out. Only one caller
 * can win: the update matches only while the mark is still waiting.
 */
export function claimMark(db: Db, markId: number, attempt: ComposedAttempt, now: string): boolean {
  const result = prepared(
    db,
    `UPDATE marks SET state = 'sending', attempts = attempts + 1, message_id = ?, recipient = ?,
         subject = ?, service_ids = ?, raw = ?, updated_at = ?
       WHERE id = ? AND state IN ('marked', 'retry')`,
  ).run(
    attempt.messageId,
    attempt.recipient,
    attempt.subject,
    JSON.stringify(attempt.serviceIds),
    attempt.raw,
    now,
    markId,
  );
  return result.changes === 1;
}

/** Gives a claim back as if it never happened (configuration errors, test mode). */
export function unclaimMark(db: Db, markId: number, state: 'marked' | 'retry', now: string): void {
  prepared(
    db,
    `UPDATE marks SET state = ?, attempts = MAX(attempts - 1, 0), updated_at = ?
     WHERE id = ? AND state = 'sending'`,
  ).run(state, now, markId);
}

export function scheduleRetry(
  db: Db,
  markId: number,
  failure: { error: string; replyCode: number | null; nextAttemptAt: string },
  now: string,
): void {
  prepared(
    db,
    `UPDATE marks SET state = 'retry', last_error = ?, last_reply_code = ?, next_attempt_at = ?,
       updated_at = ?
     WHERE id = ? AND state = 'sending'`,
  ).run(failure.error, failure.replyCode, failure.nextAttemptAt, now, markId);
}

export function failMark(
  db: Db,
  markId: number,
  failure: { error: string; replyCode: number | null },
  now: string,
): void {
  prepared(
    db,
    `UPDATE marks SET state = 'failed', last_error = ?, last_reply_code = ?, next_attempt_at = NULL,
       updated_at = ?
     WHERE id = ? AND state = 'sending'`,
  ).run(failure.error, failure.replyCode, now, markId);
}

export function markUncertain(db: Db, markId: number, error: string, now: string): void {
  prepared(
    db,
    `UPDATE marks SET state = 'uncertain', last_error = ?, next_attempt_at = NULL, updated_at = ?
     WHERE id = ? AND state = 'sending'`,
  ).run(error, now, markId);
}

/**
 * Claims left in `sending` by a run that no longer exists (crash, kill, power cut): their mail
 * may or may not have gone out, so they become uncertain and are never resent automatically.
 * Call only while holding the run lock.
 */
export function recoverInterruptedClaims(db: Db, now: string): number {
  return prepared(
    db,
    `UPDATE marks SET state = 'uncertain', updated_at = ?,
         last_error = 'Der Versand wurde unterbrochen (Programm beendet oder abgestürzt); '
           || 'ob die Mail ankam, ist unklar.'
       WHERE state = 'sending'`,
  ).run(now).changes;
}

/** Records the mail stored on a claimed (or uncertain) mark as sent, in one transaction. */
export function recordSent(
  db: Db,
  markId: number,
  sentAt: string,
  from: 'sending' | 'uncertain' = 'sending',
): boolean {
  return db
    .transaction(() => {
      const row = prepared(
        db,
        `SELECT booking_id, message_id, recipient, subject, service_ids, raw FROM marks
           WHERE id = ? AND state = ? AND raw IS NOT NULL`,
      ).get(markId, from) as
        | {
            booking_id: number;
            message_id: string;
            recipient: string;
            subject: string;
            service_ids: string;
            raw: Buffer;
          }
        | undefined;
      if (!row) return false;
      prepared(
        db,
        `INSERT INTO sent_mails (booking_id, mark_id, sent_at, recipient, subject, message_id,
           service_ids, raw)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.booking_id,
        markId,
        sentAt,
        row.recipient,
        row.subject,
        row.message_id,
        row.service_ids,
        row.raw,
      );
      prepared(
        db,
        `UPDATE marks SET state = 'sent', next_attempt_at = NULL, updated_at = ?, raw = NULL
         WHERE id = ?`,
      ).run(sentAt, markId);
      return true;
    })
    .immediate();
}

/**
 * The agent's "Erneut versuchen" for a failed or uncertain mark: back on the list with fresh
 * attempts, unless the booking has another open mark by now.
 */
export function requeueMark(db: Db, markId: number, now: string): boolean {
  return db
    .transaction(() => {
      const mark = findMark(db, markId);
      if (
        !mark ||
        (mark.state !== 'failed' && mark.state !== 'uncertain' && mark.state !== 'retry')
      ) {
        return false;
      }
      // Only the booking's latest mark: an older failure may have been overtaken by a new mark.
      const newer = prepared(db, 'SELECT 1 FROM marks WHERE booking_id = ? AND id > ?').get(
        mark.bookingId,
        markId,
      );
      if (newer !== undefined) return false;
      const other = openMark(db, mark.bookingId);
      if (other && other.id !== markId) return false;
      prepared(
        db,
        `UPDATE marks SET state = 'marked', attempts = 0, next_attempt_at = NULL, updated_at = ?
         WHERE id = ?`,
      ).run(now, markId);
      return true;
    })
    .immediate();
}

export function lastSentMail(db: Db, bookingId: number): SentMailSummary | null {
  return listSentMails(db, bookingId)[0] ?? null;
}

/** The booking's sent mails, newest first. */
export function listSentMails(db: Db, bookingId: number): SentMailSummary[] {
  const rows = prepared(
    db,
    `SELECT id, sent_at, recipient, subject, message_id, service_ids FROM sent_mails
       WHERE booking_id = ? ORDER BY sent_at DESC, id DESC`,
  ).all(bookingId) as {
    id: number;
    sent_at: string;
    recipient: string;
    subject: string;
    message_id: string;
    service_ids: string;
  }[];
  return rows.map((row) => ({
    id: row.id,
    sentAt: row.sent_at,
    recipient: row.recipient,
    subject: row.subject,
    messageId: row.message_id,
    serviceIds: parseIds(row.service_ids),
  }));
}

export function sentMailRaw(db: Db, sentMailId: number): { bookingId: number; raw: Buffer } | null {
  const row = prepared(db, 'SELECT booking_id, raw FROM sent_mails WHERE id = ?').get(
    sentMailId,
  ) as { booking_id: number; raw: Buffer } | undefined;
  return row ? { bookingId: row.booking_id, raw: row.raw } : null;
}

/** All marks of a booking, newest first: its mail history. */
export function listMarks(db: Db, bookingId: number): MarkRow[] {
  const rows = prepared(
    db,
    `SELECT ${MARK_COLUMNS} FROM marks WHERE booking_id = ? ORDER BY id DESC`,
  ).all(bookingId) as RawMark[];
  return rows.map(toMark);
}

export interface OutboxRow extends MarkRow {
  bookingNumber: string;
  customerName: string;
}

/**
 * The outbox: waiting, retrying, uncertain and sending marks, and failed ones that are still
 * their booking's latest mark (a failure the agent has since fixed drops out).
 */
export function listOutbox(db: Db): OutboxRow[] {
  const rows = prepared(
    db,
    `SELECT m.id, m.booking_id, m.reason, m.state, m.attempts, m.next_attempt_at, m.last_error,
         m.last_reply_code, m.withdrawn_reason, m.created_at, m.updated_at,
         b.number AS booking_number, trim(b.first_name || ' ' || b.last_name) AS customer_name
       FROM marks m JOIN bookings b ON b.id = m.booking_id
       WHERE m.state IN ${OPEN}
          OR (m.state = 'failed'
              AND m.id = (SELECT MAX(id) FROM marks WHERE booking_id = m.booking_id))
       ORDER BY
         CASE m.state WHEN 'uncertain' THEN 0 WHEN 'failed' THEN 1 WHEN 'retry' THEN 2 ELSE 3 END,
         m.id`,
  ).all() as (RawMark & { booking_number: string; customer_name: string })[];
  return rows.map((row) => ({
    ...toMark(row),
    bookingNumber: row.booking_number,
    customerName: row.customer_name,
  }));
}

function parseIds(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is number => Number.isInteger(v)) : [];
  } catch {
    return [];
  }
}

function toMark(raw: RawMark): MarkRow {
  return {
    id: raw.id,
    bookingId: raw.booking_id,
    reason: raw.reason,
    state: raw.state,
    attempts: raw.attempts,
    nextAttemptAt: raw.next_attempt_at,
    lastError: raw.last_error,
    lastReplyCode: raw.last_reply_code,
    withdrawnReason: raw.withdrawn_reason,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}
