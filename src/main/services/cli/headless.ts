// The headless night run, for the operating system's scheduler: runs once, prints a summary
// and exits 0 (nothing failed), 1 (something failed) or 2 (could not run at all).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openApp, type AppOptions } from '../app';
import { createLogger } from '../logger';
import { NightRunAbortedError } from '../night-run/night-run';
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
  let dataDir: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, 'night-run': { type: 'boolean' } },
      strict: false,
      allowPositionals: true,
    });
    const given = values['data-dir'];
    dataDir =
      typeof given === 'string' && given !== '' ? given : (options.dataDir ?? defaultDataDir());
  } catch (error) {
    out(`Aufruf nicht verstanden: ${(error as Error).message}`);
    return EXIT_CANNOT_RUN;
  }

  let app;
  try {
    app = openApp({
      ...options,
      dataDir,
      log: options.log ?? createLogger({ file: join(dataDir, 'logs', 'traveldesk.log') }),
    });
  } catch (error) {
    out(`Nachtlauf nicht möglich: ${(error as Error).message}`);
    return EXIT_CANNOT_RUN;
  }

  try {
    const summary = await app.runNightRun('headless');
    out(formatSummary(summary));
    return summary.failed > 0 ? EXIT_FAILURES : EXIT_OK;
  } catch (error) {
    if (error instanceof NightRunAbortedError) {
      out(formatSummary(error.summary));
      out(`Nachtlauf abgebrochen: ${error.message}`);
      return EXIT_CANNOT_RUN;
    }
    out(`Nachtlauf nicht möglich: ${(error as Error).message}`);
    return EXIT_CANNOT_RUN;
  } finally {
    app.close();
  }
}

export function formatSummary(summary: NightRunSummary): string {
  const parts = [
    `fällig ${summary.due}`,
    `gesendet ${summary.sent}`,
    ...(summary.testMode ? [`als .eml geschrieben ${summary.written}`] : []),
    `zurückgezogen ${summary.withdrawn}`,
    `fehlgeschlagen ${summary.failed}`,
  ];
  return `Nachtlauf${summary.testMode ? ' (Testmodus)' : ''}: ${parts.join(', ')}`;
}
