// Opening the agency's database file: pragmas, all-or-nothing migrations, newer files refused.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/main/services/logger';
import {
  closeDatabase,
  NewerDatabaseError,
  openDatabase,
  schemaVersion,
} from '../../../src/main/services/store/database';
import { LATEST_VERSION, MIGRATIONS } from '../../../src/main/services/store/migrations';
import { tempDir } from '../../support/fixtures';

describe('the database file', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('is opened in WAL mode with foreign keys on and synchronous FULL, at the latest schema', () => {
    const db = openDatabase(join(dir.path, 'nested', 'td.sqlite'), silentLogger());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    closeDatabase(db);
  });

  it('opens again without migrating twice', () => {
    const file = join(dir.path, 'td.sqlite');
    closeDatabase(openDatabase(file, silentLogger()));
    const db = openDatabase(file, silentLogger());
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    closeDatabase(db);
  });

  it('refuses a database written by a newer version, with a clear message, and leaves it untouched', () => {
    const file = join(dir.path, 'td.sqlite');
    const newer = new Database(file);
    newer.exec('CREATE TABLE future_things (id INTEGER PRIMARY KEY)');
    newer.pragma(`user_version = ${LATEST_VERSION + 1}`);
    newer.close();
    const before = readFileSync(file);

    expect(() => openDatabase(file, silentLogger())).toThrow(NewerDatabaseError);
    expect(() => openDatabase(file, silentLogger())).toThrow(/neueren TravelDesk-Version/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('rolls back every step when one migration fails: never half-migrated', () => {
    const file = join(dir.path, 'td.sqlite');
    const broken = [
      ...MIGRATIONS,
      {
        version: LATEST_VERSION + 1,
        name: 'broken',
        sql: 'CREATE TABLE ok_one (id INTEGER); THIS IS NOT SQL;',
      },
    ];
    expect(() => openDatabase(file, silentLogger(), broken)).toThrow();
    const db = new Database(file);
    expect(schemaVersion(db)).toBe(0);
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get(),
    ).toEqual({ n: 0 });
    db.close();
  });
});
