// Marks (bookings on the list for the night run) and the record of every mail sent.
import type { MarkReason } from '../../../shared/marking-rule';
import type { SentMailSummary } from '../../../shared/contract';
import type { Db } from './database';

export type MarkState = 'marked' | 'sending' | 'sent' | 'failed' | 'withdrawn';

export interface MarkRow {
  id: number;
  bookingId: number;
  reason: MarkReason;
  state: MarkState;
  attempts: number;
  lastError: string | null;
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
  last_error: string | null;
  withdrawn_reason: string | null;
  created_at: string;
  updated_at: string;
}

export function openMark(db: Db, bookingId: number): MarkRow | null {
  const raw = db
    .prepare("SELECT * FROM marks WHERE booking_id = ? AND state IN ('marked', 'sending')")
    .get(bookingId) as RawMark | undefined;
  return raw ? toMark(raw) : null;
}

export function findMark(db: Db, id: number): MarkRow | null {
  const raw = db.prepare('SELECT * FROM marks WHERE id = ?').get(id) as RawMark | undefined;
  return raw ? toMark(raw) : null;
}

export function createMark(db: Db, bookingId: number, reason: MarkReason, now: string): number {
  const result = db
    .prepare(
      `INSERT INTO marks (booking_id, reason, state, created_at, updated_at)
       VALUES (?, ?, 'marked', ?, ?)`,
    )
    .run(bookingId, reason, now, now);
  return Number(result.lastInsertRowid);
}

/** Withdraws the booking's waiting mark, if any; a mark being sent right now is left alone. */
export function withdrawMark(db: Db, bookingId: number, reason: string, now: string): boolean {
  const result = db
    .prepare(
      `UPDATE marks SET state = 'withdrawn', withdrawn_reason = ?, updated_at = ?
       WHERE booking_id = ? AND state = 'marked'`,
    )
    .run(reason, now, bookingId);
  return result.changes > 0;
}

export function dueMarks(db: Db): MarkRow[] {
  const rows = db
    .prepare("SELECT * FROM marks WHERE state = 'marked' ORDER BY id")
    .all() as RawMark[];
  return rows.map(toMark);
}

export function countDueMarks(db: Db): number {
  return (
    db.prepare("SELECT COUNT(*) AS n FROM marks WHERE state = 'marked'").get() as { n: number }
  ).n;
}

/**
 * Claims a mark for sending. Only one caller can win: the update matches only while the mark is
 * still `marked`, so a second process or trigger gets `false` and leaves it alone.
 */
export function claimMark(db: Db, markId: number, now: string): boolean {
  const result = db
    .prepare(
      `UPDATE marks SET state = 'sending', attempts = attempts + 1, updated_at = ?
       WHERE id = ? AND state = 'marked'`,
    )
    .run(now, markId);
  return result.changes === 1;
}

/** Puts a claimed mark back on the list (test mode, or a failure worth another night). */
export function releaseMark(db: Db, markId: number, error: string | null, now: string): void {
  db.prepare(
    `UPDATE marks SET state = 'marked', last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'`,
  ).run(error, now, markId);
}

export function failMark(db: Db, markId: number, error: string, now: string): void {
  db.prepare(
    `UPDATE marks SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'`,
  ).run(error, now, markId);
}

export interface SentMailRecord {
  bookingId: number;
  markId: number;
  sentAt: string;
  recipient: string;
  subject: string;
  messageId: string;
  serviceIds: number[];
  raw: Buffer;
}

/** Records a mail as sent and closes its mark, in one transaction. */
export function recordSent(db: Db, mail: SentMailRecord): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO sent_mails (booking_id, mark_id, sent_at, recipient, subject, message_id,
         service_ids, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      mail.bookingId,
      mail.markId,
      mail.sentAt,
      mail.recipient,
      mail.subject,
      mail.messageId,
      JSON.stringify(mail.serviceIds),
      mail.raw,
    );
    db.prepare(
      `UPDATE marks SET state = 'sent', last_error = NULL, updated_at = ? WHERE id = ?`,
    ).run(mail.sentAt, mail.markId);
  }).immediate();
}

export function lastSentMail(db: Db, bookingId: number): SentMailSummary | null {
  return listSentMails(db, bookingId)[0] ?? null;
}

/** The booking's sent mails, newest first. */
export function listSentMails(db: Db, bookingId: number): SentMailSummary[] {
  const rows = db
    .prepare(
      `SELECT id, sent_at, recipient, subject, message_id, service_ids FROM sent_mails
       WHERE booking_id = ? ORDER BY sent_at DESC, id DESC`,
    )
    .all(bookingId) as {
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
    lastError: raw.last_error,
    withdrawnReason: raw.withdrawn_reason,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  };
}
