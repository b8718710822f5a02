// Scheduling that survives real PCs: the app's scheduler with an injected clock, through
// sleep, ten days switched off, and the night daylight saving ends.
import { afterEach, describe, expect, it } from 'vitest';
import {
  agencySettings,
  booking,
  flight,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

let smtp: SmtpSink;
let t: TestApp;

afterEach(async () => {
  t?.close();
  await smtp?.close();
});

async function setUp(now: string, options: Parameters<typeof startTestApp>[0] = {}) {
  smtp = await startSmtpSink();
  t = startTestApp({ now, ...options });
  await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
}

const runs = () =>
  (
    t.app.db.prepare('SELECT started_at FROM night_runs ORDER BY id').all() as {
      started_at: string;
    }[]
  ).map((r) => r.started_at);

describe('the scheduler', () => {
  it('catches up once at start-up, then waits for the next night', async () => {
    await setUp('2026-12-04T10:00');
    expect(await t.app.scheduler.check()).toBe(true); // a fresh installation catches up once
    expect(await t.app.scheduler.check()).toBe(false);
    t.clock.set('2026-12-05T03:59');
    expect(await t.app.scheduler.check()).toBe(false);
    t.clock.set('2026-12-05T04:00');
    expect(await t.app.scheduler.check()).toBe(true);
    expect(runs()).toEqual(['2026-12-04T09:00:00.000Z', '2026-12-05T03:00:00.000Z']);
  });

  it('runs within one tick after the PC wakes from a sleep through the night slot', async () => {
    await setUp('2026-12-04T22:00', { schedulerTickMs: 20 });
    await t.app.scheduler.check();
    await t.call('bookings.save', booking([flight('2027-01-03')]));
    t.clock.set('2026-12-05T03:50'); // the PC falls asleep before 04:00 …
    expect(await t.app.scheduler.check()).toBe(false);
    t.clock.set('2026-12-05T07:31'); // … and wakes at 07:31
    t.app.scheduler.start();
    for (let i = 0; i < 100 && smtp.received.length === 0; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    t.app.scheduler.stop();
    expect(smtp.received).toHaveLength(1);
    expect(runs().at(-1)).toBe('2026-12-05T06:31:00.000Z');
  });

  it('after ten days switched off catches up at start and withdraws the marks whose trip has begun', async () => {
    await setUp('2026-12-04T18:00');
    await t.app.scheduler.check();
    for (const [days, email] of [
      [3, 'drei@example.org'],
      [8, 'acht@example.org'],
      [20, 'zwanzig@example.org'],
    ] as const) {
      const input = booking([flight(t.clock.date(days))]);
      input.customer.email = email;
      await t.call('bookings.save', input);
    }
    t.clock.set('2026-12-14T08:00'); // switched on again ten days later
    expect(await t.app.scheduler.check()).toBe(true);
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(['zwanzig@example.org']);
    const states = t.app.db.prepare('SELECT state, withdrawn_reason FROM marks ORDER BY id').all();
    expect(states).toEqual([
      { state: 'withdrawn', withdrawn_reason: 'travel_date_not_future' },
      { state: 'withdrawn', withdrawn_reason: 'travel_date_not_future' },
      { state: 'sent', withdrawn_reason: null },
    ]);
  });

  it('runs exactly once through the night daylight saving ends, checking every five minutes', async () => {
    await setUp('2026-10-24T12:00');
    await t.app.scheduler.check();
    for (let i = 0; i < 24 * 12; i += 1) {
      t.clock.advance({ minutes: 5 });
      await t.app.scheduler.check();
    }
    expect(runs()).toEqual(['2026-10-24T10:00:00.000Z', '2026-10-25T03:00:00.000Z']);
  });

  it('runs exactly once through the night daylight saving starts', async () => {
    await setUp('2026-03-28T12:00');
    await t.app.scheduler.check();
    for (let i = 0; i < 24 * 12; i += 1) {
      t.clock.advance({ minutes: 5 });
      await t.app.scheduler.check();
    }
    expect(runs()).toEqual(['2026-03-28T11:00:00.000Z', '2026-03-29T02:00:00.000Z']);
  });
});
