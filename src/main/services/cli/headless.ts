// The headless night run, for the operating system's scheduler: runs once, prints a summary
// and exits 0 (nothing failed), 1 (something failed) or 2 (could not run at all).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openApp, type AppOptions } from '../app';
import { createLogger } from '../logger';
import { NightRunAbortedError, RunInProgressError } from '../night-run/night-run';
import { DATABASE_FILE } from '../store/database';
import type { NightRunSummary } from '../../../shared/contract';

export const EXIT_OK = 0;
export const EXIT_FAILURES = 1;
export const EXIT_CANNOT_RUN = 2;

export const PRODUCT_NAME = 'TravelDesk';

/** The folder Electron's `userData` points to for TravelDesk on this operating system. */
export function defaultDataDir(platform = process.platform, env = process.env): string {
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), PRODUCT_NAME);
}

export interface HeadlessOptions extends Partial<AppOptions> {
  out?: (line: string) => void;
}

export async function runHeadless(argv: string[], options: HeadlessOptions = {}): Promise<number> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));

  // 1. Arguments: only --data-dir DIR (and the app's own --night-run); anything else is a typo.
  let dataDir: string;
  try {
    const { values } = parseArgs({
      args: argv.filter((arg) => arg !== '.'),
      options: { 'data-dir': { type: 'string' }, 'night-run': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    });
    const given = values['data-dir'];
    if (given !== undefined && given.trim() === '')
      throw new Error('--data-dir braucht einen Ordner');
    dataDir = given ?? options.dataDir ?? defaultDataDir();
  } catch (error) {
    out(`Aufruf nicht verstanden: ${(error as Error).message}`);
    out('Aufruf: night-run [--data-dir ORDNER]');
    return EXIT_CANNOT_RUN;
  }

  // 2. A data folder without a database is a mistyped path, not a new agency.
  if (!existsSync(join(dataDir, DATABASE_FILE))) {
    out(
      `Nachtlauf nicht möglich: Im Ordner ${dataDir} liegen keine TravelDesk-Daten ` +
        `(${DATABASE_FILE} fehlt).`,
    );
    return EXIT_CANNOT_RUN;
  }

  let app;
  try {
    app = openApp({
      ...options,
      recoverAtStart: false,
      dataDir,
      log: options.log ?? createLogger({ file: join(dataDir, 'logs', 'traveldesk.log') }),
    });
  } catch (error) {
    out(`Nachtlauf nicht möglich: ${describeStartError(error, dataDir)}`);
    return EXIT_CANNOT_RUN;
  }

  try {
    const summary = await app.runNightRun('headless');
    out(formatSummary(summary));
    return summary.failed + summary.uncertain + summary.retrying > 0 ? EXIT_FAILURES : EXIT_OK;
  } catch (error) {
    if (error instanceof NightRunAbortedError) {
      out(formatSummary(error.summary));
      out(`Nachtlauf abgebrochen: ${error.message}`);
      return EXIT_CANNOT_RUN;
    }
    if (error instanceof RunInProgressError) {
      out(`Nachtlauf nicht gestartet: ${error.message}`);
      return EXIT_CANNOT_RUN;
    }
    out(`Nachtlauf nicht möglich: ${describeStartError(error, dataDir)}`);
    return EXIT_CANNOT_RUN;
  } finally {
    app.close();
  }
}

/** Turns the usual file-system and SQLite failures into sentences; anything else as it is. */
export function describeStartError(error: unknown, dataDir: string): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_READONLY' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `Der Datenordner ${dataDir} ist schreibgeschützt oder gehört einem anderen Benutzer.`;
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return `Die Datei ${DATABASE_FILE} in ${dataDir} ist keine intakte TravelDesk-Datenbank.`;
  }
  if (code === 'SQLITE_BUSY') {
    return 'Die Datenbank ist gerade gesperrt. Bitte versuchen Sie es in einigen Minuten erneut.';
  }
  return (error as Error).message;
}

export function formatSummary(summary: NightRunSummary): string {
  const parts = [
    `fällig ${summary.due}`,
    `gesendet ${summary.sent}`,
    ...(summary.testMode ? [`als .eml geschrieben ${summary.written}`] : []),
    `zurückgezogen ${summary.withdrawn}`,
    `fehlgeschlagen ${summary.failed}`,
    ...(summary.retrying > 0 ? [`später erneut ${summary.retrying}`] : []),
    ...(summary.uncertain > 0 ? [`unklar ${summary.uncertain}`] : []),
  ];
  return `Nachtlauf${summary.testMode ? ' (Testmodus)' : ''}: ${parts.join(', ')}`;
}
