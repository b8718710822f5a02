// Delivery against an SMTP server on 127.0.0.1 that misbehaves on purpose. Every scenario
// checks the exact mails the server received and the state of every mark afterwards.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, NightRunAbortedError } from '../../../src/main/services/night-run/night-run';
import { openApp } from '../../../src/main/services/app';
import { silentLogger } from '../../../src/main/services/logger';
import {
  agencySettings,
  booking,
  flight,
  hotel,
  processCipher,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../../support/smtp-sink';

let smtp: SmtpSink;
let t: TestApp;

async function setUp(sink: SmtpSinkOptions = {}, app: Parameters<typeof startTestApp>[0] = {}) {
  smtp = await startSmtpSink(sink);
  t = startTestApp(app);
  await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
}

afterEach(async () => {
  t?.close();
  await smtp?.close();
});

/** A server that refuses every login, and an agency whose password it refuses. */
async function setUpWithRefusedLogin() {
  await setUp({
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(_auth, _session, callback) {
      callback(new Error('Authentication credentials invalid'));
    },
  });
  const settings = agencySettings({ smtpPort: smtp.port });
  settings.delivery.smtp.user = 'agentur';
  await t.call('settings.save', settings);
  await t.call('settings.setSmtpPassword', { password: 'falsch' });
}

/** Saves one booking per address, each with a flight 30 days ahead. */
async function bookingsFor(addresses: string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const address of addresses) {
    const input = booking([flight(t.clock.date(30))]);
    input.customer.email = address;
    ids.push((await t.call('bookings.save', input)).booking.id);
  }
  return ids;
}

function markStates(): { email: string; state: string; attempts: number }[] {
  return t.app.db
    .prepare(
      'SELECT b.email, m.state, m.attempts FROM marks m JOIN bookings b ON b.id = m.booking_id ORDER BY m.id',
    )
    .all() as { email: string; state: string; attempts: number }[];
}

function acceptedRecipients(): string[] {
  return smtp.accepted().map((m) => m.envelopeTo[0]!);
}

const addresses = (n: number) => Array.from({ length: n }, (_, i) => `kunde${i + 1}@example.org`);

describe('delivery when the mail server misbehaves', () => {
  it('a 451 and then acceptance: retried within the run, sent once', async () => {
    await setUp({
      answer: (i) => (i === 0 ? { reject: 451, message: '4.7.1 Greylisted, try again' } : 'accept'),
    });
    await bookingsFor(['anna@example.org']);

    const summary = await t.app.runNightRun('manual');
    expect(summary).toMatchObject({ due: 1, sent: 1, failed: 0, retrying: 0 });
    expect(acceptedRecipients()).toEqual(['anna@example.org']);
    expect(markStates()).toEqual([{ email: 'anna@example.org', state: 'sent', attempts: 2 }]);
  });

  it('a 451 that lasts: three tries a run, the next run an hour later at the earliest, failed after three runs', async () => {
    await setUp({ answer: () => ({ reject: 451, message: '4.3.0 Mailbox busy' }) });
    await bookingsFor(['anna@example.org']);

    const first = await t.app.runNightRun('manual');
    expect(first).toMatchObject({ due: 1, sent: 0, retrying: 1, failed: 0 });
    const [retrying] = await t.call('outbox.list');
    expect(retrying).toMatchObject({ state: 'retry', attempts: 3, lastReplyCode: 451 });
    expect(retrying!.lastError).toContain('Mailbox busy');
    expect(new Date(retrying!.nextAttemptAt!).getTime() - t.clock.now().getTime()).toBe(3_600_000);

    // Not due before its next try ...
    expect(await t.app.runNightRun('manual')).toMatchObject({ due: 0 });
    // ... tried again the next night, next try two hours later ...
    t.clock.advance({ days: 1 });
    expect(await t.app.runNightRun('schedule')).toMatchObject({ due: 1, retrying: 1 });
    const [second] = await t.call('outbox.list');
    expect(second).toMatchObject({ attempts: 6 });
    expect(new Date(second!.nextAttemptAt!).getTime() - t.clock.now().getTime()).toBe(7_200_000);
    // ... and given up on after the third night.
    t.clock.advance({ days: 1 });
    expect(await t.app.runNightRun('schedule')).toMatchObject({ due: 1, failed: 1, retrying: 0 });
    expect(markStates()).toEqual([
      { email: 'anna@example.org', state: 'failed', attempts: MAX_ATTEMPTS },
    ]);
    expect(MAX_ATTEMPTS).toBe(9);
    expect(smtp.accepted()).toHaveLength(0);
  });

  it('a stop on the last mail of a run gives its claim back untouched', async () => {
    await setUpWithRefusedLogin();
    await bookingsFor(['anna@example.org']);
    await expect(t.app.runNightRun('manual')).rejects.toThrow('Die Anmeldung');
    expect(markStates()).toEqual([{ email: 'anna@example.org', state: 'marked', attempts: 0 }]);
  });

  it('test mode with a folder that cannot be written stops the run and keeps the mark as it was', async () => {
    await setUp();
    const settings = agencySettings({ mode: 'test' });
    settings.delivery.testFolder = join(t.dataDir, 'traveldesk.sqlite', 'unter-einer-datei');
    await t.call('settings.save', settings);
    await bookingsFor(['anna@example.org']);
    await expect(t.app.runNightRun('manual')).rejects.toThrow('ist nicht beschreibbar');
    expect(markStates()).toEqual([{ email: 'anna@example.org', state: 'marked', attempts: 0 }]);
  });

  it('a 421 greeting (server busy for everyone) stops the run without using attempts', async () => {
    await setUp({
      onConnect(_session, callback) {
        callback(Object.assign(new Error('4.3.2 Too busy, try later'), { responseCode: 421 }));
      },
    });
    await bookingsFor(addresses(3));
    await expect(t.app.runNightRun('manual')).rejects.toThrow('vorübergehend nicht verfügbar');
    expect(markStates().map((m) => m.attempts)).toEqual([0, 0, 0]);
  });

  it('with AUTH LOGIN, a connection dropped before DATA is retried, not uncertain', async () => {
    let dropped = false;
    await setUp({
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['LOGIN'],
      onAuth(auth, _session, callback) {
        callback(null, { user: auth.username });
      },
      onRcptTo(_address, _session, callback) {
        if (dropped) return callback();
        dropped = true;
        smtp.dropConnections(); // after the 334 login challenges, before DATA
      },
    });
    const settings = agencySettings({ smtpPort: smtp.port });
    settings.delivery.smtp.user = 'agentur';
    await t.call('settings.save', settings);
    await t.call('settings.setSmtpPassword', { password: 'richtig' });
    await bookingsFor(['anna@example.org']);

    expect(await t.app.runNightRun('manual')).toMatchObject({ sent: 1, uncertain: 0 });
    expect(markStates()).toEqual([{ email: 'anna@example.org', state: 'sent', attempts: 2 }]);
    expect(smtp.accepted()).toHaveLength(1);
  });

  describe('a change to the next booking while the current mail is on the wire', () => {
    /** Two bookings; while the first mail waits for its reply, `change` runs. */
    async function whileFirstIsOnTheWire(change: (secondId: number) => Promise<unknown>) {
      let pending: Promise<unknown> | null = null;
      let secondId = 0;
      await setUp({
        answer: (index) => {
          if (index === 0) pending = change(secondId);
          return { delayMs: 150 };
        },
      });
      [, secondId] = (await bookingsFor(['erste@example.org', 'zweite@example.org'])) as [
        number,
        number,
      ];
      const summary = await t.app.runNightRun('manual');
      await pending;
      return summary;
    }

    it('a changed address: the mail goes to the new address only', async () => {
      const summary = await whileFirstIsOnTheWire(async (id) => {
        const current = await t.call('bookings.get', { id });
        await t.call('bookings.save', {
          ...booking(current.services, {
            customer: { ...current.customer, email: 'neu@example.org' },
          }),
          id,
        });
      });
      expect(summary).toMatchObject({ sent: 2 });
      expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual([
        'erste@example.org',
        'neu@example.org',
      ]);
      expect(await t.app.runNightRun('manual')).toMatchObject({ due: 0 });
    });

    it('an objection under the same address on another booking: no mail', async () => {
      const summary = await whileFirstIsOnTheWire(async () => {
        const objection = booking([flight(t.clock.date(40))]);
        objection.customer.email = 'zweite@example.org';
        objection.customer.objected = true;
        await t.call('bookings.save', objection);
      });
      expect(summary).toMatchObject({ sent: 1, withdrawn: 1 });
      expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(['erste@example.org']);
    });

    it('atmosfair switched off: the next mark is withdrawn, not sent', async () => {
      const summary = await whileFirstIsOnTheWire(() =>
        t.call('settings.save', agencySettings({ smtpPort: smtp.port, atmosfair: false })),
      );
      expect(summary).toMatchObject({ due: 2, sent: 1, withdrawn: 1 });
      expect(smtp.received).toHaveLength(1);
    });
  });

  it('a live run keeps its lock even when the clock jumps (the PC slept during the run)', async () => {
    let second: ReturnType<typeof openApp> | null = null;
    let secondRun: Promise<unknown> | null = null;
    await setUp({
      answer: (index) => {
        if (index === 0) {
          t.clock.advance({ minutes: 11 });
          second = openApp({
            dataDir: t.dataDir,
            clock: t.clock.now,
            timeZone: 'Europe/Berlin',
            log: silentLogger(),
            cipher: processCipher(),
          });
          secondRun = second.runNightRun('manual').catch((error: Error) => error.message);
        }
        return { delayMs: 100 };
      },
    });
    await bookingsFor(addresses(2));
    try {
      expect(await t.app.runNightRun('manual')).toMatchObject({ sent: 2 });
      expect(await secondRun).toContain('Ein Nachtlauf läuft bereits');
      expect(markStates().map((m) => m.state)).toEqual(['sent', 'sent']);
    } finally {
      (second as ReturnType<typeof openApp> | null)?.close();
    }
  });

  it('"Erneut versuchen" refuses an old failure that a newer mark has overtaken', async () => {
    let rejecting = true;
    await setUp({
      answer: () => (rejecting ? { reject: 550, message: '5.1.1 unknown' } : 'accept'),
    });
    const [id] = await bookingsFor(['alt@example.org']);
    await t.app.runNightRun('manual');
    const [failed] = await t.call('outbox.list');
    rejecting = false;
    const current = await t.call('bookings.get', { id: id! });
    await t.call('bookings.save', {
      ...booking(current.services, { customer: { ...current.customer, email: 'neu@example.org' } }),
      id: id!,
    });
    await t.app.runNightRun('manual');
    expect(await t.app.invoke('outbox.retry', { markId: failed!.markId })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('a 554 for one of five recipients: that one failed with the reply, the other four sent', async () => {
    await setUp({
      onRcptTo(address, _session, callback) {
        if (address.address === 'kunde3@example.org') {
          callback(
            Object.assign(new Error('5.1.1 <kunde3@example.org>: Recipient address rejected'), {
              responseCode: 554,
            }),
          );
        } else callback();
      },
    });
    await bookingsFor(addresses(5));

    expect(await t.app.runNightRun('manual')).toMatchObject({ due: 5, sent: 4, failed: 1 });
    expect(acceptedRecipients().sort()).toEqual([
      'kunde1@example.org',
      'kunde2@example.org',
      'kunde4@example.org',
      'kunde5@example.org',
    ]);
    expect(markStates().map((m) => m.state)).toEqual(['sent', 'sent', 'failed', 'sent', 'sent']);
    const [failed] = await t.call('outbox.list');
    expect(failed).toMatchObject({
      state: 'failed',
      bookingNumber: '2026-00003',
      lastReplyCode: 554,
    });
    expect(failed!.lastError).toContain('Recipient address rejected');
  });

  it('the connection dropped after every fifth message: those are uncertain, the rest sent, none twice', async () => {
    await setUp({ answer: (i) => ((i + 1) % 5 === 0 ? 'drop' : 'accept') });
    await bookingsFor(addresses(12));

    expect(await t.app.runNightRun('manual')).toMatchObject({
      due: 12,
      sent: 10,
      uncertain: 2,
      failed: 0,
    });
    const states = markStates();
    expect(states.filter((m) => m.state === 'uncertain').map((m) => m.email)).toEqual([
      'kunde5@example.org',
      'kunde10@example.org',
    ]);
    expect(states.filter((m) => m.state === 'sent')).toHaveLength(10);
    // Every message reached the server exactly once, the dropped ones included.
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(addresses(12));

    // Uncertain mails are not resent automatically, not even the next night.
    t.clock.advance({ days: 1 });
    expect(await t.app.runNightRun('schedule')).toMatchObject({ due: 0 });
    expect(smtp.received).toHaveLength(12);
  });

  it('a service added while its mail is on the way is marked again once that mail is recorded', async () => {
    let save: Promise<unknown> | null = null;
    let bookingId = 0;
    await setUp({
      answer: () => {
        save ??= t.call('bookings.get', { id: bookingId }).then((current) =>
          t.call('bookings.save', {
            ...booking([...current.services, hotel(t.clock.date(31))], {
              customer: current.customer,
            }),
            id: bookingId,
          }),
        );
        return { delayMs: 150 };
      },
    });
    [bookingId] = (await bookingsFor(['anna@example.org'])) as [number];

    expect(await t.app.runNightRun('manual')).toMatchObject({ sent: 1 });
    await save;
    const after = await t.call('bookings.get', { id: bookingId });
    expect(after.mail.sent[0]!.serviceIds).toHaveLength(1);
    expect(after.mail.mark).toMatchObject({ state: 'marked', reason: 'service_added' });
    expect(await t.app.runNightRun('manual')).toMatchObject({ sent: 1 });
    expect(smtp.received[1]!.parsed.text).toContain('Hotel');
  });

  it('the final reply delayed past the socket timeout: uncertain, not resent', async () => {
    await setUp(
      { answer: () => ({ delayMs: 2500 }) },
      { smtpTimeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 700 } },
    );
    await bookingsFor(['anna@example.org']);

    expect(await t.app.runNightRun('manual')).toMatchObject({ due: 1, sent: 0, uncertain: 1 });
    const [uncertain] = await t.call('outbox.list');
    expect(uncertain).toMatchObject({ state: 'uncertain', attempts: 1 });
    expect(await t.app.runNightRun('manual')).toMatchObject({ due: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('an uncertain mail confirmed by the agent counts as sent; saving the booking then marks nothing new', async () => {
    await setUp({ answer: () => 'drop' });
    const [id] = await bookingsFor(['anna@example.org']);
    await t.app.runNightRun('manual');
    const [uncertain] = await t.call('outbox.list');

    // While uncertain, a save does not add a second mark beside it.
    const current = await t.call('bookings.get', { id: id! });
    await t.call('bookings.save', {
      ...booking(current.services, { customer: current.customer }),
      id: id!,
    });
    expect(markStates()).toHaveLength(1);

    expect(await t.call('outbox.markSent', { markId: uncertain!.markId })).toEqual({
      confirmed: true,
    });
    const after = await t.call('bookings.get', { id: id! });
    expect(after.mail.sent).toHaveLength(1);
    expect(after.mail.sent[0]!.recipient).toBe('anna@example.org');
    const resaved = await t.call('bookings.save', {
      ...booking(after.services, { customer: after.customer }),
      id: id!,
    });
    expect(resaved.outcome).toEqual({ decision: 'unmark', reason: 'up_to_date' });
    expect(await t.call('outbox.list')).toEqual([]);
  });

  it('"Erneut versuchen" sends a failed or uncertain mail once more, on the next run', async () => {
    let rejecting = true;
    await setUp({
      answer: () => (rejecting ? { reject: 550, message: '5.7.1 Policy rejection' } : 'accept'),
    });
    await bookingsFor(['anna@example.org']);
    expect(await t.app.runNightRun('manual')).toMatchObject({ failed: 1 });
    const [failed] = await t.call('outbox.list');

    rejecting = false;
    expect(await t.call('outbox.retry', { markId: failed!.markId })).toEqual({ requeued: true });
    expect(await t.app.runNightRun('manual')).toMatchObject({ due: 1, sent: 1 });
    expect(acceptedRecipients()).toEqual(['anna@example.org']);
    const again = await t.app.invoke('outbox.retry', { markId: failed!.markId });
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('a failed login stops the run at once with one clear message and uses up no attempt', async () => {
    await setUpWithRefusedLogin();
    await bookingsFor(addresses(3));

    const run = t.app.runNightRun('manual');
    await expect(run).rejects.toThrow(NightRunAbortedError);
    await expect(run).rejects.toThrow(
      'Die Anmeldung am SMTP-Server ist fehlgeschlagen. Bitte prüfen Sie Benutzer und Passwort.',
    );
    expect(markStates().map(({ state, attempts }) => ({ state, attempts }))).toEqual(
      Array(3).fill({ state: 'marked', attempts: 0 }),
    );
    expect(smtp.received).toHaveLength(0);
    const status = await t.call('nightRun.status');
    expect(status.lastRun?.error).toContain('Anmeldung');
  });

  it('TLS required but not offered: the run stops, no attempt used, the message says what to fix', async () => {
    await setUp({ disabledCommands: ['STARTTLS'] });
    const settings = agencySettings({ smtpPort: smtp.port });
    settings.delivery.smtp.security = 'starttls';
    await t.call('settings.save', settings);
    await bookingsFor(addresses(2));

    await expect(t.app.runNightRun('manual')).rejects.toThrow(
      /verschlüsselte Verbindung .* „Sicherheit“/,
    );
    expect(markStates().map((m) => m.attempts)).toEqual([0, 0]);
    expect(smtp.received).toHaveLength(0);
  });

  it.each([
    [
      'the sender is refused (553 to MAIL FROM)',
      {
        onMailFrom(_a: unknown, _s: unknown, callback: (e?: Error) => void) {
          callback(
            Object.assign(new Error('5.7.1 Sender address not owned by user'), {
              responseCode: 553,
            }),
          );
        },
      },
      'Der SMTP-Server lehnt die Absenderadresse ab',
    ],
    [
      'authentication is required (530)',
      {
        onMailFrom(_a: unknown, _s: unknown, callback: (e?: Error) => void) {
          callback(
            Object.assign(new Error('5.7.0 Authentication required'), { responseCode: 530 }),
          );
        },
      },
      'Die Anmeldung am SMTP-Server ist fehlgeschlagen',
    ],
    [
      'the server refuses every session (554 greeting)',
      {
        onConnect(_s: unknown, callback: (e?: Error) => void) {
          callback(Object.assign(new Error('5.3.2 No SMTP service here'), { responseCode: 554 }));
        },
      },
      'Der SMTP-Server nimmt keine Mails an',
    ],
  ])('stops the run without using attempts when %s', async (_name, sink, message) => {
    await setUp(sink as SmtpSinkOptions);
    await bookingsFor(addresses(3));
    await expect(t.app.runNightRun('manual')).rejects.toThrow(message);
    expect(markStates().map(({ state, attempts }) => ({ state, attempts }))).toEqual(
      Array(3).fill({ state: 'marked', attempts: 0 }),
    );
  });

  it('stops the run when something other than an SMTP server answers on the port', async () => {
    const { createServer } = await import('node:net');
    const http = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    try {
      await setUp();
      await t.call(
        'settings.save',
        agencySettings({ smtpPort: (http.address() as { port: number }).port }),
      );
      await bookingsFor(addresses(2));
      await expect(t.app.runNightRun('manual')).rejects.toThrow(/Server und Port/);
      expect(markStates().map((m) => m.attempts)).toEqual([0, 0]);
    } finally {
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });

  it('two runs started in the same second, by two app instances on one data folder: one works, one reports', async () => {
    await setUp({ answer: () => ({ delayMs: 50 }) });
    await bookingsFor(addresses(4));
    const second = openApp({
      dataDir: t.dataDir,
      clock: t.clock.now,
      timeZone: 'Europe/Berlin',
      log: silentLogger(),
      cipher: processCipher(),
    });
    try {
      const results = await Promise.allSettled([
        t.app.runNightRun('schedule'),
        second.runNightRun('manual'),
      ]);
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(String((rejected[0] as PromiseRejectedResult).reason)).toContain(
        'Ein Nachtlauf läuft bereits',
      );
      expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual(addresses(4).sort());
      expect(markStates().every((m) => m.state === 'sent')).toBe(true);
    } finally {
      second.close();
    }
  });

  it('reports its progress while it runs', async () => {
    await setUp();
    await bookingsFor(addresses(3));
    const seen: string[] = [];
    const run = t.app.runNightRun('manual');
    for (let i = 0; i < 50 && seen.length < 1; i += 1) {
      const status = await t.call('nightRun.status');
      if (status.running) seen.push(`${status.running.done}/${status.running.total}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    await run;
    expect(seen[0]).toMatch(/^[0-3]\/3$/);
    expect((await t.call('nightRun.status')).running).toBeNull();
  });
});
