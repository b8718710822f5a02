// From save to inbox: bookings saved through the real handlers into a real SQLite file, the
// night run sending to a real SMTP server on 127.0.0.1, every mail parsed and checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  agencySettings,
  booking,
  flight,
  hotel,
  startTestApp,
  type TestApp,
} from '../../support/fixtures';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink';

describe('from a saved booking to the customer inbox', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeEach(async () => {
    smtp = await startSmtpSink();
    t = startTestApp();
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port }));
  });
  afterEach(async () => {
    t.close();
    await smtp.close();
  });

  /** The night passes: the clock moves to 04:00 of the next day and the run goes. */
  async function night() {
    t.clock.advance({ days: 1 });
    t.clock.set(`${t.clock.date(0)}T04:00`);
    return t.app.runNightRun('schedule');
  }

  it('sends the first mail for a booking with a flight 30 days ahead, with everything the mail must carry', async () => {
    const { booking: saved, outcome } = await t.call(
      'bookings.save',
      booking([flight(t.clock.date(30))]),
    );
    expect(outcome).toEqual({ decision: 'mark', reason: 'first_mail' });
    expect(saved.mail.mark?.reason).toBe('first_mail');

    const summary = await night();
    expect(summary).toMatchObject({ due: 1, sent: 1, withdrawn: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);

    const mail = smtp.received[0]!;
    expect(mail.envelopeTo).toEqual(['anna.schmidt@example.org']);
    expect(mail.envelopeFrom).toBe('service@sonnenschein-reisen.de');
    const parsed = mail.parsed;
    expect(parsed.subject).toBe(`Ihre Reise ${saved.number}: Klimaschutz mit atmosfair`);
    expect(parsed.text).toContain('Sehr geehrte Frau Schmidt,');
    expect(parsed.html).toContain('Sehr geehrte Frau Schmidt,');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.replyTo?.value[0]?.address).toBe('info@sonnenschein-reisen.de');
    expect(parsed.messageId).toMatch(
      new RegExp(`^<atmosfair\\.${saved.number}\\.\\d+@sonnenschein-reisen\\.de>$`),
    );
    expect(parsed.headerLines.some((h) => h.key === 'list-unsubscribe')).toBe(true);
    expect(parsed.text).toContain('HRB 123456');
    expect(parsed.text).toContain('jederzeit widersprechen');

    // Recorded on the booking: when, to whom, which services, Message-ID and a copy.
    const after = await t.call('bookings.get', { id: saved.id });
    expect(after.mail.mark).toBeNull();
    expect(after.mail.lastDecision).toMatchObject({ decision: 'unmark', reason: 'up_to_date' });
    expect(after.mail.sent).toHaveLength(1);
    expect(after.mail.sent[0]).toMatchObject({
      recipient: 'anna.schmidt@example.org',
      messageId: parsed.messageId,
      serviceIds: saved.services.map((s) => s.id),
    });
    const copy = t.app.db
      .prepare('SELECT raw FROM sent_mails WHERE booking_id = ?')
      .get(saved.id) as { raw: Buffer };
    expect((await simpleParser(copy.raw)).messageId).toBe(parsed.messageId);

    // A second night has nothing left to send.
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it.each([
    ['unticked', booking([flight('2027-01-03')], { atmosfairMail: false }), 'unticked'],
    ['cancelled', booking([flight('2027-01-03')], { status: 'cancelled' }), 'cancelled'],
    ['in the past', booking([flight('2026-11-20')]), 'travel_date_not_future'],
    ['travelling today', booking([flight('2026-12-04')]), 'travel_date_not_future'],
    ['without services', booking([]), 'no_travel_date'],
  ])('sends nothing for a booking that is %s', async (_name, input, reason) => {
    const { outcome } = await t.call('bookings.save', input);
    expect(outcome).toEqual({ decision: 'unmark', reason });
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it('sends nothing for a booking without an e-mail address, and for a customer who objected', async () => {
    const noEmail = booking([flight('2027-01-03')]);
    noEmail.customer.email = '';
    expect((await t.call('bookings.save', noEmail)).outcome).toEqual({
      decision: 'unmark',
      reason: 'no_email',
    });
    const objected = booking([flight('2027-01-03')]);
    objected.customer.objected = true;
    const saved = await t.call('bookings.save', objected);
    expect(saved.outcome).toEqual({ decision: 'unmark', reason: 'objected' });
    expect(saved.booking.customer.objectedOn).toBe('2026-12-04');
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it('an objection belongs to the customer: another booking under the same address gets no mail', async () => {
    const objected = booking([flight('2027-01-03')]);
    objected.customer.objected = true;
    await t.call('bookings.save', objected);
    const other = booking([flight('2027-02-03')]);
    other.customer.email = ' Anna.Schmidt@Example.org ';
    expect((await t.call('bookings.save', other)).outcome).toEqual({
      decision: 'unmark',
      reason: 'objected',
    });
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
  });

  it('a customer at an internationalised domain gets the first mail once, not every night', async () => {
    const input = booking([flight('2027-01-03')]);
    input.customer.email = 'Kunde@Müller-Reisen.de';
    await t.call('bookings.save', input);
    expect(await night()).toMatchObject({ due: 1, sent: 1 });
    // On the wire the domain is punycode (smtp-server shows the envelope decoded again).
    expect(smtp.received[0]!.raw.toString()).toContain('Kunde@xn--mller-reisen-dlb.de');
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('an objection under an internationalised address also covers its other spellings', async () => {
    const objected = booking([flight('2027-01-03')]);
    objected.customer.email = 'anna@bücher.de';
    objected.customer.objected = true;
    await t.call('bookings.save', objected);
    const other = booking([flight('2027-02-03')]);
    other.customer.email = 'ANNA@xn--bcher-kva.de';
    expect((await t.call('bookings.save', other)).outcome).toEqual({
      decision: 'unmark',
      reason: 'objected',
    });
  });

  it('marks nothing while atmosfair is disabled for the agency', async () => {
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port, atmosfair: false }));
    const { outcome } = await t.call('bookings.save', booking([flight('2027-01-03')]));
    expect(outcome).toEqual({ decision: 'ignore', reason: 'atmosfair_disabled' });
    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(0);
  });

  it('sends a second mail after a service is added, covering the new service', async () => {
    const first = await t.call('bookings.save', booking([flight('2027-01-03')]));
    await night();
    const current = await t.call('bookings.get', { id: first.booking.id });
    const { outcome } = await t.call('bookings.save', {
      ...booking([...current.services, hotel('2027-01-04', '2027-01-11')]),
      id: current.id,
    });
    expect(outcome).toEqual({ decision: 'mark', reason: 'service_added' });

    expect(await night()).toMatchObject({ due: 1, sent: 1 });
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.parsed.text).toContain(
      'Hotel – Hotel am Meer, 04.01.2027 bis 11.01.2027',
    );
    expect(smtp.received[1]!.parsed.messageId).not.toBe(smtp.received[0]!.parsed.messageId);
  });

  it('sends no second mail after a mere edit or a removed service', async () => {
    const first = await t.call(
      'bookings.save',
      booking([flight('2027-01-03'), hotel('2027-01-04')]),
    );
    await night();
    const current = await t.call('bookings.get', { id: first.booking.id });
    const [flightService, hotelService] = current.services;
    const edited = await t.call('bookings.save', {
      ...booking([
        { ...flightService!, description: 'Hinflug, Platz 12A', startDate: '2027-01-05' },
        hotelService!,
      ]),
      id: current.id,
    });
    expect(edited.outcome).toEqual({ decision: 'unmark', reason: 'up_to_date' });
    const removed = await t.call('bookings.save', {
      ...booking([edited.booking.services[0]!]),
      id: current.id,
    });
    expect(removed.outcome).toEqual({ decision: 'unmark', reason: 'up_to_date' });

    expect(await night()).toMatchObject({ due: 0, sent: 0 });
    expect(smtp.received).toHaveLength(1);
  });

  it('sends again to a new recipient when the customer e-mail changes', async () => {
    const first = await t.call('bookings.save', booking([flight('2027-01-03')]));
    await night();
    const current = await t.call('bookings.get', { id: first.booking.id });
    const input = booking(current.services, { id: current.id });
    input.customer.email = 'anna.privat@example.org';
    expect((await t.call('bookings.save', input)).outcome).toEqual({
      decision: 'mark',
      reason: 'new_recipient',
    });
    await night();
    expect(smtp.received.map((m) => m.envelopeTo[0])).toEqual([
      'anna.schmidt@example.org',
      'anna.privat@example.org',
    ]);
  });

  it('keeps one mark when a marked booking is saved again, and sends the content as it is at night', async () => {
    const first = await t.call('bookings.save', booking([flight('2027-01-03')]));
    const again = await t.call('bookings.save', {
      ...booking([{ ...first.booking.services[0]!, description: 'Geänderter Hinflug' }]),
      id: first.booking.id,
    });
    expect(again.outcome.decision).toBe('mark');
    const marks = t.app.db.prepare("SELECT COUNT(*) AS n FROM marks WHERE state = 'marked'").get();
    expect(marks).toEqual({ n: 1 });
    await night();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.parsed.text).toContain('Geänderter Hinflug');
  });

  it('withdraws, instead of mailing, a mark whose travel date has passed by the night', async () => {
    await t.call('bookings.save', booking([flight(t.clock.date(1))]));
    const summary = await night(); // the night run happens on the travel date itself
    expect(summary).toMatchObject({ due: 1, sent: 0, withdrawn: 1 });
    expect(smtp.received).toHaveLength(0);
    const mark = t.app.db.prepare('SELECT state, withdrawn_reason FROM marks').get();
    expect(mark).toEqual({ state: 'withdrawn', withdrawn_reason: 'travel_date_not_future' });
  });

  it('withdraws at night a mark the agent unticked, or whose booking was cancelled, and one after atmosfair was switched off', async () => {
    const a = await t.call('bookings.save', booking([flight('2027-01-03')]));
    const b = await t.call('bookings.save', booking([flight('2027-01-03')]));
    await t.call('bookings.save', {
      ...booking(a.booking.services, { atmosfairMail: false }),
      id: a.booking.id,
    });
    await t.call('bookings.save', {
      ...booking(b.booking.services, { status: 'cancelled' }),
      id: b.booking.id,
    });
    await t.call('bookings.save', booking([flight('2027-01-03')]));
    await t.call('settings.save', agencySettings({ smtpPort: smtp.port, atmosfair: false }));

    expect(await night()).toMatchObject({ due: 1, sent: 0, withdrawn: 1 });
    expect(smtp.received).toHaveLength(0);
    const reasons = t.app.db.prepare('SELECT withdrawn_reason FROM marks ORDER BY id').all();
    expect(reasons).toEqual([
      { withdrawn_reason: 'unticked' },
      { withdrawn_reason: 'cancelled' },
      { withdrawn_reason: 'atmosfair_disabled' },
    ]);
  });

  it('in test mode writes each due mail as .eml into the folder and leaves the mark in place', async () => {
    await t.call('settings.save', agencySettings({ mode: 'test' }));
    const { booking: saved } = await t.call('bookings.save', booking([flight('2027-01-03')]));
    expect(await night()).toMatchObject({ due: 1, sent: 0, written: 1, testMode: true });
    expect(smtp.received).toHaveLength(0);

    const folder = join(t.dataDir, 'testmails');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(readFileSync(join(folder, files[0]!)));
    expect(parsed.subject).toContain(saved.number);
    const after = await t.call('bookings.get', { id: saved.id });
    expect(after.mail.mark?.state).toBe('marked');
    expect(after.mail.sent).toEqual([]);
  });

  it('a new installation starts in test mode, so no customer gets a mail before the agency is ready', async () => {
    const fresh = startTestApp();
    try {
      const view = await fresh.call('settings.get');
      expect(view.settings.delivery.mode).toBe('test');
      expect(view.settings.atmosfair).toEqual({ enabled: false, preCheck: false });
      expect(view.settings.nightRun.time).toBe('04:00');
    } finally {
      fresh.close();
    }
  });

  it('stops the run with one clear message when the mail server refuses the connection, and keeps every mark', async () => {
    await t.call('bookings.save', booking([flight('2027-01-03')]));
    await t.call('bookings.save', booking([flight('2027-01-04')]));
    await smtp.close();
    await expect(night()).rejects.toThrow(/nicht erreichbar/);
    const marks = t.app.db.prepare('SELECT state, attempts FROM marks').all();
    expect(marks).toEqual([
      { state: 'marked', attempts: 0 },
      { state: 'marked', attempts: 0 },
    ]);
    smtp = await startSmtpSink();
  });

  it('lets a second trigger in the same process find the run in progress', async () => {
    await t.call('bookings.save', booking([flight('2027-01-03')]));
    const first = t.app.runNightRun('schedule');
    const second = await t.app.invoke('nightRun.runNow', undefined);
    expect(second).toMatchObject({ ok: false, error: { code: 'run_in_progress' } });
    await first;
    expect(smtp.received).toHaveLength(1);
  });
});
