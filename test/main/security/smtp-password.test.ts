// The SMTP password: set from the renderer, never read back, encrypted at rest, refused without
// consent when only obscured, asked for again when it cannot be decrypted, never logged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openApp } from '../../../src/main/services/app';
import { createLogger, maskDeep } from '../../../src/main/services/logger';
import type { Cipher } from '../../../src/main/services/secrets';
import {
  agencySettings,
  booking,
  flight,
  processCipher,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

const PASSWORD = 'Geheim-Passwort-42!';
let t: TestApp | null = null;
let smtp: SmtpSink | null = null;

afterEach(async () => {
  t?.close();
  t = null;
  await smtp?.close();
  smtp = null;
});

function weakCipher(): Cipher {
  return { ...processCipher(), protection: 'weak' };
}

describe('the SMTP password', () => {
  it('is stored encrypted; the renderer learns only that one is set', async () => {
    t = startTestApp();
    await t.call('settings.setSmtpPassword', { password: PASSWORD });
    const view = await t.call('settings.get');
    expect(view).toMatchObject({
      smtpPasswordSet: true,
      smtpPasswordReadable: true,
      passwordProtection: 'os',
    });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    const file = readFileSync(join(t.dataDir, 'traveldesk.sqlite'));
    const wal = readFileSync(join(t.dataDir, 'traveldesk.sqlite-wal'));
    expect(file.includes(PASSWORD)).toBe(false);
    expect(wal.includes(PASSWORD)).toBe(false);
  });

  it('is refused without consent when the system has no keyring (basic_text), and stored with it', async () => {
    t = startTestApp({ cipher: weakCipher() });
    const refused = await t.app.invoke('settings.setSmtpPassword', { password: PASSWORD });
    expect(refused).toMatchObject({ ok: false, error: { code: 'weak_protection' } });
    if (!refused.ok) expect(refused.error.message).toContain('nur verschleiert');
    expect((await t.call('settings.get')).smtpPasswordSet).toBe(false);

    await t.call('settings.setSmtpPassword', { password: PASSWORD, acceptWeakProtection: true });
    expect(await t.call('settings.get')).toMatchObject({
      smtpPasswordSet: true,
      passwordProtection: 'weak',
    });
  });

  it('that cannot be decrypted on this PC is asked for again, and the night run does not try to log in', async () => {
    let connections = 0;
    smtp = await startSmtpSink({
      onConnect(_session, callback) {
        connections += 1;
        callback();
      },
    });
    t = startTestApp();
    const settings = agencySettings({ smtpPort: smtp.port });
    settings.delivery.smtp.user = 'agentur';
    await t.call('settings.save', settings);
    await t.call('settings.setSmtpPassword', { password: PASSWORD });
    await t.call('bookings.save', booking([flight('2027-01-03')]));
    t.app.close();

    // The same data folder on "another PC": the key store there has another key.
    const moved = openApp({
      dataDir: t.dataDir,
      clock: t.clock.now,
      timeZone: 'Europe/Berlin',
      cipher: processCipher(),
      log: createLogger({ level: 'silent' }),
    });
    try {
      const view = await moved.invoke('settings.get', undefined);
      expect(view).toMatchObject({
        ok: true,
        value: { smtpPasswordSet: true, smtpPasswordReadable: false },
      });
      await expect(moved.runNightRun('manual')).rejects.toThrow(
        'Für den SMTP-Benutzer ist kein Passwort gespeichert. Bitte geben Sie es in den Agenturstammdaten erneut ein.',
      );
      expect(connections).toBe(0);
      const marks = moved.db.prepare('SELECT state, attempts FROM marks').all();
      expect(marks).toEqual([{ state: 'marked', attempts: 0 }]);
    } finally {
      moved.close();
    }
  });

  it('is forgotten when the server, port, user or security changes, so it cannot be redirected', async () => {
    t = startTestApp();
    const settings = agencySettings({ smtpPort: 2525 });
    settings.delivery.smtp = {
      host: 'mail.agentur.example',
      port: 587,
      security: 'starttls',
      user: 'agentur',
    };
    await t.call('settings.save', settings);
    await t.call('settings.setSmtpPassword', { password: PASSWORD });

    // Saving the same server again keeps it.
    expect((await t.call('settings.save', settings)).smtpPasswordSet).toBe(true);
    for (const change of [
      { host: '127.0.0.1' },
      { port: 25 },
      { security: 'none' as const },
      { user: 'jemand-anders' },
    ]) {
      await t.call('settings.save', settings);
      await t.call('settings.setSmtpPassword', { password: PASSWORD });
      const moved = {
        ...settings,
        delivery: { ...settings.delivery, smtp: { ...settings.delivery.smtp, ...change } },
      };
      expect((await t.call('settings.save', moved)).smtpPasswordSet).toBe(false);
    }
  });

  it('never reaches a log or an error even when the server echoes it back', async () => {
    smtp = await startSmtpSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        callback(
          Object.assign(new Error(`Invalid login for ${auth.username}:${auth.password}`), {
            responseCode: 535,
          }),
        );
      },
    });
    const dir = startTestApp();
    dir.app.close();
    const logFile = join(dir.dataDir, 'logs', 'traveldesk.log');
    const app = openApp({
      dataDir: dir.dataDir,
      clock: dir.clock.now,
      timeZone: 'Europe/Berlin',
      cipher: processCipher(),
      log: createLogger({ file: logFile }),
    });
    try {
      const settings = agencySettings({ smtpPort: smtp.port });
      settings.delivery.smtp.user = 'agentur';
      await app.invoke('settings.save', settings);
      await app.invoke('settings.setSmtpPassword', { password: PASSWORD });
      await app.invoke('bookings.save', booking([flight('2027-01-03')]));
      const tested = await app.invoke('settings.testConnection', undefined);
      expect(tested).toMatchObject({ ok: false, error: { code: 'smtp_failed' } });
      expect(JSON.stringify(tested)).not.toContain(PASSWORD);
      await expect(app.runNightRun('manual')).rejects.toThrow('Die Anmeldung');
    } finally {
      app.close();
    }
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('Die Anmeldung am SMTP-Server ist fehlgeschlagen');
    expect(log).not.toContain(PASSWORD);
    dir.close();
  });

  it('"Verbindung testen" names a missing server or password instead of an unexpected error', async () => {
    t = startTestApp();
    const settings = agencySettings();
    settings.delivery.smtp.host = '';
    await t.call('settings.save', settings);
    expect(await t.app.invoke('settings.testConnection', undefined)).toEqual({
      ok: false,
      error: { code: 'smtp_failed', message: 'Es ist kein SMTP-Server eingetragen.' },
    });
    settings.delivery.smtp = { host: '127.0.0.1', port: 2525, security: 'none', user: 'agentur' };
    await t.call('settings.save', settings);
    expect(await t.app.invoke('settings.testConnection', undefined)).toMatchObject({
      ok: false,
      error: { code: 'smtp_failed', message: expect.stringContaining('kein Passwort gespeichert') },
    });
  });

  it('never reaches the log, and neither do full customer addresses', async () => {
    smtp = await startSmtpSink({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.password === PASSWORD) callback(null, { user: auth.username });
        else callback(new Error('bad'));
      },
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('weg')) {
          callback(
            Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
              responseCode: 550,
            }),
          );
        } else callback();
      },
    });
    const dir = startTestApp();
    dir.app.close();
    const logFile = join(dir.dataDir, 'logs', 'traveldesk.log');
    const app = openApp({
      dataDir: dir.dataDir,
      clock: dir.clock.now,
      timeZone: 'Europe/Berlin',
      cipher: processCipher(),
      log: createLogger({ file: logFile }),
      sleep: async () => undefined,
    });
    try {
      const settings = agencySettings({ smtpPort: smtp.port });
      settings.delivery.smtp.user = 'agentur';
      await app.invoke('settings.save', settings);
      await app.invoke('settings.setSmtpPassword', { password: PASSWORD });
      for (const email of ['anna.schmidt@example.org', 'weg.verzogen@example.org']) {
        const input = booking([flight('2027-01-03')]);
        input.customer.email = email;
        await app.invoke('bookings.save', input);
      }
      const summary = await app.runNightRun('manual');
      expect(summary).toMatchObject({ sent: 1, failed: 1 });
    } finally {
      app.close();
    }
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('Nachtlauf beendet');
    expect(log).toContain('a***@example.org');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain('anna.schmidt@example.org');
    expect(log).not.toContain('weg.verzogen@example.org');
    dir.close();
  });
});

describe('masking addresses in log entries', () => {
  it('masks addresses in texts, nested fields and lists', () => {
    expect(maskDeep('5.1.1 <weg.verzogen@example.org>: rejected')).toBe(
      '5.1.1 <w***@example.org>: rejected',
    );
    expect(
      maskDeep({ to: ['anna@example.org'], nested: { reply: 'an bernd@example.net' } }),
    ).toEqual({
      to: ['a***@example.org'],
      nested: { reply: 'an b***@example.net' },
    });
    expect(maskDeep(42)).toBe(42);
  });

  it('masks URL-encoded addresses, apostrophes and deeply nested fields', () => {
    expect(maskDeep('mailto:max.mustermann%40example.org?subject=x')).toBe(
      'mailto:m***@example.org?subject=x',
    );
    expect(maskDeep("o'connor@example.org")).toBe('o***@example.org');
    const deep = { a: { b: { c: { d: { e: { f: { g: 'kunde@example.org' } } } } } } };
    expect(JSON.stringify(maskDeep(deep))).toContain('k***@example.org');
  });
});
