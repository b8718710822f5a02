// When the night run is due: the configured local time, every night, in the agency's time
// zone. Pure functions of "now", so daylight-saving nights can be tested in milliseconds.
import { DateTime } from 'luxon';

/**
 * The instant of the run slot on a local calendar day. On the spring-forward night a time in
 * the skipped hour moves forward by the gap; on the fall-back night the first of the two
 * occurrences is taken.
 */
export function slotOn(day: DateTime, time: string, timeZone: string): DateTime {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const slot = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour, minute },
    { zone: timeZone },
  );
  // In the repeated hour, the same wall-clock time an hour earlier is the first occurrence.
  const earlier = slot.minus({ hours: 1 });
  return earlier.hour === slot.hour && earlier.minute === slot.minute && earlier.day === slot.day
    ? earlier
    : slot;
}

/** The most recent slot at or before `now`. */
export function latestSlot(now: Date, time: string, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const today = slotOn(local, time, timeZone);
  return today.toMillis() <= now.getTime()
    ? today
    : slotOn(local.minus({ days: 1 }), time, timeZone);
}

/** The next slot strictly after `now`. */
export function nextSlot(now: Date, time: string, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const today = slotOn(local, time, timeZone);
  return today.toMillis() > now.getTime() ? today : slotOn(local.plus({ days: 1 }), time, timeZone);
}

/**
 * A run is due when no run has started since the most recent slot. This covers the regular
 * night, a PC that slept or was switched off through the slot (catch-up at the next check), and
 * never runs twice for one slot.
 */
export function isRunDue(
  now: Date,
  time: string,
  timeZone: string,
  lastRunStartedAt: Date | null,
): boolean {
  if (lastRunStartedAt === null) return true;
  // A last run "in the future" means the clock was wrong then (or is now): do not wait for it.
  if (lastRunStartedAt.getTime() > now.getTime()) return true;
  return lastRunStartedAt.getTime() < latestSlot(now, time, timeZone).toMillis();
}
