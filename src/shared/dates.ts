// Calendar dates as the app stores them (ISO `yyyy-mm-dd`) and as agents type them (`dd.mm.yyyy`).

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const GERMAN_DATE = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/;

/** True when `value` is an existing calendar day written as `yyyy-mm-dd`. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  return isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Parses `dd.mm.yyyy` (leading zeros optional) into `yyyy-mm-dd`; null when it is no real day. */
export function parseGermanDate(value: string): string | null {
  const match = GERMAN_DATE.exec(value);
  if (!match) return null;
  const day = Number(match[1]);
  const month = Number(match[2]);
  const year = Number(match[3]);
  if (!isCalendarDay(year, month, day)) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Formats `yyyy-mm-dd` as `dd.mm.yyyy`; anything else is returned unchanged. */
export function formatGermanDate(isoDate: string): string {
  const match = ISO_DATE.exec(isoDate);
  if (!match) return isoDate;
  return `${match[3]}.${match[2]}.${match[1]}`;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
