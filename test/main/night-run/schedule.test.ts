// The night-run schedule in local time, including the two daylight-saving nights of 2026.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isRunDue, latestSlot, nextSlot } from '../../../src/main/services/night-run/schedule';

const TZ = 'Europe/Berlin';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toJSDate();
const utc = (iso: string) => new Date(iso);

/** Simulates a PC that is on all the time: checks every minute, runs when due. */
function runsBetween(
  fromIso: string,
  toIso: string,
  time: string,
  lastRun: Date | null = null,
): Date[] {
  const runs: Date[] = [];
  let last = lastRun;
  for (let t = at(fromIso).getTime(); t <= at(toIso).getTime(); t += 60_000) {
    const now = new Date(t);
    if (isRunDue(now, time, TZ, last)) {
      runs.push(now);
      last = now;
    }
  }
  return runs;
}

describe('the night-run schedule', () => {
  it('runs once a night at the configured local time', () => {
    const runs = runsBetween(
      '2026-12-04T12:00',
      '2026-12-07T12:00',
      '04:00',
      at('2026-12-04T11:00'),
    );
    expect(runs.map((r) => r.toISOString())).toEqual([
      '2026-12-05T03:00:00.000Z',
      '2026-12-06T03:00:00.000Z',
      '2026-12-07T03:00:00.000Z',
    ]);
  });

  it('runs exactly once on the night daylight saving starts (29 March 2026), at 04:00 CEST', () => {
    const runs = runsBetween(
      '2026-03-28T12:00',
      '2026-03-29T12:00',
      '04:00',
      at('2026-03-28T11:00'),
    );
    expect(runs.map((r) => r.toISOString())).toEqual(['2026-03-29T02:00:00.000Z']);
  });

  it('runs exactly once on the night daylight saving ends (25 October 2026), at 04:00 CET', () => {
    const runs = runsBetween(
      '2026-10-24T12:00',
      '2026-10-25T12:00',
      '04:00',
      at('2026-10-24T11:00'),
    );
    expect(runs.map((r) => r.toISOString())).toEqual(['2026-10-25T03:00:00.000Z']);
  });

  it('moves a time in the skipped hour forward on the spring night, still once', () => {
    const runs = runsBetween(
      '2026-03-28T12:00',
      '2026-03-29T12:00',
      '02:30',
      at('2026-03-28T11:00'),
    );
    expect(runs.map((r) => r.toISOString())).toEqual(['2026-03-29T01:30:00.000Z']); // 03:30 CEST
  });

  it('runs a time in the repeated hour once, at its first occurrence, on the autumn night', () => {
    const runs = runsBetween(
      '2026-10-24T12:00',
      '2026-10-25T12:00',
      '02:30',
      at('2026-10-24T11:00'),
    );
    expect(runs.map((r) => r.toISOString())).toEqual(['2026-10-25T00:30:00.000Z']); // 02:30 CEST
  });

  it('does not wait for a last run that lies in the future (the clock was wrong then)', () => {
    expect(isRunDue(at('2026-12-04T08:15'), '04:00', TZ, at('2027-06-01T04:00'))).toBe(true);
  });

  it('catches up at start-up when the PC was off through the slot', () => {
    // Last run on 1 December, PC switched on again on 4 December at 08:15.
    expect(isRunDue(at('2026-12-04T08:15'), '04:00', TZ, at('2026-12-01T04:00'))).toBe(true);
  });

  it('catches up before the slot when the previous night was missed', () => {
    // Switched on at 01:00: the night of the 3rd was missed, although tonight's slot is ahead.
    expect(isRunDue(at('2026-12-04T01:00'), '04:00', TZ, at('2026-12-02T04:00'))).toBe(true);
  });

  it('does not run again after a run since the last slot', () => {
    expect(isRunDue(at('2026-12-04T08:15'), '04:00', TZ, at('2026-12-04T04:00'))).toBe(false);
    expect(isRunDue(at('2026-12-04T03:59'), '04:00', TZ, at('2026-12-03T04:00'))).toBe(false);
  });

  it('a fresh installation runs once at start to catch up', () => {
    expect(isRunDue(at('2026-12-04T10:00'), '04:00', TZ, null)).toBe(true);
  });

  it('names the next and the latest slot', () => {
    expect(nextSlot(at('2026-12-04T10:00'), '04:00', TZ).toUTC().toISO()).toBe(
      '2026-12-05T03:00:00.000Z',
    );
    expect(nextSlot(at('2026-12-04T03:00'), '04:00', TZ).toUTC().toISO()).toBe(
      '2026-12-04T03:00:00.000Z',
    );
    expect(latestSlot(utc('2026-12-04T02:59:00Z'), '04:00', TZ).toUTC().toISO()).toBe(
      '2026-12-03T03:00:00.000Z',
    );
  });
});
