// One night run at a time per data folder, across the app's own triggers, a second app
// instance and the headless command. The lock is a row; a holder that died (killed, crashed,
// PC switched off) is recognised and replaced.
import { hostname } from 'node:os';
import { prepared, type Db } from './database';

export interface LockHolder {
  owner: string;
  host: string;
  pid: number;
  heartbeatAt: string;
}

/**
 * A holder that has not been heard of for this long is taken as dead, wherever it runs (the
 * run beats at every mail and while it waits; a PID may be reused after a reboot).
 */
const STALE_AFTER_MS = 10 * 60_000;

export function acquireRunLock(db: Db, owner: string, now: Date): LockHolder | null {
  return db
    .transaction((): LockHolder | null => {
      const holder = currentHolder(db);
      if (holder && isAlive(holder, now)) return holder;
      prepared(
        db,
        `INSERT OR REPLACE INTO run_lock (id, owner, host, pid, acquired_at, heartbeat_at)
         VALUES (1, ?, ?, ?, ?, ?)`,
      ).run(owner, hostname(), process.pid, now.toISOString(), now.toISOString());
      return null;
    })
    .immediate();
}

export function heartbeatRunLock(db: Db, owner: string, now: Date): void {
  prepared(db, 'UPDATE run_lock SET heartbeat_at = ? WHERE id = 1 AND owner = ?').run(
    now.toISOString(),
    owner,
  );
}

export function releaseRunLock(db: Db, owner: string): void {
  prepared(db, 'DELETE FROM run_lock WHERE id = 1 AND owner = ?').run(owner);
}

function currentHolder(db: Db): LockHolder | null {
  const row = prepared(
    db,
    'SELECT owner, host, pid, heartbeat_at FROM run_lock WHERE id = 1',
  ).get() as { owner: string; host: string; pid: number; heartbeat_at: string } | undefined;
  return row
    ? { owner: row.owner, host: row.host, pid: row.pid, heartbeatAt: row.heartbeat_at }
    : null;
}

function isAlive(holder: LockHolder, now: Date): boolean {
  const fresh = now.getTime() - new Date(holder.heartbeatAt).getTime() < STALE_AFTER_MS;
  if (holder.host === hostname()) return fresh && processExists(holder.pid);
  return fresh;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
