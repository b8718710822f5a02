// The night run: sends the atmosfair mail for every marked booking, once per mark. Before each
// mail it applies the marking rule again and withdraws a mark that no longer holds.
import type { NightRunSummary } from '../../../shared/contract';
import { decideMark } from '../../../shared/marking-rule';
import { applyOutcome, ruleInputFor } from '../bookings/bookings-service';
import { localDate, type Clock } from '../clock';
import { maskEmail, type Logger } from '../logger';
import { composeAtmosfairMail, MailConfigurationError } from '../mail/compose';
import { createDelivery, DeliveryError, type Delivery } from '../mail/delivery';
import type { Db } from '../store/database';
import { findBooking, listServices } from '../store/bookings-store';
import { claimMark, dueMarks, failMark, recordSent, releaseMark } from '../store/marks-store';
import { readSettings } from '../store/settings-store';

export type NightRunTrigger = NightRunSummary['trigger'];

export interface NightRunContext {
  db: Db;
  clock: Clock;
  timeZone: string;
  log: Logger;
  smtpPassword: () => string | null;
  defaultTestFolder: string;
  /** For tests: shorter SMTP timeouts. */
  smtpTimeouts?: { connectionMs: number; greetingMs: number; socketMs: number };
}

/** The run could not start or had to stop: no mail was attempted after this point. */
export class NightRunAbortedError extends Error {
  constructor(
    message: string,
    readonly summary: NightRunSummary,
  ) {
    super(message);
  }
}

export async function runNightRun(
  ctx: NightRunContext,
  trigger: NightRunTrigger,
): Promise<NightRunSummary> {
  const log = ctx.log.child({ scope: 'night-run' });
  const startedAt = ctx.clock().toISOString();
  const settings = readSettings(ctx.db);
  const testMode = settings.delivery.mode === 'test';
  const runId = Number(
    ctx.db
      .prepare('INSERT INTO night_runs (trigger, started_at, test_mode) VALUES (?, ?, ?)')
      .run(trigger, startedAt, testMode ? 1 : 0).lastInsertRowid,
  );
  const summary: NightRunSummary = {
    startedAt,
    finishedAt: startedAt,
    trigger,
    testMode,
    due: 0,
    sent: 0,
    written: 0,
    withdrawn: 0,
    failed: 0,
  };

  const marks = dueMarks(ctx.db);
  summary.due = marks.length;
  log.info({ runId, trigger, due: marks.length, testMode }, 'Nachtlauf gestartet');

  let delivery: Delivery | null = null;
  let abortMessage: string | null = null;
  try {
    // 0. Without a working delivery configuration the run cannot start at all.
    try {
      if (!settings.sender.fromAddress) {
        throw new DeliveryError(
          'configuration',
          'Die Absenderadresse fehlt. Bitte tragen Sie sie in den Agenturstammdaten ein.',
        );
      }
      delivery = createDelivery({
        settings,
        smtpPassword: ctx.smtpPassword(),
        defaultTestFolder: ctx.defaultTestFolder,
        timeouts: ctx.smtpTimeouts,
      });
    } catch (error) {
      abortMessage = error instanceof Error ? error.message : String(error);
      log.error(abortMessage);
      marks.length = 0;
    }

    for (const mark of marks) {
      if (!delivery) break;
      const today = localDate(ctx.clock(), ctx.timeZone);
      const booking = findBooking(ctx.db, mark.bookingId);
      if (!booking) continue;

      // 1. Check the rule again: a mark that no longer holds is withdrawn, not mailed.
      const outcome = decideMark(ruleInputFor(ctx.db, booking.id, today));
      if (outcome.decision !== 'mark') {
        const nowIso = ctx.clock().toISOString();
        ctx.db.transaction(() => {
          applyOutcome(ctx.db, booking.id, outcome, nowIso);
          // "atmosfair disabled" leaves marks alone on save; at send time it withdraws them.
          if (outcome.decision === 'ignore') {
            ctx.db
              .prepare(
                `UPDATE marks SET state = 'withdrawn', withdrawn_reason = ?, updated_at = ?
                 WHERE id = ? AND state = 'marked'`,
              )
              .run(outcome.reason, nowIso, mark.id);
          }
        })();
        summary.withdrawn += 1;
        log.info({ booking: booking.number, reason: outcome.reason }, 'Vormerkung zurückgezogen');
        continue;
      }

      // 2. Claim the mark: only one run can win it.
      if (!claimMark(ctx.db, mark.id, ctx.clock().toISOString())) {
        log.info({ booking: booking.number }, 'Vormerkung wird bereits bearbeitet, übersprungen');
        continue;
      }

      // 3. Compose exactly what goes out, and send it.
      const services = listServices(ctx.db, booking.id);
      try {
        const mail = await composeAtmosfairMail({
          settings,
          bookingNumber: booking.number,
          markId: mark.id,
          customer: booking.customer,
          services,
          date: ctx.clock(),
        });
        const receipt = await delivery.deliver(mail, `${booking.number}-${mark.id}.eml`);
        const nowIso = ctx.clock().toISOString();

        if (delivery.testMode) {
          // Test mode: nothing counts as sent until it really went out, so the mark stays.
          releaseMark(ctx.db, mark.id, null, nowIso);
          summary.written += 1;
          log.info({ booking: booking.number }, 'Testmodus: Mail als .eml geschrieben');
        } else {
          recordSent(ctx.db, {
            bookingId: booking.id,
            markId: mark.id,
            sentAt: nowIso,
            recipient: mail.to,
            subject: mail.subject,
            messageId: mail.messageId,
            serviceIds: services.map((s) => s.id),
            raw: mail.raw,
          });
          summary.sent += 1;
          log.info(
            { booking: booking.number, to: maskEmail(mail.to), reply: receipt.response },
            'Mail gesendet',
          );
        }
      } catch (error) {
        const nowIso = ctx.clock().toISOString();
        const failure =
          error instanceof DeliveryError
            ? error
            : error instanceof MailConfigurationError
              ? new DeliveryError('configuration', error.message)
              : new DeliveryError('temporary', `Unerwarteter Fehler: ${(error as Error).message}`);

        if (failure.kind === 'configuration') {
          // Not this booking's fault: give the claim back untouched and stop the run.
          ctx.db
            .prepare(
              `UPDATE marks SET state = 'marked', attempts = attempts - 1, updated_at = ?
               WHERE id = ? AND state = 'sending'`,
            )
            .run(nowIso, mark.id);
          abortMessage = failure.message;
          log.error({ booking: booking.number, reply: failure.serverReply }, failure.message);
          break;
        }
        summary.failed += 1;
        if (failure.kind === 'permanent') failMark(ctx.db, mark.id, failure.message, nowIso);
        else releaseMark(ctx.db, mark.id, failure.message, nowIso);
        log.warn(
          { booking: booking.number, kind: failure.kind, code: failure.responseCode },
          failure.message,
        );
      }
    }
  } finally {
    delivery?.close();
    summary.finishedAt = ctx.clock().toISOString();
    ctx.db
      .prepare(
        `UPDATE night_runs SET finished_at = ?, due = ?, sent = ?, written = ?, withdrawn = ?,
           failed = ?, error = ? WHERE id = ?`,
      )
      .run(
        summary.finishedAt,
        summary.due,
        summary.sent,
        summary.written,
        summary.withdrawn,
        summary.failed,
        abortMessage,
        runId,
      );
    log.info({ runId, ...summary, error: abortMessage }, 'Nachtlauf beendet');
  }

  if (abortMessage !== null) throw new NightRunAbortedError(abortMessage, summary);
  return summary;
}

export function lastNightRun(db: Db): (NightRunSummary & { error: string | null }) | null {
  const row = db
    .prepare('SELECT * FROM night_runs ORDER BY started_at DESC, id DESC LIMIT 1')
    .get() as
    | {
        trigger: NightRunTrigger;
        started_at: string;
        finished_at: string | null;
        test_mode: number;
        due: number;
        sent: number;
        written: number;
        withdrawn: number;
        failed: number;
        error: string | null;
      }
    | undefined;
  if (!row) return null;
  return {
    trigger: row.trigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at ?? row.started_at,
    testMode: row.test_mode === 1,
    due: row.due,
    sent: row.sent,
    written: row.written,
    withdrawn: row.withdrawn,
    failed: row.failed,
    error: row.error,
  };
}
