// The night run: sends the atmosfair mail for every due mark, at most once per mark. Before
// each mail it applies the marking rule again and withdraws a mark that no longer holds; every
// mark it touches ends in one known state (sent, retry, failed, uncertain or withdrawn).
import { randomUUID } from 'node:crypto';
import type { NightRunSummary } from '../../../shared/contract';
import { decideMark, type RuleInput } from '../../../shared/marking-rule';
import { applyOutcome, ruleInputFor } from '../bookings/bookings-service';
import { localDate, type Clock } from '../clock';
import { maskEmail, type Logger } from '../logger';
import { composeAtmosfairMail, MailConfigurationError, type ComposedMail } from '../mail/compose';
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
  withdrawMark,
} from '../store/marks-store';
import { closeInterruptedRuns, finishRun, insertRun } from '../store/night-runs-store';
import { acquireRunLock, heartbeatRunLock, releaseRunLock } from '../store/run-lock';
import { readSettings, settingsRevision } from '../store/settings-store';

export type NightRunTrigger = NightRunSummary['trigger'];

/** Waits before the second and third try within one run (capped exponential). */
export const IN_RUN_RETRY_DELAYS_MS = [5_000, 20_000] as const;
const TRIES_PER_RUN = IN_RUN_RETRY_DELAYS_MS.length + 1;
/** Runs in which a temporarily failing mark is tried before it counts as failed. */
export const MAX_RUNS_PER_MARK = 3;
/** How often one mark is tried in all, over all runs, before it counts as failed. */
export const MAX_ATTEMPTS = TRIES_PER_RUN * MAX_RUNS_PER_MARK;
/** Across runs: 1 hour after the first run's tries, doubling, at most 24 hours. */
const RETRY_BASE_MS = 60 * 60_000;
const RETRY_CAP_MS = 24 * 60 * 60_000;
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
  if (acquireRunLock(ctx.db, owner)) throw new RunInProgressError();

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
  let lastBeat = Date.now();
  const beat = (force = false) => {
    if (!force && Date.now() - lastBeat < HEARTBEAT_EVERY_MS) return;
    heartbeatRunLock(ctx.db, owner);
    lastBeat = Date.now();
  };
  let abortMessage: string | null = null;

  try {
    // 1. Claims left behind by a run that died are uncertain: never resent automatically.
    // They count as this run's uncertain mails: the summary and the exit code must show them.
    summary.uncertain += recoverInterrupted(ctx.db, startedAt, log);

    runId = insertRun(ctx.db, { trigger, startedAt, testMode });
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
    if (runId > 0) finishRun(ctx.db, runId, summary, abortMessage);
    releaseRunLock(ctx.db, owner);
    log.info({ runId, ...summary, error: abortMessage }, 'Nachtlauf beendet');
  }

  if (abortMessage !== null) throw new NightRunAbortedError(abortMessage, summary);
  return summary;
}

/**
 * Claims left in "sending" by a run that crashed or was killed become uncertain, and that
 * run's record says it was interrupted. Call only while holding the run lock.
 */
export function recoverInterrupted(db: Db, nowIso: string, log: Logger): number {
  closeInterruptedRuns(db);
  const recovered = recoverInterruptedClaims(db, nowIso);
  if (recovered > 0) log.warn({ recovered }, 'Unterbrochene Sendungen als unklar markiert');
  return recovered;
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

/** A mark whose mail is composed and ready to be claimed and handed over. */
interface ReadyMail {
  markId: number;
  attempts: number;
  previousState: 'marked' | 'retry';
  bookingId: number;
  bookingNumber: string;
  mail: ComposedMail;
  serviceIds: number[];
  /** Everything the rule and the mail were made from; compared again at claim time. */
  fingerprint: string;
}

type Prepared =
  | { kind: 'ready'; ready: ReadyMail }
  | { kind: 'done'; result: MarkResult }
  | { kind: 'stop'; message: string };
type Handover = { ok: true; response: string } | { ok: false; error: unknown };
type Settled = { result: MarkResult } | { stop: string };

/** How often a mark whose booking changed while it was being composed is composed again. */
const MAX_RECOMPOSE = 3;

/**
 * One pass over the queue, as a pipeline: while mail k is on the wire, mail k+1 is checked and
 * composed; when k's reply is in, its outcome and the claim of k+1 are written in one durable
 * transaction, and the claim checks that k+1's booking, the customer's objection and the
 * settings are still exactly what the mail was made from. Returns the message of a stop, or
 * null.
 */
async function runPass(
  ctx: NightRunContext,
  delivery: Delivery,
  queue: readonly number[],
  log: Logger,
  onResult: (markId: number, result: MarkResult) => void,
): Promise<string | null> {
  let inFlight: { ready: ReadyMail; handover: Promise<Handover> } | null = null;
  let stop: string | null = null;
  let recomposed = 0;
  let i = 0;
  let preparing: Promise<Prepared> | null =
    queue.length > 0 ? prepareMark(ctx, queue[0]!, log) : null;

  while (preparing !== null) {
    const markId = queue[i]!;
    const prepared = await preparing;
    const previous = inFlight ? { ready: inFlight.ready, handover: await inFlight.handover } : null;
    inFlight = null;

    // One durable write: the outcome of the mail just answered, and the claim of the next.
    const nowIso = ctx.clock().toISOString();
    const step = ctx.db
      .transaction(() => {
        const settled = previous
          ? settle(ctx, delivery, previous.ready, previous.handover, nowIso, log)
          : null;
        if (settled && 'stop' in settled) return { settled, claim: null };
        if (prepared.kind !== 'ready') return { settled, claim: null };
        return { settled, claim: claim(ctx, prepared.ready, nowIso, log) };
      })
      .immediate();

    if (previous && step.settled) {
      if ('stop' in step.settled) stop = step.settled.stop;
      else onResult(previous.ready.markId, step.settled.result);
    }
    if (stop === null && prepared.kind === 'stop') stop = prepared.message;
    if (stop !== null) break;

    if (prepared.kind === 'done') onResult(markId, prepared.result);
    else if (step.claim === 'stale' && recomposed < MAX_RECOMPOSE) {
      // The booking changed while its mail was being composed: compose it again.
      recomposed += 1;
      preparing = prepareMark(ctx, markId, log);
      continue;
    } else if (step.claim === 'claimed' && prepared.kind === 'ready') {
      const current = prepared.ready;
      inFlight = {
        ready: current,
        handover: delivery
          .deliver(current.mail, `${current.bookingNumber}-${current.markId}.eml`)
          .then(
            (receipt): Handover => ({ ok: true, response: receipt.response }),
            (error: unknown): Handover => ({ ok: false, error }),
          ),
      };
    } else {
      onResult(markId, step.claim === 'withdrawn' ? 'withdrawn' : 'skipped');
    }

    recomposed = 0;
    i += 1;
    preparing = i < queue.length ? prepareMark(ctx, queue[i]!, log) : null;
  }

  // The last mail of the pass (or the one in flight when the run had to stop).
  if (inFlight) {
    const { ready } = inFlight;
    const handover = await inFlight.handover;
    const nowIso = ctx.clock().toISOString();
    const settled = ctx.db
      .transaction(() => settle(ctx, delivery, ready, handover, nowIso, log))
      .immediate();
    if ('stop' in settled) stop ??= settled.stop;
    else onResult(ready.markId, settled.result);
  }
  return stop;
}

/**
 * The rule's input for a booking as it is now, and everything its mail is made from as one
 * comparable string.
 */
function snapshot(
  ctx: NightRunContext,
  bookingId: number,
  today: string,
): { input: RuleInput; print: string } {
  const input = ruleInputFor(ctx.db, bookingId, today);
  const print = JSON.stringify([
    input,
    findBooking(ctx.db, bookingId)?.customer,
    listServices(ctx.db, bookingId),
    settingsRevision(ctx.db),
  ]);
  return { input, print };
}

/** Checks the rule again and composes the mail; withdraws a mark that no longer holds. */
async function prepareMark(ctx: NightRunContext, markId: number, log: Logger): Promise<Prepared> {
  const mark = findMark(ctx.db, markId);
  if (!mark || (mark.state !== 'marked' && mark.state !== 'retry')) {
    return { kind: 'done', result: 'skipped' };
  }
  const booking = findBooking(ctx.db, mark.bookingId);
  if (!booking) return { kind: 'done', result: 'skipped' };

  // 1. Check the rule again: a mark that no longer holds is withdrawn, not mailed.
  const today = localDate(ctx.clock(), ctx.timeZone);
  const now = snapshot(ctx, booking.id, today);
  const outcome = decideMark(now.input);
  if (outcome.decision !== 'mark') {
    ctx.db.transaction(() => withdrawForRule(ctx, mark.id, booking.id, outcome, log)).immediate();
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
        fingerprint: now.print,
      },
    };
  } catch (error) {
    if (error instanceof MailConfigurationError) return { kind: 'stop', message: error.message };
    throw error;
  }
}

function withdrawForRule(
  ctx: NightRunContext,
  markId: number,
  bookingId: number,
  outcome: ReturnType<typeof decideMark>,
  log: Logger,
): void {
  const nowIso = ctx.clock().toISOString();
  applyOutcome(ctx.db, bookingId, outcome, nowIso);
  // "atmosfair disabled" leaves marks alone on save; at send time it withdraws them too.
  if (outcome.decision === 'ignore') withdrawMark(ctx.db, bookingId, outcome.reason, nowIso);
  log.info({ markId, reason: outcome.reason }, 'Vormerkung zurückgezogen');
}

/**
 * Claims the mark together with the exact message about to go out: only one run can win, and
 * only while the booking is still what the message was made from. Runs inside a transaction.
 */
function claim(
  ctx: NightRunContext,
  ready: ReadyMail,
  nowIso: string,
  log: Logger,
): 'claimed' | 'stale' | 'withdrawn' | 'lost' {
  const today = localDate(ctx.clock(), ctx.timeZone);
  const now = snapshot(ctx, ready.bookingId, today);
  const outcome = decideMark(now.input);
  if (outcome.decision !== 'mark') {
    const mark = findMark(ctx.db, ready.markId);
    if (!mark || (mark.state !== 'marked' && mark.state !== 'retry')) return 'lost';
    withdrawForRule(ctx, ready.markId, ready.bookingId, outcome, log);
    return 'withdrawn';
  }
  if (now.print !== ready.fingerprint) return 'stale';
  const won = claimMark(
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
  return won ? 'claimed' : 'lost';
}

/** Records what became of a handed-over mail. Runs inside the caller's transaction. */
function settle(
  ctx: NightRunContext,
  delivery: Delivery,
  ready: ReadyMail,
  handover: Handover,
  nowIso: string,
  log: Logger,
): Settled {
  if (!handover.ok) return recordFailure(ctx, ready, handover.error, nowIso, log);
  if (delivery.testMode) {
    // Test mode: nothing counts as sent until it really went out, so the mark stays.
    unclaimMark(ctx.db, ready.markId, ready.previousState, nowIso);
    log.info({ booking: ready.bookingNumber }, 'Testmodus: Mail als .eml geschrieben');
    return { result: 'written' };
  }
  if (!recordSent(ctx.db, ready.markId, nowIso)) {
    // Another run took this mark over (it thought this one dead): leave its record to it.
    log.warn({ booking: ready.bookingNumber }, 'Sendung von einem anderen Lauf übernommen');
    return { result: 'skipped' };
  }
  // The rule, applied to the booking as it is now: usually "up to date"; a service added (or an
  // address changed) while this mail was on its way is not covered by it and marks it again.
  const today = localDate(ctx.clock(), ctx.timeZone);
  const after = decideMark(ruleInputFor(ctx.db, ready.bookingId, today));
  applyOutcome(ctx.db, ready.bookingId, after, nowIso);
  log.info(
    { booking: ready.bookingNumber, to: maskEmail(ready.mail.to), reply: handover.response },
    'Mail gesendet',
  );
  return { result: 'sent' };
}

function recordFailure(
  ctx: NightRunContext,
  ready: ReadyMail,
  error: unknown,
  nowIso: string,
  log: Logger,
): Settled {
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
      // Not this booking's fault: the claim is given back as if it never happened.
      unclaimMark(ctx.db, markId, previousState, nowIso);
      log.error({ ...entry, reply: failure.serverReply }, failure.message);
      return { stop: failure.message };
    case 'permanent':
      failMark(ctx.db, markId, { error: failure.message, replyCode }, nowIso);
      log.warn(entry, failure.message);
      return { result: 'failed' };
    case 'uncertain':
      markUncertain(ctx.db, markId, failure.message, nowIso);
      log.warn(entry, failure.message);
      return { result: 'uncertain' };
    case 'temporary': {
      if (attempts >= MAX_ATTEMPTS) {
        const message = `${failure.message} (nach ${attempts} Versuchen aufgegeben)`;
        failMark(ctx.db, markId, { error: message, replyCode }, nowIso);
        log.warn(entry, message);
        return { result: 'failed' };
      }
      const nextAttemptAt = new Date(ctx.clock().getTime() + retryDelayMs(attempts)).toISOString();
      scheduleRetry(ctx.db, markId, { error: failure.message, replyCode, nextAttemptAt }, nowIso);
      log.warn({ ...entry, nextAttemptAt }, failure.message);
      return { result: 'retry' };
    }
  }
}

/**
 * When a mark that failed temporarily may be tried by a later run: 1 hour after the first run's
 * tries, 2 hours after the second's, … at most 24 hours. Within a run the tries come after
 * IN_RUN_RETRY_DELAYS_MS instead.
 */
export function retryDelayMs(attempts: number): number {
  const runs = Math.ceil(attempts / TRIES_PER_RUN);
  return Math.min(RETRY_BASE_MS * 2 ** (runs - 1), RETRY_CAP_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
