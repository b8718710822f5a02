// Migration 2: delivery states (retry, uncertain), the composed message on its mark, the run
// lock. Applied to a version-1 file that already holds a sent mail and a waiting mark.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../src/main/services/logger';
import { migrate, schemaVersion } from '../../../../src/main/services/store/database';
import { MIGRATIONS } from '../../../../src/main/services/store/migrations';
import { tempDir } from '../../../support/fixtures';

describe('migration 2: delivery states', () => {
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
    db.exec(`
      INSERT INTO bookings (id, number, status, salutation, first_name, last_name, email, language,
        objected, atmosfair_mail, created_at, updated_at)
      VALUES (1, '2026-00001', 'booked', 'ms', 'A', 'B', 'a@b.de', 'de', 0, 1, 't', 't');
      INSERT INTO marks (id, booking_id, reason, state, attempts, created_at, updated_at)
      VALUES (1, 1, 'first_mail', 'sent', 1, 't', 't'), (2, 1, 'service_added', 'marked', 0, 't', 't');
      INSERT INTO sent_mails (booking_id, mark_id, sent_at, recipient, subject, message_id, service_ids, raw)
      VALUES (1, 1, 't', 'a@b.de', 'S', '<m@x>', '[1]', X'00');
    `);
    migrate(db, silentLogger(), MIGRATIONS);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('gives every booking the address key the marking rule compares', () => {
    expect(db.prepare('SELECT email, email_key FROM bookings').all()).toEqual([
      { email: 'a@b.de', email_key: 'a@b.de' },
    ]);
  });

  it('keeps every mark and sent mail, with foreign keys intact', () => {
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare('SELECT id, state, attempts FROM marks ORDER BY id').all()).toEqual([
      { id: 1, state: 'sent', attempts: 1 },
      { id: 2, state: 'marked', attempts: 0 },
    ]);
    expect(db.prepare('SELECT mark_id FROM sent_mails').all()).toEqual([{ mark_id: 1 }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('accepts the new states and counts retry and uncertain as open marks', () => {
    db.prepare("UPDATE marks SET state = 'uncertain' WHERE id = 2").run();
    const insert = db.prepare(
      "INSERT INTO marks (booking_id, reason, state, created_at, updated_at) VALUES (1, 'first_mail', ?, 't', 't')",
    );
    expect(() => insert.run('marked')).toThrow(/UNIQUE/);
    db.prepare("UPDATE marks SET state = 'failed' WHERE id = 2").run();
    insert.run('retry');
    expect(() => insert.run('marked')).toThrow(/UNIQUE/);
    expect(() => insert.run('lost')).toThrow(/CHECK/);
  });

  it('allows only one run lock', () => {
    const lock = db.prepare(
      "INSERT INTO run_lock (id, owner, host, pid, acquired_at, heartbeat_at) VALUES (?, 'o', 'h', 1, 't', 't')",
    );
    lock.run(1);
    expect(() => lock.run(1)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => lock.run(2)).toThrow(/CHECK/);
  });
});

describe('migration 2: ids are never reused', () => {
  it('a removed service id that a sent mail covered is never handed out again', () => {
    const dir = tempDir();
    const db = new Database(join(dir.path, 'db.sqlite'));
    try {
      migrate(
        db,
        silentLogger(),
        MIGRATIONS.filter((m) => m.version === 1),
      );
      db.exec(`
        INSERT INTO bookings (id, number, status, salutation, first_name, last_name, email, language,
          objected, atmosfair_mail, created_at, updated_at)
        VALUES (1, '2026-00001', 'booked', 'ms', 'A', 'B', 'a@b.de', 'de', 0, 1, 't', 't');
        INSERT INTO services (id, booking_id, position, type, description, start_date, travellers)
        VALUES (1, 1, 0, 'flight', 'F', '2027-01-01', 1);
        INSERT INTO marks (id, booking_id, reason, state, created_at, updated_at)
        VALUES (1, 1, 'first_mail', 'sent', 't', 't');
        INSERT INTO sent_mails (booking_id, mark_id, sent_at, recipient, subject, message_id, service_ids, raw)
        VALUES (1, 1, 't', 'a@b.de', 'S', '<m@x>', '[1, 2]', X'00');
      `);
      // Service 2 was covered by the mail and removed before the upgrade.
      migrate(db, silentLogger(), MIGRATIONS);
      const insert = db.prepare(
        "INSERT INTO services (booking_id, position, type, description, start_date, travellers) VALUES (1, 1, 'hotel', 'H', '2027-01-02', 1)",
      );
      expect(Number(insert.run().lastInsertRowid)).toBe(3);
      db.prepare('DELETE FROM services WHERE id = 3').run();
      expect(Number(insert.run().lastInsertRowid)).toBe(4);
    } finally {
      db.close();
      dir.remove();
    }
  });
});
