// The night run: sends the atmosfair mail for every due mark, at most once per mark. Before
// each mail it applies the marking rule again and withdraws a mark that no longer holds; every
// mark it touches ends in one known state (sent, retry, failed, uncertain or withdrawn).
import { randomUUID } from 'node:crypto';
import type { NightRunSummary } from '../../../shared/contract';
import { decideMark } from '../../../shared/marking-rule';
import { applyOutcome, ruleInputFor } from '../bookings/bookings-service';
import { localDate, type Clock } from '../clock';
import { maskEmail, type Logger } from '../logger';
import { composeAtmosfairMail, MailConfigurationError, type ComposedMail } from '../mail/compose';
import { createDelivery, DeliveryError, type Delivery } from '../mail/delivery';
import { prepared, type Db } from '../store/database';
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
const HEARTBEAT_EVERY_MS = 30_000;

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
  // The lock's heartbeat: often enough to tell a live run from a dead one, rarely enough to
  // cost nothing (each beat is a durable write).
  let lastBeat = ctx.clock().getTime();
  const beat = (force = false) => {
    const now = ctx.clock();
    if (!force && now.getTime() - lastBeat < HEARTBEAT_EVERY_MS) return;
    heartbeatRunLock(ctx.db, owner, now);
    lastBeat = now.getTime();
  };
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
      const stop = await runPass(ctx, delivery, queue, log, (markId, result) => {
        beat();
        if (result === 'retry' && pass < IN_RUN_RETRY_DELAYS_MS.length) {
          again.push(markId);
        } else {
          count(summary, result);
          done += 1;
          ctx.onProgress?.({ done, total: summary.due });
        }
      });
      if (stop !== null) abortMessage = stop;
      if (abortMessage !== null || again.length === 0) {
        // A run stopped by a configuration error leaves the queued retries for a later run.
        summary.retrying += abortMessage !== null ? again.length : 0;
        break;
      }
      await (ctx.sleep ?? sleep)(IN_RUN_RETRY_DELAYS_MS[pass]!);
      beat(true);
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

/** A mark whose mail is composed and ready to be claimed and handed over. */
interface ReadyMail {
  markId: number;
  attempts: number;
  previousState: 'marked' | 'retry';
  bookingId: number;
  bookingNumber: string;
  mail: ComposedMail;
  serviceIds: number[];
}

type Prepared = { kind: 'ready'; ready: ReadyMail } | { kind: 'done'; result: MarkResult };
type Handover = { ok: true; response: string } | { ok: false; error: unknown };

/**
 * One pass over the queue, as a pipeline: while mail k is on the wire, mail k+1 is checked and
 * composed; when k's reply is in, its outcome and the claim of k+1 are written in one durable
 * transaction. Returns the message of a configuration stop, or null.
 */
async function runPass(
  ctx: NightRunContext,
  delivery: Delivery,
  queue: readonly number[],
  log: Logger,
  onResult: (markId: number, result: MarkResult) => void,
): Promise<string | null> {
  let inFlight: { ready: ReadyMail; handover: Promise<Handover> } | null = null;
  let preparing: Promise<Prepared> | null =
    queue.length > 0 ? prepareMark(ctx, queue[0]!, log) : null;
  let stop: string | null = null;

  for (let i = 0; preparing !== null; i += 1) {
    let prepared: Prepared | null;
    try {
      prepared = await preparing;
    } catch (error) {
      if (!(error instanceof ConfigurationStop)) throw error;
      stop = error.message;
      prepared = null;
    }
    const previous = inFlight ? { ready: inFlight.ready, handover: await inFlight.handover } : null;
    inFlight = null;

    // One durable write: the outcome of the mail just answered, and the claim of the next.
    const nowIso = ctx.clock().toISOString();
    // Written inside the transaction's callback, read after it.
    const written: { claimed: ReadyMail | null; previousResult: MarkResult | null } = {
      claimed: null,
      previousResult: null,
    };
    ctx.db.transaction(() => {
      if (previous) {
        try {
          written.previousResult = settle(
            ctx,
            delivery,
            previous.ready,
            previous.handover,
            nowIso,
            log,
          );
        } catch (error) {
          if (!(error instanceof ConfigurationStop)) throw error;
          stop = error.message;
        }
      }
      if (stop === null && prepared?.kind === 'ready' && claim(ctx, prepared.ready, nowIso)) {
        written.claimed = prepared.ready;
      }
    })();
    const current = written.claimed;
    if (previous && written.previousResult) onResult(previous.ready.markId, written.previousResult);
    if (prepared?.kind === 'done') onResult(queue[i]!, prepared.result);
    else if (prepared?.kind === 'ready' && !current && stop === null)
      onResult(queue[i]!, 'skipped');
    if (stop !== null) break;

    if (current) {
      inFlight = {
        ready: current,
        handover: delivery
          .deliver(current.mail, `${current.bookingNumber}-${current.markId}.eml`)
          .then(
            (receipt): Handover => ({ ok: true, response: receipt.response }),
            (error: unknown): Handover => ({ ok: false, error }),
          ),
      };
    }
    preparing = i + 1 < queue.length ? prepareMark(ctx, queue[i + 1]!, log) : null;
  }

  // The last mail of the pass (or the one in flight when the run had to stop).
  if (inFlight) {
    const handover = await inFlight.handover;
    const nowIso = ctx.clock().toISOString();
    try {
      const result = ctx.db.transaction(() =>
        settle(ctx, delivery, inFlight!.ready, handover, nowIso, log),
      )();
      onResult(inFlight.ready.markId, result);
    } catch (error) {
      if (!(error instanceof ConfigurationStop)) throw error;
      stop ??= error.message;
    }
  }
  return stop;
}

/** Checks the rule again and composes the mail; withdraws a mark that no longer holds. */
async function prepareMark(ctx: NightRunContext, markId: number, log: Logger): Promise<Prepared> {
  const mark = findMark(ctx.db, markId);
  if (!mark || (mark.state !== 'marked' && mark.state !== 'retry'))
    return { kind: 'done', result: 'skipped' };
  const booking = findBooking(ctx.db, mark.bookingId);
  if (!booking) return { kind: 'done', result: 'skipped' };

  // 1. Check the rule again: a mark that no longer holds is withdrawn, not mailed.
  const today = localDate(ctx.clock(), ctx.timeZone);
  const outcome = decideMark(ruleInputFor(ctx.db, booking.id, today));
  if (outcome.decision !== 'mark') {
    const nowIso = ctx.clock().toISOString();
    ctx.db.transaction(() => {
      applyOutcome(ctx.db, booking.id, outcome, nowIso);
      // "atmosfair disabled" leaves marks alone on save; at send time it withdraws them too.
      if (outcome.decision === 'ignore') {
        prepared(
          ctx.db,
          `UPDATE marks SET state = 'withdrawn', withdrawn_reason = ?, updated_at = ?
           WHERE id = ? AND state IN ('marked', 'retry')`,
        ).run(outcome.reason, nowIso, mark.id);
      }
    })();
    log.info({ booking: booking.number, reason: outcome.reason }, 'Vormerkung zurückgezogen');
    return { kind: 'done', result: 'withdrawn' };
  }

  // 2. Compose exactly what goes out.
  const services = listServices(ctx.db, booking.id);
  try {
    const mail = await composeAtmosfairMail({
      settings: readSettings(ctx.db),
      bookingNumber: booking.number,
      markId: mark.id,
      customer: booking.customer,
      services,
      date: ctx.clock(),
    });
    return {
      kind: 'ready',
      ready: {
        markId: mark.id,
        attempts: mark.attempts,
        previousState: mark.state,
        bookingId: booking.id,
        bookingNumber: booking.number,
        mail,
        serviceIds: services.map((s) => s.id),
      },
    };
  } catch (error) {
    if (error instanceof MailConfigurationError) throw new ConfigurationStop(error.message);
    throw error;
  }
}

/** Claims the mark together with the exact message about to go out: only one run can win. */
function claim(ctx: NightRunContext, ready: ReadyMail, nowIso: string): boolean {
  return claimMark(
    ctx.db,
    ready.markId,
    {
      messageId: ready.mail.messageId,
      recipient: ready.mail.to,
      subject: ready.mail.subject,
      serviceIds: ready.serviceIds,
      raw: ready.mail.raw,
    },
    nowIso,
  );
}

/** Records what became of a handed-over mail. Runs inside the caller's transaction. */
function settle(
  ctx: NightRunContext,
  delivery: Delivery,
  ready: ReadyMail,
  handover: Handover,
  nowIso: string,
  log: Logger,
): MarkResult {
  if (!handover.ok) {
    return recordFailure(ctx, ready, handover.error, nowIso, log);
  }
  if (delivery.testMode) {
    // Test mode: nothing counts as sent until it really went out, so the mark stays.
    unclaimMark(ctx.db, ready.markId, ready.previousState, nowIso);
    log.info({ booking: ready.bookingNumber }, 'Testmodus: Mail als .eml geschrieben');
    return 'written';
  }
  recordSent(ctx.db, ready.markId, nowIso);
  // The rule, applied to the booking as it is now: usually "up to date"; a service added (or an
  // address changed) while this mail was on its way is not covered by it and marks it again.
  const today = localDate(ctx.clock(), ctx.timeZone);
  const after = decideMark(ruleInputFor(ctx.db, ready.bookingId, today));
  applyOutcome(ctx.db, ready.bookingId, after, nowIso);
  log.info(
    { booking: ready.bookingNumber, to: maskEmail(ready.mail.to), reply: handover.response },
    'Mail gesendet',
  );
  return 'sent';
}

function recordFailure(
  ctx: NightRunContext,
  ready: ReadyMail,
  error: unknown,
  nowIso: string,
  log: Logger,
): MarkResult {
  const { markId, bookingNumber, previousState } = ready;
  const attempts = ready.attempts + 1;
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
