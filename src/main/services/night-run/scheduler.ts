// Keeps the night run on time while the app is open: a short tick compares "now" with the
// last run's start, instead of one long timer that a sleeping PC would silently lose.
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import { isRunDue } from './schedule';

export interface SchedulerOptions {
  clock: Clock;
  timeZone: string;
  runTime: () => string;
  lastRunStartedAt: () => Date | null;
  run: () => Promise<unknown>;
  log: Logger;
  tickMs?: number;
}

export interface Scheduler {
  /** Checks now (start-up catch-up, wake from sleep) and then on every tick. */
  start(): void;
  stop(): void;
  /** Runs the night run when it is due; resolves when that run (if any) is over. */
  check(): Promise<boolean>;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.log.child({ scope: 'scheduler' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  async function check(): Promise<boolean> {
    if (running) return false;
    const now = options.clock();
    if (!isRunDue(now, options.runTime(), options.timeZone, options.lastRunStartedAt())) {
      return false;
    }
    log.info({ at: now.toISOString() }, 'Nachtlauf fällig');
    running = options.run().catch((error: unknown) => {
      log.error({ err: error }, 'Nachtlauf fehlgeschlagen');
    });
    try {
      await running;
    } finally {
      running = null;
    }
    return true;
  }

  return {
    start() {
      if (timer) return;
      void check();
      timer = setInterval(() => void check(), options.tickMs ?? 30_000);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    check,
  };
}
