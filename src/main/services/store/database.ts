// Opens the agency's SQLite file: pragmas, then the migrations, all or nothing.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../logger';
import { normaliseEmail } from '../../../shared/marking-rule';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export const DATABASE_FILE = 'traveldesk.sqlite';

/** Raised when the file was written by a newer TravelDesk; the file is left untouched. */
export class NewerDatabaseError extends Error {
  readonly code = 'newer_database';
  constructor(
    readonly fileVersion: number,
    readonly appVersion: number,
  ) {
    super(
      `Die Datenbank wurde von einer neueren TravelDesk-Version angelegt (Schema ${fileVersion}, ` +
        `diese Version kennt ${appVersion}). Bitte installieren Sie die aktuelle Version.`,
    );
  }
}

export function openDatabase(file: string, log: Logger, migrations = MIGRATIONS): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // Refuse a newer file before anything, even a pragma, writes to it.
    const latest = latestVersion(migrations);
    const current = schemaVersion(db);
    if (current > latest) throw new NewerDatabaseError(current, latest);

    db.pragma('journal_mode = WAL');
    // FULL: a mail recorded as sent stays recorded after a power cut.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, log, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection and reused: the night run is a hot loop. */
export function prepared(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** SQL functions the queries and migrations use, defined in JavaScript. */
export function registerFunctions(db: Db): void {
  // Case-insensitive search beyond ASCII: "MÜLLER" finds "Müller".
  db.function('td_fold', { deterministic: true }, (text: unknown) =>
    String(text ?? '').toLocaleLowerCase('de-DE'),
  );
  // An address as the marking rule compares it.
  db.function('td_email', { deterministic: true }, (text: unknown) =>
    normaliseEmail(String(text ?? '')),
  );
}

export function migrate(db: Db, log: Logger, migrations: readonly Migration[] = MIGRATIONS): void {
  registerFunctions(db);
  const latest = latestVersion(migrations);
  const current = schemaVersion(db);
  if (current > latest) throw new NewerDatabaseError(current, latest);

  const pending = migrations
    .filter((m) => m.version > current)
    .sort((a, b) => a.version - b.version);
  if (pending.length === 0) return;

  // One transaction for all pending steps: a failing step leaves the file as it was.
  // Foreign keys are off while tables are rebuilt (SQLite's documented procedure) and checked
  // before the commit instead.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    const run = db.transaction(() => {
      for (const migration of pending) {
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      }
      const violations = db.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        const count = violations.length;
        throw new Error(`Migration verletzt ${count} Fremdschlüssel; nichts geändert.`);
      }
    });
    run.immediate();
  } finally {
    if (foreignKeys) db.pragma('foreign_keys = ON');
  }
  log.info({ from: current, to: latest }, 'Datenbank migriert');
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations === MIGRATIONS
    ? LATEST_VERSION
    : Math.max(0, ...migrations.map((m) => m.version));
}

export function closeDatabase(db: Db): void {
  if (!db.open) return;
  db.pragma('optimize');
  db.close();
}
