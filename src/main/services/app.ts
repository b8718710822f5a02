// Wires the services of the main process together for one data folder: store, secrets,
// handlers, night run and scheduler. Imports no Electron, so tests and the headless run use
// exactly what the app uses.
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type {
  NightRunStatus,
  NightRunSummary,
  OutboxItem,
  SettingsView,
} from '../../shared/contract';
import type { AgencySettings } from '../../shared/domain';
import { renderAtmosfairMail } from './mail/atmosfair-template';
import { bookingDraft, getBooking, listBookings, saveBooking } from './bookings/bookings-service';
import { systemClock, systemTimeZone, type Clock } from './clock';
import { createInvoke, UserError, type HandlerMap, type Invoke } from './ipc/handlers';
import { createLogger, type Logger } from './logger';
import { createDelivery, DeliveryError } from './mail/delivery';
import {
  NightRunAbortedError,
  recoverInterrupted,
  RunInProgressError,
  runNightRun,
  type NightRunContext,
  type NightRunTrigger,
} from './night-run/night-run';
import { nextSlot } from './night-run/schedule';
import { createScheduler, type Scheduler } from './night-run/scheduler';
import {
  encryptedSecretStore,
  environmentSecretStore,
  type Cipher,
  type SecretStore,
} from './secrets';
import { closeDatabase, DATABASE_FILE, openDatabase, type Db } from './store/database';
import {
  countDueMarks,
  listOutbox,
  listSentMails,
  recordSent,
  requeueMark,
  sentMailRaw,
} from './store/marks-store';
import { lastRun } from './store/night-runs-store';
import { acquireRunLock, releaseRunLock } from './store/run-lock';
import { readSettings, writeSettings } from './store/settings-store';

export interface AppOptions {
  dataDir: string;
  clock?: Clock;
  timeZone?: string;
  log?: Logger;
  /** Electron's safeStorage in the app; without one the password comes from the environment. */
  cipher?: Cipher | null;
  env?: NodeJS.ProcessEnv;
  smtpTimeouts?: NightRunContext['smtpTimeouts'];
  /** For tests: the wait between tries within a run. */
  sleep?: NightRunContext['sleep'];
  /** How often the scheduler looks at the clock; 30 seconds unless a test says otherwise. */
  schedulerTickMs?: number;
  /**
   * Turn claims left behind by a crashed run into uncertain marks right at opening (default).
   * The headless run leaves it to its night run, which then counts them in its summary.
   */
  recoverAtStart?: boolean;
}

export interface App {
  db: Db;
  dataDir: string;
  invoke: Invoke;
  scheduler: Scheduler;
  /** Runs the night run unless one is already running in this process. */
  runNightRun(trigger: NightRunTrigger): Promise<NightRunSummary>;
  close(): void;
}

export function openApp(options: AppOptions): App {
  const clock = options.clock ?? systemClock;
  const timeZone = options.timeZone ?? systemTimeZone();
  const log =
    options.log ?? createLogger({ file: join(options.dataDir, 'logs', 'traveldesk.log') });
  const db = openDatabase(join(options.dataDir, DATABASE_FILE), log.child({ scope: 'store' }));
  const secrets: SecretStore = options.cipher
    ? encryptedSecretStore(db, options.cipher)
    : environmentSecretStore(options.env);
  const defaultTestFolder = join(options.dataDir, 'testmails');
  if (options.recoverAtStart !== false) recoverAtStart(db, clock, log);
  const ctx = { db, clock, timeZone };
  const nightRunContext: NightRunContext = {
    db,
    clock,
    timeZone,
    log,
    smtpPassword: () => secrets.smtpPassword(),
    missingPasswordHint: secrets.missingPasswordHint,
    defaultTestFolder,
    smtpTimeouts: options.smtpTimeouts,
    sleep: options.sleep,
  };

  let running: Promise<NightRunSummary> | null = null;
  let progress = { done: 0, total: 0 };
  nightRunContext.onProgress = (p) => {
    progress = p;
  };
  function nightRun(trigger: NightRunTrigger) {
    // The run lock refuses a second run too; this keeps `running` (and the progress) its own.
    if (running) return Promise.reject(new RunInProgressError());
    running = runNightRun(nightRunContext, trigger).finally(() => {
      running = null;
    });
    return running;
  }

  const settingsView = (settings: AgencySettings = readSettings(db)): SettingsView => ({
    settings,
    smtpPasswordSet: secrets.hasSmtpPassword(),
    smtpPasswordReadable: secrets.isReadable(),
    passwordProtection: secrets.protection,
    defaultTestFolder,
  });

  const handlers: HandlerMap = {
    'settings.get': () => settingsView(),
    'settings.save': (settings) => {
      // "vorbelegen" is only available while atmosfair itself is on.
      const stored = {
        ...settings,
        atmosfair: {
          enabled: settings.atmosfair.enabled,
          preCheck: settings.atmosfair.enabled && settings.atmosfair.preCheck,
        },
      };
      // The password belongs to one server and one user: whoever changes where it would be
      // sent (or how safely) must enter it again, so it can never be redirected elsewhere.
      const before = readSettings(db).delivery.smtp;
      const after = stored.delivery.smtp;
      const moved =
        before.host !== after.host ||
        before.port !== after.port ||
        before.user !== after.user ||
        before.security !== after.security;
      db.transaction(() => {
        writeSettings(db, stored);
        if (moved && secrets.protection !== 'none' && secrets.hasSmtpPassword()) {
          secrets.setSmtpPassword('');
        }
      }).immediate();
      return settingsView(stored);
    },
    'settings.setSmtpPassword': ({ password, acceptWeakProtection }) => {
      if (password !== '' && secrets.protection === 'weak' && acceptWeakProtection !== true) {
        throw new UserError(
          'weak_protection',
          'Auf diesem PC gibt es keinen Schlüsselbund: Das Passwort würde nur verschleiert, ' +
            'nicht sicher verschlüsselt gespeichert. Wer Zugriff auf Ihr Benutzerkonto hat, ' +
            'könnte es ' +
            'auslesen. Möchten Sie es trotzdem speichern?',
        );
      }
      secrets.setSmtpPassword(password);
      return { smtpPasswordSet: secrets.hasSmtpPassword() };
    },
    'settings.testConnection': async () => {
      let delivery: ReturnType<typeof createDelivery> | null = null;
      try {
        delivery = createDelivery({
          settings: readSettings(db),
          smtpPassword: secrets.smtpPassword(),
          missingPasswordHint: secrets.missingPasswordHint,
          defaultTestFolder,
          timeouts: options.smtpTimeouts,
        });
        return { message: await delivery.verify() };
      } catch (error) {
        if (error instanceof DeliveryError) throw new UserError('smtp_failed', error.message);
        throw error;
      } finally {
        delivery?.close();
      }
    },
    'bookings.list': ({ query }) => listBookings(ctx, query),
    'bookings.get': ({ id }) => getBooking(ctx, id),
    'bookings.draft': () => bookingDraft(ctx),
    'bookings.save': (input) => saveBooking(ctx, input),
    'bookings.previewMail': ({ id }) => {
      const booking = getBooking(ctx, id);
      const rendered = renderAtmosfairMail({
        language: booking.customer.language,
        bookingNumber: booking.number,
        customer: booking.customer,
        services: booking.services,
        settings: readSettings(db),
      });
      return { to: booking.customer.email, ...rendered };
    },
    'bookings.sentMail': async ({ id }) => {
      const stored = sentMailRaw(db, id);
      const summary = stored ? listSentMails(db, stored.bookingId).find((m) => m.id === id) : null;
      if (!stored || !summary) throw new UserError('not_found', 'Diese Mail gibt es nicht (mehr).');
      const parsed = await simpleParser(stored.raw);
      return {
        ...summary,
        bookingId: stored.bookingId,
        text: parsed.text ?? '',
        html: typeof parsed.html === 'string' ? parsed.html : '',
      };
    },
    'outbox.list': () =>
      listOutbox(db).map((row) => ({
        markId: row.id,
        bookingId: row.bookingId,
        bookingNumber: row.bookingNumber,
        customerName: row.customerName,
        state: row.state as OutboxItem['state'],
        reason: row.reason,
        attempts: row.attempts,
        nextAttemptAt: row.nextAttemptAt,
        lastError: row.lastError,
        lastReplyCode: row.lastReplyCode,
        markedAt: row.createdAt,
      })),
    'outbox.retry': ({ markId }) => {
      if (!requeueMark(db, markId, clock().toISOString())) {
        throw new UserError(
          'not_found',
          'Diese Mail kann nicht erneut versucht werden: ' +
            'Sie ist nicht (mehr) fehlgeschlagen oder unklar.',
        );
      }
      return { requeued: true };
    },
    'outbox.markSent': ({ markId }) => {
      if (!recordSent(db, markId, clock().toISOString(), 'uncertain')) {
        throw new UserError(
          'not_found',
          'Nur eine Mail mit unklarem Ausgang kann als gesendet markiert werden.',
        );
      }
      return { confirmed: true };
    },
    'nightRun.status': (): NightRunStatus => {
      const settings = readSettings(db);
      return {
        nextRunAt: nextSlot(clock(), settings.nightRun.time, timeZone).toUTC().toISO() ?? '',
        lastRun: lastRun(db),
        pending: countDueMarks(db),
        running: running ? progress : null,
      };
    },
    'nightRun.runNow': async () => {
      try {
        return await nightRun('manual');
      } catch (error) {
        if (error instanceof NightRunAbortedError) {
          throw new UserError('not_configured', error.message);
        }
        throw error;
      }
    },
  };

  const scheduler = createScheduler({
    clock,
    timeZone,
    log,
    runTime: () => readSettings(db).nightRun.time,
    lastRunStartedAt: () => {
      const last = lastRun(db);
      return last ? new Date(last.startedAt) : null;
    },
    run: () => nightRun('schedule'),
    tickMs: options.schedulerTickMs,
  });

  return {
    db,
    dataDir: options.dataDir,
    invoke: createInvoke(handlers, log),
    scheduler,
    runNightRun: nightRun,
    close() {
      scheduler.stop();
      closeDatabase(db);
    },
  };
}

/**
 * At start-up, claims left in "sending" by a run that crashed or was killed become uncertain,
 * unless a run of another process is working right now.
 */
function recoverAtStart(db: Db, clock: Clock, log: Logger): void {
  const owner = randomUUID();
  if (acquireRunLock(db, owner)) return;
  try {
    recoverInterrupted(db, clock().toISOString(), log.child({ scope: 'night-run' }));
  } finally {
    releaseRunLock(db, owner);
  }
}
