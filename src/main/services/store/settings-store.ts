// Agency settings as one JSON document in the `settings` table, parsed on every read: an older
// document gains the defaults of newer fields, a damaged one falls back to the defaults.
import { agencySettingsSchema, defaultSettings, type AgencySettings } from '../../../shared/domain';
import { prepared, type Db } from './database';

const KEY = 'agency';

/** The last document read and what it parsed to: the night run reads settings for every mail. */
let cache: { raw: string; settings: AgencySettings } | null = null;

export function readSettings(db: Db): AgencySettings {
  const row = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(KEY) as
    { value: string } | undefined;
  if (!row) return defaultSettings();
  if (cache?.raw !== row.value) cache = { raw: row.value, settings: parseSettings(row.value) };
  return structuredClone(cache.settings);
}

function parseSettings(raw: string): AgencySettings {
  const defaults = defaultSettings();
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return defaults;
  }
  const merged = deepMerge(defaults, stored);
  const parsed = agencySettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : defaults;
}

/** The stored document as it is, to tell whether the settings changed in between. */
export function settingsRevision(db: Db): string {
  const row = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(KEY) as
    { value: string } | undefined;
  return row?.value ?? '';
}

export function writeSettings(db: Db, settings: AgencySettings): void {
  prepared(
    db,
    `INSERT INTO settings (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  ).run(KEY, JSON.stringify(settings));
}

export function readSecret(db: Db, key: string): string | null {
  const row = prepared(db, 'SELECT value FROM settings WHERE key = ?').get(`secret:${key}`) as
    { value: string } | undefined;
  return row?.value ?? null;
}

export function writeSecret(db: Db, key: string, value: string | null): void {
  if (value === null) {
    prepared(db, 'DELETE FROM settings WHERE key = ?').run(`secret:${key}`);
    return;
  }
  prepared(
    db,
    `INSERT INTO settings (key, value) VALUES (?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
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
