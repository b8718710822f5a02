// Time as the main process sees it: an injected clock and the agency's time zone, so tests can
// run whole nights in milliseconds.
import { DateTime } from 'luxon';

/** Returns the current instant. Production passes `() => new Date()`. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Berlin';
}

/** The local calendar date (`yyyy-mm-dd`) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate() ?? '';
}

export function isoInstant(instant: Date): string {
  return instant.toISOString();
}
