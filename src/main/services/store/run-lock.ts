// One night run at a time per data folder, across the app's own triggers, a second app
// instance and the headless command. The lock is a row; a holder that died (killed, crashed,
// PC switched off) is recognised and replaced.
import { hostname, uptime } from 'node:os';
import { prepared, type Db } from './database';

export interface LockHolder {
  owner: string;
  host: string;
  pid: number;
  acquiredAt: string;
  heartbeatAt: string;
}

/**
 * A holder on another host (a data folder on a network share) that has not been heard of for
 * this long is taken as dead. On this host a holder is alive while its process exists and it
 * was started since the last boot (a PID may be reused after a reboot); a sleeping PC does not
 * lose a live run's lock.
 *
 * The lock lives in real time, not in the app's injected clock: it is about processes.
 */
const STALE_AFTER_MS = 10 * 60_000;

export function acquireRunLock(db: Db, owner: string, now = new Date()): LockHolder | null {
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

export function heartbeatRunLock(db: Db, owner: string, now = new Date()): void {
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
    'SELECT owner, host, pid, acquired_at, heartbeat_at FROM run_lock WHERE id = 1',
  ).get() as
    | { owner: string; host: string; pid: number; acquired_at: string; heartbeat_at: string }
    | undefined;
  if (!row) return null;
  return {
    owner: row.owner,
    host: row.host,
    pid: row.pid,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
  };
}

function isAlive(holder: LockHolder, now: Date): boolean {
  if (holder.host === hostname()) {
    const bootedAt = Date.now() - uptime() * 1000;
    // A minute of slack: uptime and the wall clock are read at slightly different moments.
    return new Date(holder.acquiredAt).getTime() > bootedAt - 60_000 && processExists(holder.pid);
  }
  return now.getTime() - new Date(holder.heartbeatAt).getTime() < STALE_AFTER_MS;
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
