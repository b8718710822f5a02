// Agency settings as one JSON document in the `settings` table, parsed on every read: an older
// document gains the defaults of newer fields, a damaged one falls back to the defaults.
import { agencySettingsSchema, defaultSettings, type AgencySettings } from '../../../shared/domain';
import type { Db } from './database';

const KEY = 'agency';

export function readSettings(db: Db): AgencySettings {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as
    { value: string } | undefined;
  const defaults = defaultSettings();
  if (!row) return defaults;

  let stored: unknown;
  try {
    stored = JSON.parse(row.value);
  } catch {
    return defaults;
  }
  const merged = deepMerge(defaults, stored);
  const parsed = agencySettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : defaults;
}

export function writeSettings(db: Db, settings: AgencySettings): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(KEY, JSON.stringify(settings));
}

export function readSecret(db: Db, key: string): string | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(`secret:${key}`) as
    { value: string } | undefined;
  return row?.value ?? null;
}

export function writeSecret(db: Db, key: string, value: string | null): void {
  if (value === null) {
    db.prepare('DELETE FROM settings WHERE key = ?').run(`secret:${key}`);
    return;
  }
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(`secret:${key}`, value);
}

function deepMerge<T>(base: T, overlay: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overlay)) {
    return (overlay === undefined ? base : overlay) as T;
  }
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (key in base) result[key] = deepMerge((base as Record<string, unknown>)[key], value);
  }
  return result as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
