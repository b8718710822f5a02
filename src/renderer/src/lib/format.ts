// How dates and times look in the UI: `dd.mm.yyyy` and `dd.mm.yyyy HH:MM` in local time.
import { formatGermanDate } from '../../../shared/dates';

export function formatDate(isoDate: string | null): string {
  return isoDate === null ? '–' : formatGermanDate(isoDate);
}

/** A point in time (ISO timestamp) as the agent reads it, in the PC's local time. */
export function formatDateTime(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return timestamp;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${pad(date.getDate())}.${pad(date.getMonth() + 1)}.${date.getFullYear()}`;
  return `${day} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
