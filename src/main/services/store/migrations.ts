// The schema's history. Each migration runs once, in order, inside one transaction together
// with the `user_version` bump; a new migration is appended, never edited after release.

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: settings, bookings, services, marks, sent mails, night runs',
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      CREATE TABLE booking_numbers (
        year INTEGER PRIMARY KEY,
        last INTEGER NOT NULL
      );

      CREATE TABLE bookings (
        id                  INTEGER PRIMARY KEY,
        number              TEXT NOT NULL UNIQUE,
        status              TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
        salutation          TEXT NOT NULL,
        first_name          TEXT NOT NULL,
        last_name           TEXT NOT NULL,
        email               TEXT NOT NULL,
        language            TEXT NOT NULL CHECK (language IN ('de', 'en')),
        objected            INTEGER NOT NULL CHECK (objected IN (0, 1)),
        objected_on         TEXT,
        atmosfair_mail      INTEGER NOT NULL CHECK (atmosfair_mail IN (0, 1)),
        mail_decision       TEXT,
        mail_reason         TEXT,
        mail_decided_at     TEXT,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL
      );
      CREATE INDEX bookings_last_name ON bookings (last_name COLLATE NOCASE);

      CREATE TABLE services (
        id                 INTEGER PRIMARY KEY,
        booking_id         INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        position           INTEGER NOT NULL,
        type               TEXT NOT NULL,
        description        TEXT NOT NULL,
        start_date         TEXT NOT NULL,
        end_date           TEXT,
        travellers         INTEGER NOT NULL,
        departure_airport  TEXT,
        arrival_airport    TEXT,
        flight_number      TEXT,
        cabin_class        TEXT
      );
      CREATE INDEX services_booking ON services (booking_id);

      -- One row per mark: a booking put on the list for the night run.
      CREATE TABLE marks (
        id               INTEGER PRIMARY KEY,
        booking_id       INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        reason           TEXT NOT NULL
                         CHECK (reason IN ('first_mail', 'service_added', 'new_recipient')),
        state            TEXT NOT NULL
                         CHECK (state IN ('marked', 'sending', 'sent', 'failed', 'withdrawn')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        last_error       TEXT,
        withdrawn_reason TEXT,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      -- At most one open mark per booking: saving a marked booking again keeps one mark.
      CREATE UNIQUE INDEX marks_one_open_per_booking
        ON marks (booking_id) WHERE state IN ('marked', 'sending');
      CREATE INDEX marks_state ON marks (state);

      -- Every mail that really went out, with a copy of what was sent.
      CREATE TABLE sent_mails (
        id           INTEGER PRIMARY KEY,
        booking_id   INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        mark_id      INTEGER NOT NULL UNIQUE REFERENCES marks (id),
        sent_at      TEXT NOT NULL,
        recipient    TEXT NOT NULL,
        subject      TEXT NOT NULL,
        message_id   TEXT NOT NULL,
        service_ids  TEXT NOT NULL,
        raw          BLOB NOT NULL
      );
      CREATE INDEX sent_mails_booking ON sent_mails (booking_id, sent_at);

      CREATE TABLE night_runs (
        id           INTEGER PRIMARY KEY,
        trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual', 'headless')),
        started_at   TEXT NOT NULL,
        finished_at  TEXT,
        test_mode    INTEGER NOT NULL DEFAULT 0,
        due          INTEGER NOT NULL DEFAULT 0,
        sent         INTEGER NOT NULL DEFAULT 0,
        written      INTEGER NOT NULL DEFAULT 0,
        withdrawn    INTEGER NOT NULL DEFAULT 0,
        failed       INTEGER NOT NULL DEFAULT 0,
        error        TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'delivery states: retry, uncertain; the composed message on its mark; one run at a time',
    sql: `
      -- Service and mark ids are never reused (AUTOINCREMENT): a sent mail remembers the services
      -- it covered by id, and a Message-ID names its mark.
      CREATE TABLE services_v2 (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id         INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        position           INTEGER NOT NULL,
        type               TEXT NOT NULL,
        description        TEXT NOT NULL,
        start_date         TEXT NOT NULL,
        end_date           TEXT,
        travellers         INTEGER NOT NULL,
        departure_airport  TEXT,
        arrival_airport    TEXT,
        flight_number      TEXT,
        cabin_class        TEXT
      );
      INSERT INTO services_v2 SELECT id, booking_id, position, type, description, start_date,
        end_date, travellers, departure_airport, arrival_airport, flight_number, cabin_class
        FROM services;
      -- Ids already handed out to mails must stay used, even if the service was removed since.
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'services_v2', 0
        WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'services_v2');
      UPDATE sqlite_sequence
        SET seq = MAX(seq, COALESCE(
          (SELECT MAX(value) FROM sent_mails, json_each(sent_mails.service_ids)), 0))
        WHERE name = 'services_v2';
      DROP TABLE services;
      ALTER TABLE services_v2 RENAME TO services;
      CREATE INDEX services_booking ON services (booking_id);

      CREATE TABLE marks_v2 (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        booking_id       INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
        reason           TEXT NOT NULL
                         CHECK (reason IN ('first_mail', 'service_added', 'new_recipient')),
        state            TEXT NOT NULL CHECK (state IN ('marked', 'sending', 'sent', 'retry',
                                                       'failed', 'uncertain', 'withdrawn')),
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT,
        last_error       TEXT,
        last_reply_code  INTEGER,
        withdrawn_reason TEXT,
        -- What the last attempt handed over: kept so an uncertain mail can be confirmed as sent.
        message_id       TEXT,
        recipient        TEXT,
        subject          TEXT,
        service_ids      TEXT,
        raw              BLOB,
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL
      );
      INSERT INTO marks_v2 (id, booking_id, reason, state, attempts, last_error, withdrawn_reason,
                            created_at, updated_at)
        SELECT id, booking_id, reason, state, attempts, last_error, withdrawn_reason,
               created_at, updated_at
        FROM marks;
      DROP TABLE marks;
      ALTER TABLE marks_v2 RENAME TO marks;
      -- An uncertain mail blocks a new mark: it may have reached the customer already.
      CREATE UNIQUE INDEX marks_one_open_per_booking
        ON marks (booking_id) WHERE state IN ('marked', 'sending', 'retry', 'uncertain');
      CREATE INDEX marks_state ON marks (state, next_attempt_at);

      ALTER TABLE night_runs ADD COLUMN retrying INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE night_runs ADD COLUMN uncertain INTEGER NOT NULL DEFAULT 0;

      -- An objection belongs to the customer's address (see the marking rule): the address in
      -- the form the rule compares (td_email: punycode domain, lower case), indexed.
      ALTER TABLE bookings ADD COLUMN email_key TEXT NOT NULL DEFAULT '';
      UPDATE bookings SET email_key = td_email(email);
      CREATE INDEX bookings_objected_email ON bookings (email_key) WHERE objected = 1;

      -- The one night run that may work right now, across the app and the headless command.
      CREATE TABLE run_lock (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        owner        TEXT NOT NULL,
        host         TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        acquired_at  TEXT NOT NULL,
        heartbeat_at TEXT NOT NULL
      );
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
