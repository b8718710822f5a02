// The IPC boundary: every input parsed before it touches the store, every answer an envelope.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agencySettings,
  booking,
  flight,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';

describe('the IPC handlers', () => {
  let t: TestApp;
  beforeEach(() => {
    t = startTestApp();
  });
  afterEach(() => t.close());

  const bookingCount = () =>
    (t.app.db.prepare('SELECT COUNT(*) AS n FROM bookings').get() as { n: number }).n;

  it('answer an unknown channel with a clear error', async () => {
    expect(await t.app.invoke('bookings.delete', { id: 1 })).toEqual({
      ok: false,
      error: { code: 'unknown_channel', message: 'Diese Aktion gibt es nicht.' },
    });
    expect(await t.app.invoke('__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'unknown_channel' },
    });
  });

  it('refuse malformed input with the fields to fix, and store nothing', async () => {
    const input = booking([flight('03.01.2027')]);
    input.customer.email = 'anna(at)example.org';
    input.customer.lastName = '';
    const result = await t.app.invoke('bookings.save', input);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (result.ok) return;
    expect(result.error.message).toBe(
      'Bitte prüfen Sie die markierten Felder. Es wurde nichts gespeichert.',
    );
    expect(result.error.issues).toEqual(
      expect.arrayContaining([
        { path: 'customer.lastName', code: 'required' },
        { path: 'customer.email', code: 'email' },
        { path: 'services.0.startDate', code: 'date' },
      ]),
    );
    expect(bookingCount()).toBe(0);
  });

  it.each([null, 'x', 42, [], { status: 'booked' }])(
    'refuse %j as a booking without throwing',
    async (input) => {
      expect(await t.app.invoke('bookings.save', input)).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
      expect(bookingCount()).toBe(0);
    },
  );

  it('refuse control characters in one-line fields', async () => {
    const input = booking([flight('2027-01-03')]);
    input.customer.firstName = 'Anna\r\nBcc: x@example.net';
    const result = await t.app.invoke('bookings.save', input);
    expect(result).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'customer.firstName', code: 'control_chars' }] },
    });
  });

  it.each([
    ['a zero-width space', 'An\u200bna'],
    ['a right-to-left override', 'Anna\u202egnp.exe'],
    ['a tab', 'An\tna'],
    ['an Arabic letter mark', 'An\u061cna'],
    ['a soft hyphen', 'An\u00adna'],
    ['an invisible tag character', 'Anna\u{e0041}'],
    ['a Hangul filler', 'Anna\u3164'],
    ['a lone surrogate', 'A\ud800B'],
  ])('refuse %s in a name', async (_name, firstName) => {
    const input = booking([flight('2027-01-03')]);
    input.customer.firstName = firstName;
    expect(await t.app.invoke('bookings.save', input)).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'customer.firstName', code: 'control_chars' }] },
    });
  });

  it('accept internationalised domains and refuse umlauts before the @ with their own code', async () => {
    await t.call('settings.save', agencySettings());
    const idn = booking([flight('2027-01-03')]);
    idn.customer.email = 'anna@bücher.de';
    const saved = await t.call('bookings.save', idn);
    expect(saved.booking.customer.email).toBe('anna@bücher.de');
    expect(saved.outcome).toEqual({ decision: 'mark', reason: 'first_mail' });

    const local = booking([flight('2027-01-03')]);
    local.customer.email = 'jürgen@example.org';
    expect(await t.app.invoke('bookings.save', local)).toMatchObject({
      ok: false,
      error: { issues: [{ path: 'customer.email', code: 'email_local_ascii' }] },
    });
  });

  it('give zod checks without a code of ours their stable zod code, never English text', async () => {
    const input = { ...booking([flight('2027-01-03', { travellers: 0 })]), extra: 1 };
    const result = await t.app.invoke('bookings.save', input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    for (const issue of result.error.issues ?? []) expect(issue.code).toMatch(/^[a-z_]+$/);
  });

  it.each(['testmails', './mails', '\\\\server\\share\\mails', '//server/share'])(
    'refuse %j as the test-mode folder: only a full local path',
    async (testFolder) => {
      const settings = agencySettings({ mode: 'test' });
      settings.delivery.testFolder = testFolder;
      expect(await t.app.invoke('settings.save', settings)).toMatchObject({
        ok: false,
        error: { issues: [{ path: 'delivery.testFolder', code: 'folder' }] },
      });
    },
  );

  it.each(['/home/agentur/Testmails', 'C:\\Users\\Agentur\\Testmails', 'D:/Mails', ''])(
    'accept %j as the test-mode folder',
    async (testFolder) => {
      const settings = agencySettings({ mode: 'test' });
      settings.delivery.testFolder = testFolder;
      expect((await t.app.invoke('settings.save', settings)).ok).toBe(true);
    },
  );

  it('refuse an objection dated in the future, and store nothing', async () => {
    const input = booking([flight('2027-01-03')]);
    input.customer.objected = true;
    input.customer.objectedOn = '2099-01-01';
    expect(await t.app.invoke('bookings.save', input)).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_input',
        issues: [{ path: 'customer.objectedOn', code: 'date_future' }],
      },
    });
    expect(bookingCount()).toBe(0);
  });

  it('answer a missing booking with not_found', async () => {
    expect(await t.app.invoke('bookings.get', { id: 999 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('give booking numbers in sequence per year, and find bookings by number and name', async () => {
    await t.call('settings.save', agencySettings());
    const a = await t.call('bookings.save', booking([flight('2027-01-03')]));
    const b = booking([flight('2027-01-03')]);
    b.customer.lastName = 'Müller_%';
    const saved = await t.call('bookings.save', b);
    expect([a.booking.number, saved.booking.number]).toEqual(['2026-00001', '2026-00002']);
    expect((await t.call('bookings.list', { query: '00002' })).map((x) => x.number)).toEqual([
      '2026-00002',
    ]);
    expect((await t.call('bookings.list', { query: 'anna schm' })).map((x) => x.number)).toEqual([
      '2026-00001',
    ]);
    expect((await t.call('bookings.list', { query: '_%' })).map((x) => x.number)).toEqual([
      '2026-00002',
    ]);
    expect(await t.call('bookings.list', { query: "' OR 1=1 --" })).toEqual([]);
    expect((await t.call('bookings.list', { query: '' })).map((x) => x.mailState)).toEqual([
      'marked',
      'marked',
    ]);
  });

  it('never send the SMTP password back, only whether one is set', async () => {
    await t.call('settings.save', agencySettings());
    expect(await t.call('settings.setSmtpPassword', { password: 'geheim-123' })).toEqual({
      smtpPasswordSet: true,
    });
    const view = await t.call('settings.get');
    expect(JSON.stringify(view)).not.toContain('geheim-123');
    expect(view.smtpPasswordSet).toBe(true);
    const stored = t.app.db
      .prepare("SELECT value FROM settings WHERE key LIKE 'secret:%'")
      .get() as { value: string };
    expect(stored.value).not.toContain('geheim-123');
    expect(await t.call('settings.setSmtpPassword', { password: '' })).toEqual({
      smtpPasswordSet: false,
    });
  });

  it('keep "vorbelegen" off while atmosfair itself is off', async () => {
    const settings = agencySettings({ atmosfair: false, preCheck: true });
    const view = await t.call('settings.save', settings);
    expect(view.settings.atmosfair).toEqual({ enabled: false, preCheck: false });
  });

  it('pre-check new bookings only when atmosfair and vorbelegen are both on', async () => {
    await t.call('settings.save', agencySettings({ atmosfair: true, preCheck: false }));
    expect((await t.call('bookings.draft')).booking.atmosfairMail).toBe(false);
    await t.call('settings.save', agencySettings({ atmosfair: true, preCheck: true }));
    const draft = await t.call('bookings.draft');
    expect(draft).toMatchObject({ atmosfairEnabled: true, booking: { atmosfairMail: true } });
  });

  it('keep the value of existing bookings when vorbelegen changes', async () => {
    await t.call('settings.save', agencySettings({ atmosfair: true, preCheck: false }));
    const saved = await t.call(
      'bookings.save',
      booking([flight('2027-01-03')], { atmosfairMail: false }),
    );
    await t.call('settings.save', agencySettings({ atmosfair: true, preCheck: true }));
    expect((await t.call('bookings.get', { id: saved.booking.id })).atmosfairMail).toBe(false);
  });

  it('show the next night run at the configured local time', async () => {
    const status = await t.call('nightRun.status');
    expect(status.nextRunAt).toBe('2026-12-05T03:00:00.000Z');
    expect(status.lastRun).toBeNull();
  });

  it('preview exactly the mail that will go out', async () => {
    await t.call('settings.save', agencySettings());
    const saved = await t.call('bookings.save', booking([flight('2027-01-03')]));
    const preview = await t.call('bookings.previewMail', { id: saved.booking.id });
    expect(preview.to).toBe('anna.schmidt@example.org');
    expect(preview.subject).toBe(`Ihre Reise ${saved.booking.number}: Klimaschutz mit atmosfair`);
    expect(preview.text).toContain('Flug BER → JFK (LH400) – Hinflug');
  });
});
