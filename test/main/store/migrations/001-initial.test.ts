// Migration 1: the initial schema, applied to an empty file.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/main/services/logger';
import { migrate, schemaVersion } from '../../../../src/main/services/store/database';
import { MIGRATIONS } from '../../../../src/main/services/store/migrations';
import { tempDir } from '../../../support/fixtures';

describe('migration 1: initial schema', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;

  beforeEach(() => {
    dir = tempDir();
    db = new Database(join(dir.path, 'db.sqlite'));
    db.pragma('foreign_keys = ON');
    migrate(
      db,
      silentLogger(),
      MIGRATIONS.filter((m) => m.version === 1),
    );
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('creates the tables of settings, bookings, services, marks, sent mails and night runs', () => {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    expect(tables).toEqual([
      'booking_numbers',
      'bookings',
      'marks',
      'night_runs',
      'sent_mails',
      'services',
      'settings',
    ]);
    expect(schemaVersion(db)).toBe(1);
  });

  it('allows only one open mark per booking', () => {
    db.prepare(
      `INSERT INTO bookings (id, number, status, salutation, first_name, last_name, email, language, objected, atmosfair_mail, created_at, updated_at)
       VALUES (1, '2026-00001', 'booked', 'ms', 'A', 'B', 'a@b.de', 'de', 0, 1, 'x', 'x')`,
    ).run();
    const mark = db.prepare(
      "INSERT INTO marks (booking_id, reason, state, created_at, updated_at) VALUES (1, 'first_mail', ?, 'x', 'x')",
    );
    mark.run('marked');
    expect(() => mark.run('marked')).toThrow(/UNIQUE/);
    expect(() => mark.run('sending')).toThrow(/UNIQUE/);
    mark.run('sent');
    mark.run('withdrawn');
  });

  it('refuses values outside the domain', () => {
    expect(() =>
      db
        .prepare(
          `INSERT INTO bookings (number, status, salutation, first_name, last_name, email, language, objected, atmosfair_mail, created_at, updated_at)
         VALUES ('2026-00002', 'lost', 'ms', 'A', 'B', '', 'de', 0, 1, 'x', 'x')`,
        )
        .run(),
    ).toThrow(/CHECK/);
  });

  it('removes the services of a deleted booking with it', () => {
    db.prepare(
      `INSERT INTO bookings (id, number, status, salutation, first_name, last_name, email, language, objected, atmosfair_mail, created_at, updated_at)
       VALUES (5, '2026-00005', 'booked', 'ms', 'A', 'B', '', 'de', 0, 1, 'x', 'x')`,
    ).run();
    db.prepare(
      "INSERT INTO services (booking_id, position, type, description, start_date, travellers) VALUES (5, 0, 'hotel', 'H', '2027-01-01', 1)",
    ).run();
    db.prepare('DELETE FROM bookings WHERE id = 5').run();
    expect(db.prepare('SELECT COUNT(*) AS n FROM services').get()).toEqual({ n: 0 });
  });
});
