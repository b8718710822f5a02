// The headless night run as the operating system's scheduler starts it: a real child process
// (`npm run night-run -- --data-dir DIR`) against a data folder with real bookings.
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDataDir, runHeadless } from '../../../src/main/services/cli/headless';
import { silentLogger } from '../../../src/main/services/logger';
import {
  agencySettings,
  booking,
  flight,
  tempDir,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

function nightRun(
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        'node_modules/tsx/dist/cli.mjs',
        'src/main/services/cli/night-run-cli.ts',
        '--data-dir',
        dataDir,
      ],
      {
        env: { ...process.env, TZ: 'Europe/Berlin', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the headless night run', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeEach(async () => {
    smtp = await startSmtpSink();
    // Real today: the child process uses the real clock.
    t = startTestApp({ now: new Date().toISOString(), clock: () => new Date() });
  });
  afterEach(async () => {
    t.close();
    await smtp.close();
  });

  it('sends exactly the mails the rules call for, prints a summary and exits 0', async () => {
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    await t.call('bookings.save', booking([flight(day(30))]));
    await t.call('bookings.save', booking([flight(day(40))], { atmosfairMail: false }));
    await t.call('bookings.save', booking([flight(day(-3))]));
    const second = booking([flight(day(50))]);
    second.customer.email = 'bernd@example.org';
    await t.call('bookings.save', second);
    t.app.close();

    const run = await nightRun(t.dataDir);
    expect(run.out).toContain('Nachtlauf: fällig 2, gesendet 2, zurückgezogen 0, fehlgeschlagen 0');
    expect(run.code).toBe(0);
    expect(smtp.received.map((m) => m.envelopeTo[0]).sort()).toEqual([
      'anna.schmidt@example.org',
      'bernd@example.org',
    ]);

    // Run again: nothing is due, nothing is sent twice.
    const again = await nightRun(t.dataDir);
    expect(again.code).toBe(0);
    expect(again.out).toContain('fällig 0, gesendet 0');
    expect(smtp.received).toHaveLength(2);
  });

  it('exits 1 when a mail failed', async () => {
    await smtp.close();
    smtp = await startSmtpSink({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('bounce')) {
          const error = Object.assign(new Error('5.1.1 Mailbox unknown'), { responseCode: 550 });
          callback(error);
          return;
        }
        callback();
      },
    });
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
    const bad = booking([
      flight(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)),
    ]);
    bad.customer.email = 'bounce@example.org';
    await t.call('bookings.save', bad);
    t.app.close();

    const run = await nightRun(t.dataDir);
    expect(run.out).toContain('fehlgeschlagen 1');
    expect(run.code).toBe(1);
    expect(smtp.received).toHaveLength(0);
  });

  it('exits 2 and says why when no mail delivery is configured', async () => {
    const settings = agencySettings({ smtpPort: smtp.port });
    settings.delivery.smtp.host = '';
    await t.call('settings.save', settings);
    t.app.close();
    const run = await nightRun(t.dataDir);
    expect(run.code).toBe(2);
    expect(run.out).toContain('Es ist kein SMTP-Server eingetragen.');
  });

  it('exits 2 when the SMTP user has no password in the environment', async () => {
    const settings = agencySettings({ smtpPort: smtp.port });
    settings.delivery.smtp.user = 'agentur';
    await t.call('settings.save', settings);
    t.app.close();
    const run = await nightRun(t.dataDir, { TRAVELDESK_SMTP_PASSWORD: '' });
    expect(run.code).toBe(2);
    expect(run.out).toContain(
      'kein Passwort gespeichert. Setzen Sie die Umgebungsvariable TRAVELDESK_SMTP_PASSWORD.',
    );
  });

  it("uses the app's own data folder when none is given", () => {
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/home/a/.config' })).toBe(
      '/home/a/.config/TravelDesk',
    );
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' })).toMatch(
      /TravelDesk$/,
    );
  });
});

describe('the headless night run refuses what it cannot mean', () => {
  it.each([
    [['--data-dir'], 'Aufruf nicht verstanden'],
    [['--data-dir', ''], 'Aufruf nicht verstanden'],
    [['--data-dri', '/tmp'], 'Aufruf nicht verstanden'],
    [['--data-dir', '/tmp/gibt-es-nicht-traveldesk'], 'liegen keine TravelDesk-Daten'],
  ])('%j exits 2 and says why', async (argv, message) => {
    const lines: string[] = [];
    const code = await runHeadless(argv, { out: (line) => lines.push(line), log: silentLogger() });
    expect(code).toBe(2);
    expect(lines.join('\n')).toContain(message);
  });

  it('a file that is no database is named as such', async () => {
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, 'traveldesk.sqlite'), 'kein SQLite');
      const lines: string[] = [];
      const code = await runHeadless(['--data-dir', dir.path], {
        out: (l) => lines.push(l),
        log: silentLogger(),
      });
      expect(code).toBe(2);
      expect(lines.join('\n')).toContain('ist keine intakte TravelDesk-Datenbank');
    } finally {
      dir.remove();
    }
  });
});
