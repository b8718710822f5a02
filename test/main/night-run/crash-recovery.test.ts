// A night run killed in the middle (SIGKILL, in a child process) and started again: the mail
// in flight becomes uncertain, the rest go out, no customer gets one twice. And a second
// process that finds a run at work reports it and leaves.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agencySettings,
  booking,
  flight,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

function headless(dataDir: string): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; out: string }>;
} {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main/services/cli/night-run-cli.ts', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out })),
  );
  return { child, done };
}

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const addresses = Array.from({ length: 8 }, (_, i) => `kunde${i + 1}@example.org`);

describe('a night run that dies and one that finds another at work', () => {
  let smtp: SmtpSink;
  let t: TestApp;
  let kill: (() => void) | null = null;

  beforeEach(async () => {
    smtp = await startSmtpSink({
      answer: (index) => {
        if (index === 2) kill?.();
        return { delayMs: 300 };
      },
    });
    t = startTestApp({ now: new Date().toISOString(), clock: () => new Date() });
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
    for (const address of addresses) {
      const input = booking([flight(day(30))]);
      input.customer.email = address;
      await t.call('bookings.save', input);
    }
  });
  afterEach(async () => {
    t.close();
    await smtp.close();
  });

  const states = () =>
    (
      t.app.db
        .prepare(
          'SELECT b.email, m.state FROM marks m JOIN bookings b ON b.id = m.booking_id ORDER BY m.id',
        )
        .all() as {
        email: string;
        state: string;
      }[]
    ).map((r) => `${r.email}:${r.state}`);

  it('killed with SIGKILL while the third mail waits for its reply: that one is uncertain, the others are sent once', async () => {
    const first = headless(t.dataDir);
    kill = () => first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(addresses.slice(0, 3));

    kill = null;
    const second = await headless(t.dataDir).done;
    // The mail that was in flight is reported as uncertain, and makes the exit code 1.
    expect(second.out).toContain(
      'fällig 5, gesendet 5, zurückgezogen 0, fehlgeschlagen 0, unklar 1',
    );
    expect(second.code).toBe(1);

    expect(states()).toEqual([
      'kunde1@example.org:sent',
      'kunde2@example.org:sent',
      'kunde3@example.org:uncertain',
      ...addresses.slice(3).map((a) => `${a}:sent`),
    ]);
    const recipients = smtp.received.map((m) => m.envelopeTo[0]);
    expect(recipients).toEqual(addresses);
    // The killed run does not pass for a clean empty one in the run history.
    const runs = t.app.db
      .prepare('SELECT finished_at IS NOT NULL AS finished, error FROM night_runs ORDER BY id')
      .all();
    expect(runs).toEqual([
      { finished: 1, error: 'Der Lauf wurde unterbrochen (Programm beendet oder abgestürzt).' },
      { finished: 1, error: null },
    ]);
    expect(new Set(recipients).size).toBe(recipients.length);
  });

  it('a headless run started while another run works reports it and exits 2, sending nothing', async () => {
    const running = t.app.runNightRun('schedule');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await headless(t.dataDir).done;
    expect(second.code).toBe(2);
    expect(second.out).toContain('Ein Nachtlauf läuft bereits');
    const summary = await running;
    expect(summary.sent).toBe(8);
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual(addresses);
  });
});
