// The night run: sends the atmosfair mail for every due mark, at most once per mark. Before
// each mail it applies the marking rule again and withdraws a mark that no longer holds; every
// mark it touches ends in one known state (sent, retry, failed, uncertain or withdrawn).
import { randomUUID } from 'node:crypto';
import type { NightRunSummary } from '../../../shared/contract';
import { decideMark } from '../../../shared/marking-rule';
import { applyOutcome, ruleInputFor } from '../bookings/bookings-service';
import { localDate, type Clock } from '../clock';
import { maskEmail, type Logger } from '../logger';
import { composeAtmosfairMail, MailConfigurationError } from '../mail/compose';
import { createDelivery, DeliveryError, type Delivery } from '../mail/delivery';
import type { Db } from '../store/database';
import { findBooking, listServices } from '../store/bookings-store';
import {
  claimMark,
  dueMarkIds,
  failMark,
  findMark,
  markUncertain,
  recordSent,
  recoverInterruptedClaims,
  scheduleRetry,
  unclaimMark,
} from '../store/marks-store';
import { acquireRunLock, heartbeatRunLock, releaseRunLock } from '../store/run-lock';
import { readSettings } from '../store/settings-store';

export type NightRunTrigger = NightRunSummary['trigger'];

/** How often one mark is tried in all, over all runs, before it counts as failed. */
export const MAX_ATTEMPTS = 5;
/** Waits before the second and third try within one run (capped exponential). */
export const IN_RUN_RETRY_DELAYS_MS = [5_000, 20_000] as const;
/** Across runs: 15 minutes after the first try, doubling, at most 12 hours. */
const RETRY_BASE_MS = 15 * 60_000;
const RETRY_CAP_MS = 12 * 60 * 60_000;

export interface NightRunContext {
  db: Db;
  clock: Clock;
  timeZone: string;
  log: Logger;
  smtpPassword: () => string | null;
  missingPasswordHint?: string;
  defaultTestFolder: string;
  /** For tests: shorter SMTP timeouts. */
  smtpTimeouts?: { connectionMs: number; greetingMs: number; socketMs: number };
  /** For tests: waiting between tries without real time passing. */
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (progress: { done: number; total: number }) => void;
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

export class RunInProgressError extends Error {
  readonly code = 'run_in_progress';
  constructor() {
    super('Ein Nachtlauf läuft bereits. Bitte warten Sie, bis er fertig ist.');
  }
}

type MarkResult = 'sent' | 'written' | 'withdrawn' | 'failed' | 'retry' | 'uncertain' | 'skipped';

export async function runNightRun(
  ctx: NightRunContext,
  trigger: NightRunTrigger,
): Promise<NightRunSummary> {
  const log = ctx.log.child({ scope: 'night-run' });
  const owner = randomUUID();
  if (acquireRunLock(ctx.db, owner, ctx.clock())) throw new RunInProgressError();

  const startedAt = ctx.clock().toISOString();
  const settings = readSettings(ctx.db);
  const testMode = settings.delivery.mode === 'test';
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
    retrying: 0,
    uncertain: 0,
  };
  let runId = 0;
  let delivery: Delivery | null = null;
  let abortMessage: string | null = null;

  try {
    // 1. Claims left behind by a run that died are uncertain: never resent automatically.
    const recovered = recoverInterruptedClaims(ctx.db, startedAt);
    if (recovered > 0) log.warn({ recovered }, 'Unterbrochene Sendungen als unklar markiert');

    runId = Number(
      ctx.db
        .prepare('INSERT INTO night_runs (trigger, started_at, test_mode) VALUES (?, ?, ?)')
        .run(trigger, startedAt, testMode ? 1 : 0).lastInsertRowid,
    );
    let queue = dueMarkIds(ctx.db, startedAt);
    summary.due = queue.length;
    log.info({ runId, trigger, due: queue.length, testMode }, 'Nachtlauf gestartet');

    // 2. Without a working delivery configuration the run cannot start at all.
    try {
      delivery = openDelivery(ctx, settings);
    } catch (error) {
      abortMessage = (error as Error).message;
      log.error(abortMessage);
      queue = [];
    }

    // 3. Each due mark once; temporary failures again after a short wait, twice at most.
    let done = 0;
    ctx.onProgress?.({ done, total: summary.due });
    for (let pass = 0; delivery && queue.length > 0; pass += 1) {
      const again: number[] = [];
      for (const markId of queue) {
        let result: MarkResult;
        try {
          result = await processMark(ctx, delivery, markId, log);
        } catch (error) {
          if (!(error instanceof ConfigurationStop)) throw error;
          abortMessage = error.message;
          break;
        }
        heartbeatRunLock(ctx.db, owner, ctx.clock());
        if (result === 'retry' && pass < IN_RUN_RETRY_DELAYS_MS.length) {
          again.push(markId);
        } else {
          count(summary, result);
          done += 1;
          ctx.onProgress?.({ done, total: summary.due });
        }
      }
      if (abortMessage !== null || again.length === 0) {
        // A run stopped by a configuration error leaves the queued retries for a later run.
        summary.retrying += abortMessage !== null ? again.length : 0;
        break;
      }
      await (ctx.sleep ?? sleep)(IN_RUN_RETRY_DELAYS_MS[pass]!);
      heartbeatRunLock(ctx.db, owner, ctx.clock());
      queue = again;
    }
  } finally {
    delivery?.close();
    summary.finishedAt = ctx.clock().toISOString();
    if (runId > 0) {
      ctx.db
        .prepare(
          `UPDATE night_runs SET finished_at = ?, due = ?, sent = ?, written = ?, withdrawn = ?,
             failed = ?, retrying = ?, uncertain = ?, error = ? WHERE id = ?`,
        )
        .run(
          summary.finishedAt,
          summary.due,
          summary.sent,
          summary.written,
          summary.withdrawn,
          summary.failed,
          summary.retrying,
          summary.uncertain,
          abortMessage,
          runId,
        );
    }
    releaseRunLock(ctx.db, owner);
    log.info({ runId, ...summary, error: abortMessage }, 'Nachtlauf beendet');
  }

  if (abortMessage !== null) throw new NightRunAbortedError(abortMessage, summary);
  return summary;
}

function count(summary: NightRunSummary, result: MarkResult): void {
  if (result === 'sent') summary.sent += 1;
  else if (result === 'written') summary.written += 1;
  else if (result === 'withdrawn') summary.withdrawn += 1;
  else if (result === 'failed') summary.failed += 1;
  else if (result === 'retry') summary.retrying += 1;
  else if (result === 'uncertain') summary.uncertain += 1;
}

function openDelivery(ctx: NightRunContext, settings: ReturnType<typeof readSettings>): Delivery {
  if (!settings.sender.fromAddress) {
    throw new DeliveryError(
      'configuration',
      'Die Absenderadresse fehlt. Bitte tragen Sie sie in den Agenturstammdaten ein.',
    );
  }
  return createDelivery({
    settings,
    smtpPassword: ctx.smtpPassword(),
    missingPasswordHint: ctx.missingPasswordHint,
    defaultTestFolder: ctx.defaultTestFolder,
    timeouts: ctx.smtpTimeouts,
  });
}

/** Stops the whole run: login, TLS or configuration, not this booking's fault. */
class ConfigurationStop extends Error {}

async function processMark(
  ctx: NightRunContext,
  delivery: Delivery,
  markId: number,
  log: Logger,
): Promise<MarkResult> {
  const mark = findMark(ctx.db, markId);
  if (!mark || (mark.state !== 'marked' && mark.state !== 'retry')) return 'skipped';
  const booking = findBooking(ctx.db, mark.bookingId);
  if (!booking) return 'skipped';
  const previousState = mark.state;

  // 1. Check the rule again: a mark that no longer holds is withdrawn, not mailed.
  const today = localDate(ctx.clock(), ctx.timeZone);
  const outcome = decideMark(ruleInputFor(ctx.db, booking.id, today));
  if (outcome.decision !== 'mark') {
    const nowIso = ctx.clock().toISOString();
    ctx.db.transaction(() => {
      applyOutcome(ctx.db, booking.id, outcome, nowIso);
      // "atmosfair disabled" leaves marks alone on save; at send time it withdraws them too.
      if (outcome.decision === 'ignore') {
        ctx.db
          .prepare(
            `UPDATE marks SET state = 'withdrawn', withdrawn_reason = ?, updated_at = ?
             WHERE id = ? AND state IN ('marked', 'retry')`,
          )
          .run(outcome.reason, nowIso, mark.id);
      }
    })();
    log.info({ booking: booking.number, reason: outcome.reason }, 'Vormerkung zurückgezogen');
    return 'withdrawn';
  }

  // 2. Compose exactly what goes out and claim the mark with it: only one run can win.
  const services = listServices(ctx.db, booking.id);
  let mail;
  try {
    mail = await composeAtmosfairMail({
      settings: readSettings(ctx.db),
      bookingNumber: booking.number,
      markId: mark.id,
      customer: booking.customer,
      services,
      date: ctx.clock(),
    });
  } catch (error) {
    if (error instanceof MailConfigurationError) throw new ConfigurationStop(error.message);
    throw error;
  }
  const claimed = claimMark(
    ctx.db,
    mark.id,
    {
      messageId: mail.messageId,
      recipient: mail.to,
      subject: mail.subject,
      serviceIds: services.map((s) => s.id),
      raw: mail.raw,
    },
    ctx.clock().toISOString(),
  );
  if (!claimed) {
    log.info({ booking: booking.number }, 'Vormerkung wird bereits bearbeitet, übersprungen');
    return 'skipped';
  }

  // 3. Hand it over and record the outcome.
  try {
    const receipt = await delivery.deliver(mail, `${booking.number}-${mark.id}.eml`);
    const nowIso = ctx.clock().toISOString();
    if (delivery.testMode) {
      // Test mode: nothing counts as sent until it really went out, so the mark stays.
      unclaimMark(ctx.db, mark.id, previousState, nowIso);
      log.info({ booking: booking.number }, 'Testmodus: Mail als .eml geschrieben');
      return 'written';
    }
    ctx.db.transaction(() => {
      recordSent(ctx.db, mark.id, nowIso);
      // A service added (or an address changed) while this mail was on its way is not covered
      // by it: the rule, applied to the booking as it is now, marks it again.
      const after = decideMark(
        ruleInputFor(ctx.db, booking.id, localDate(ctx.clock(), ctx.timeZone)),
      );
      if (after.decision === 'mark') applyOutcome(ctx.db, booking.id, after, nowIso);
    })();
    log.info(
      { booking: booking.number, to: maskEmail(mail.to), reply: receipt.response },
      'Mail gesendet',
    );
    return 'sent';
  } catch (error) {
    return recordFailure(
      ctx,
      mark.id,
      mark.attempts + 1,
      previousState,
      booking.number,
      error,
      log,
    );
  }
}

function recordFailure(
  ctx: NightRunContext,
  markId: number,
  attempts: number,
  previousState: 'marked' | 'retry',
  bookingNumber: string,
  error: unknown,
  log: Logger,
): MarkResult {
  const nowIso = ctx.clock().toISOString();
  const failure =
    error instanceof DeliveryError
      ? error
      : new DeliveryError('temporary', `Unerwarteter Fehler: ${(error as Error).message}`);
  const replyCode = failure.responseCode ?? null;
  const entry = { booking: bookingNumber, kind: failure.kind, code: replyCode, attempts };

  switch (failure.kind) {
    case 'configuration':
      unclaimMark(ctx.db, markId, previousState, nowIso);
      log.error({ ...entry, reply: failure.serverReply }, failure.message);
      throw new ConfigurationStop(failure.message);
    case 'permanent':
      failMark(ctx.db, markId, { error: failure.message, replyCode }, nowIso);
      log.warn(entry, failure.message);
      return 'failed';
    case 'uncertain':
      markUncertain(ctx.db, markId, failure.message, nowIso);
      log.warn(entry, failure.message);
      return 'uncertain';
    case 'temporary': {
      if (attempts >= MAX_ATTEMPTS) {
        const message = `${failure.message} (nach ${attempts} Versuchen aufgegeben)`;
        failMark(ctx.db, markId, { error: message, replyCode }, nowIso);
        log.warn(entry, message);
        return 'failed';
      }
      const delay = Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_CAP_MS);
      const nextAttemptAt = new Date(ctx.clock().getTime() + delay).toISOString();
      scheduleRetry(ctx.db, markId, { error: failure.message, replyCode, nextAttemptAt }, nowIso);
      log.warn({ ...entry, nextAttemptAt }, failure.message);
      return 'retry';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
        retrying: number;
        uncertain: number;
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
    retrying: row.retrying,
    uncertain: row.uncertain,
    error: row.error,
  };
}
