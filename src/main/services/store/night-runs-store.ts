// The history of night runs: when each started and ended, what it did, and why it stopped.
// The latest start is what the scheduler compares with the night's slot.
import type { NightRunSummary } from '../../../shared/contract';
import { prepared, type Db } from './database';

export type LastRun = NightRunSummary & { error: string | null };

export function insertRun(
  db: Db,
  run: { trigger: NightRunSummary['trigger']; startedAt: string; testMode: boolean },
): number {
  const result = prepared(
    db,
    'INSERT INTO night_runs (trigger, started_at, test_mode) VALUES (?, ?, ?)',
  ).run(run.trigger, run.startedAt, run.testMode ? 1 : 0);
  return Number(result.lastInsertRowid);
}

export function finishRun(db: Db, runId: number, summary: NightRunSummary, error: string | null) {
  prepared(
    db,
    `UPDATE night_runs SET finished_at = ?, due = ?, sent = ?, written = ?, withdrawn = ?,
       failed = ?, retrying = ?, uncertain = ?, error = ? WHERE id = ?`,
  ).run(
    summary.finishedAt,
    summary.due,
    summary.sent,
    summary.written,
    summary.withdrawn,
    summary.failed,
    summary.retrying,
    summary.uncertain,
    error,
    runId,
  );
}

/** Runs that never finished (killed, crashed) get an end and say so; call holding the lock. */
export function closeInterruptedRuns(db: Db): void {
  prepared(
    db,
    `UPDATE night_runs SET finished_at = started_at,
       error = 'Der Lauf wurde unterbrochen (Programm beendet oder abgestürzt).'
     WHERE finished_at IS NULL`,
  ).run();
}

export function lastRun(db: Db): LastRun | null {
  const row = prepared(
    db,
    'SELECT * FROM night_runs ORDER BY started_at DESC, id DESC LIMIT 1',
  ).get() as
    | {
        trigger: NightRunSummary['trigger'];
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
