// End to end, with real parts only: the production renderer in Chromium, `window.api` bound to
// the main-process handlers on a fresh data folder, and a local SMTP server as the inbox.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/main/services/app';
import type { Cipher } from '../../src/main/services/secrets';
import {
  bindApi,
  buildRenderer,
  bundleApiScript,
  collectPageProblems,
  launchChromium,
  screenshot,
  screenshotElement,
  serveStatic,
  startSmtpSink,
  type SmtpSink,
  type StaticServer,
} from './harness';

const TIME_ZONE = 'Europe/Berlin';
const SMTP_USER = 'reisebuero-sonnenschein';
const SMTP_PASSWORD = 'Sommer-2026!';
const CUSTOMER_EMAIL = 'anna.schmidt@example.org';
const REFUSED_EMAIL = 'gibt-es-nicht@example.org';
const UNCERTAIN_EMAIL = 'funkloch@example.org';

/** Stands in for Electron's safeStorage, which only exists inside Electron. */
const testCipher: Cipher = {
  encrypt: (plain) => Buffer.from(`e2e:${plain}`, 'utf8'),
  decrypt: (encrypted) => encrypted.toString('utf8').replace(/^e2e:/, ''),
};

/** A date `days` from today in the agency's time zone, typed as the agent types it. */
function germanDateIn(days: number): string {
  return DateTime.now().setZone(TIME_ZONE).plus({ days }).toFormat('dd.MM.yyyy');
}

async function textOf(locator: Locator): Promise<string> {
  await locator.waitFor();
  return (await locator.textContent()) ?? '';
}

// Each test goes on from where the one before left the app, like an agent's working day.
describe('from a booking to the customer’s inbox', { timeout: 60_000 }, () => {
  let dataDir: string;
  let outDir: string;
  let app: App;
  let web: StaticServer;
  let smtp: SmtpSink;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'traveldesk-e2e-data-'));
    outDir = await mkdtemp(join(tmpdir(), 'traveldesk-e2e-renderer-'));
    const [, apiScript] = await Promise.all([buildRenderer(outDir), bundleApiScript()]);

    smtp = await startSmtpSink({
      user: SMTP_USER,
      password: SMTP_PASSWORD,
      acceptDelayMs: 700,
      refuseRecipient: (address) => address === REFUSED_EMAIL,
      dropAfterData: (address) => address === UNCERTAIN_EMAIL,
    });
    app = openApp({ dataDir, timeZone: TIME_ZONE, cipher: testCipher });
    web = await serveStatic(outDir);
    browser = await launchChromium();

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'de-DE',
      timezoneId: TIME_ZONE,
    });
    page = await context.newPage();
    // Fail at the step that hangs, well before the test's own timeout.
    page.setDefaultTimeout(10_000);
    problems = collectPageProblems(page);
    await bindApi(page, apiScript, (channel, input) => app.invoke(channel, input));
    await page.goto(web.url);
    await page.getByRole('heading', { name: 'Vorgänge', exact: true }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await smtp?.close();
    app?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name });
  const field = (label: string, scope: Page | Locator = page) =>
    scope.getByLabel(label, { exact: true });

  /** Types a new booking with one service (not a flight) and saves it; returns its number. */
  const saveSimpleBooking = async (booking: {
    firstName: string;
    lastName: string;
    email: string;
    type: string;
    description: string;
    startsInDays: number;
  }): Promise<string> => {
    await nav('Vorgänge').click();
    await page.getByRole('button', { name: 'Neuer Vorgang' }).click();
    await field('Vorname').fill(booking.firstName);
    await field('Nachname').fill(booking.lastName);
    await field('E-Mail').fill(booking.email);
    await page.getByRole('button', { name: 'Leistung hinzufügen' }).click();
    const service = page.getByTestId('service-0');
    await field('Art', service).selectOption({ label: booking.type });
    await field('Beschreibung', service).fill(booking.description);
    await field('Beginn', service).fill(germanDateIn(booking.startsInDays));
    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    expect(await textOf(page.getByTestId('save-outcome'))).toContain('Erstversand');
    return textOf(page.getByTestId('booking-number'));
  };

  it('a save that main refuses keeps everything the agent typed and names the field', async () => {
    await screenshot(page, '01-bookings-empty');
    await page.getByRole('button', { name: 'Neuer Vorgang' }).click();
    expect(await textOf(page.getByTestId('booking-title'))).toBe('Vorgang neu');

    await field('Nachname').fill('Schmidt');
    await field('Vorname').fill('Anna');
    await field('E-Mail').fill('anna.schmidt@');
    await page.getByRole('button', { name: 'Leistung hinzufügen' }).click();
    const service = page.getByTestId('service-0');
    await field('Beschreibung', service).fill('Flug Frankfurt – New York');
    await field('Beginn', service).fill(germanDateIn(30));
    await field('Abflughafen', service).fill('FRA');
    await field('Zielflughafen', service).fill('JFK');
    await field('Flugnummer', service).fill('LH 400');

    // Checked while typing, with the shared schema.
    const emailError = page.getByTestId('customer-email-error');
    expect(await textOf(emailError)).toBe('Bitte eine gültige E-Mail-Adresse eingeben.');

    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    expect(await textOf(page.getByTestId('save-refused'))).toContain('Es wurde nichts gespeichert');
    expect(await textOf(emailError)).toBe('Bitte eine gültige E-Mail-Adresse eingeben.');
    expect(await field('E-Mail').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, '02-booking-refused');

    expect(await field('Nachname').inputValue()).toBe('Schmidt');
    expect(await field('Vorname').inputValue()).toBe('Anna');
    expect(await field('E-Mail').inputValue()).toBe('anna.schmidt@');
    expect(await field('Beschreibung', service).inputValue()).toBe('Flug Frankfurt – New York');
    expect(await field('Beginn', service).inputValue()).toBe(germanDateIn(30));
    expect(await field('Abflughafen', service).inputValue()).toBe('FRA');
    expect(await field('Flugnummer', service).inputValue()).toBe('LH 400');
    expect(await textOf(page.getByTestId('booking-title'))).toBe('Vorgang neu');

    // Leaving with unsaved input asks first; nothing was stored.
    page.once('dialog', (dialog) => void dialog.accept());
    await nav('Vorgänge').click();
    expect(await textOf(page.getByTestId('booking-list'))).toContain('Keine Vorgänge gefunden.');
  });

  it('a booking saved with atmosfair on is marked, and the night run mails it once', async () => {
    // --- Agenturstammdaten: agency, sender, SMTP, atmosfair ----------------------------------
    await nav('Agenturstammdaten').click();
    await page.getByRole('heading', { name: 'Agenturstammdaten', exact: true }).waitFor();
    expect(await page.getByRole('radio', { name: /^Testmodus/ }).isChecked()).toBe(true);
    expect(await field('Ordner für Testmails').getAttribute('placeholder')).toContain(dataDir);
    expect(await field('Mailversand im Vorgang vorbelegen').isDisabled()).toBe(true);
    await screenshot(page, '03-settings-fresh');

    const agency: [string, string][] = [
      ['Name der Agentur', 'Reisebüro Sonnenschein'],
      ['Rechtsform', 'GmbH'],
      ['Straße und Hausnummer', 'Marktplatz 7'],
      ['PLZ', '79098'],
      ['Ort', 'Freiburg im Breisgau'],
      ['Telefon', '+49 761 123456'],
      ['E-Mail der Agentur', 'info@sonnenschein-reisen.example'],
      ['Website', 'https://sonnenschein-reisen.example'],
      ['Registergericht', 'Amtsgericht Freiburg'],
      ['Handelsregisternummer', 'HRB 123456'],
      ['Geschäftsführer', 'Petra Sonnenschein'],
      ['USt-IdNr.', 'DE123456789'],
      ['Absendername', 'Reisebüro Sonnenschein'],
      ['Absenderadresse', 'service@sonnenschein-reisen.example'],
      ['Antwortadresse (Reply-To)', 'team@sonnenschein-reisen.example'],
    ];
    for (const [label, value] of agency) await field(label).fill(value);

    await page.getByRole('radio', { name: /^SMTP/ }).check();
    await field('SMTP-Server').fill('127.0.0.1');
    await field('Port').fill(String(smtp.port));
    await field('Verschlüsselung').selectOption({ label: 'keine' });
    await field('Benutzername').fill(SMTP_USER);
    await field('Passwort').fill(SMTP_PASSWORD);

    await field('Atmosfair aktivieren').check();
    await field('Mailversand im Vorgang vorbelegen').check();
    await screenshot(page, '04-settings-filled');

    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    expect(await textOf(page.getByTestId('settings-saved'))).toBe('Gespeichert.');
    expect(await textOf(page.getByTestId('smtp-password-state'))).toContain('Passwort gespeichert');
    expect(await field('Passwort').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Verbindung testen' }).click();
    const connection = page.getByTestId('connection-result');
    await connection.waitFor();
    expect(await connection.getAttribute('class')).toContain('banner-success');
    await screenshot(page, '05-settings-saved');

    // --- Neuer Vorgang: a customer with e-mail and one flight 30 days ahead ------------------
    await nav('Vorgänge').click();
    await page.getByRole('button', { name: 'Neuer Vorgang' }).click();
    const atmosfairMail = field('Atmosfair Mailversand');
    expect(await atmosfairMail.isChecked()).toBe(true);

    await field('Anrede').selectOption({ label: 'Frau' });
    await field('Vorname').fill('Anna');
    await field('Nachname').fill('Schmidt');
    await field('E-Mail').fill(CUSTOMER_EMAIL);
    await field('Sprache').selectOption({ label: 'Deutsch' });
    await page.getByRole('button', { name: 'Leistung hinzufügen' }).click();
    const service = page.getByTestId('service-0');
    await field('Art', service).selectOption({ label: 'Flug' });
    await field('Beschreibung', service).fill('Flug Frankfurt – New York');
    await field('Beginn', service).fill(germanDateIn(30));
    await field('Ende', service).fill(germanDateIn(44));
    await field('Reisende', service).fill('2');
    await field('Abflughafen', service).fill('fra');
    await field('Zielflughafen', service).fill('JFK');
    await field('Flugnummer', service).fill('LH 400');
    await field('Klasse', service).selectOption({ label: 'Economy' });
    expect(await textOf(page.getByTestId('travel-date'))).toBe(germanDateIn(30));
    await screenshot(page, '06-booking-new-filled');

    await page.getByRole('button', { name: 'Speichern', exact: true }).click();
    const outcome = await textOf(page.getByTestId('save-outcome'));
    expect(outcome).toContain('Vorgemerkt für den nächsten Nachtlauf: Erstversand');
    const number = await textOf(page.getByTestId('booking-number'));
    expect(number).not.toBe('neu');
    expect(await textOf(page.getByTestId('booking-title'))).toBe(`Vorgang ${number}`);
    expect(await textOf(page.getByTestId('mail-mark'))).toContain('Erstversand');
    // The stored IATA code comes back as main normalised it.
    expect(await field('Abflughafen', service).inputValue()).toBe('FRA');
    await screenshot(page, '07-booking-saved');

    await page.getByRole('button', { name: 'Vorschau', exact: true }).click();
    expect(await textOf(page.getByTestId('mail-preview-subject'))).toContain(number);
    const htmlPreview = page.locator('[data-testid="mail-preview"] iframe.mail-html');
    expect(await htmlPreview.getAttribute('sandbox')).toBe('');
    const previewBody = page
      .frameLocator('[data-testid="mail-preview"] iframe.mail-html')
      .locator('body');
    expect(await textOf(previewBody)).toContain('atmosfair');
    await screenshot(page, '08-booking-preview');
    await screenshotElement(htmlPreview, '08b-booking-preview-html');

    // --- The list shows the mark; search narrows it ------------------------------------------
    await nav('Vorgänge').click();
    const rows = page.getByTestId('booking-row');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await textOf(rows.first().getByTestId('booking-mail-state'))).toBe('vorgemerkt');
    expect(await textOf(rows.first())).toContain(germanDateIn(30));
    await screenshot(page, '09-bookings-marked');

    const search = field('Suche nach Vorgangsnummer oder Kunde');
    await search.fill('Müller');
    await page.getByText('Keine Vorgänge gefunden.').waitFor();
    await search.fill('schmi');
    await rows.first().waitFor();
    expect(await textOf(rows.first())).toContain('Schmidt');
    await search.fill('');

    // The outbox lists the waiting mail.
    await nav('Postausgang').click();
    const outboxRows = page.getByTestId('outbox-row');
    await outboxRows.first().waitFor();
    expect(await outboxRows.count()).toBe(1);
    expect(await textOf(outboxRows.first())).toContain('vorgemerkt');
    await screenshot(page, '09b-outbox-marked');

    // --- Nachtlauf jetzt ausführen: exactly one mail reaches the inbox ----------------------
    await nav('Agenturstammdaten').click();
    expect(await textOf(page.getByTestId('night-run-pending'))).toBe('1');
    await page.getByRole('button', { name: 'Nachtlauf jetzt ausführen' }).click();
    await page.getByRole('status').filter({ hasText: 'Nachtlauf läuft' }).waitFor();
    await screenshot(page, '10-night-run-running');
    const summary = page.getByTestId('night-run-summary');
    expect(await textOf(summary.getByTestId('night-run-sent'))).toBe('1 gesendet');
    expect(await textOf(summary.getByTestId('night-run-due'))).toBe('1 fällig');
    await screenshot(page, '10b-night-run-done');

    const [mail] = await smtp.waitForMails(1);
    expect(smtp.logins).toContainEqual({ username: SMTP_USER, password: SMTP_PASSWORD });
    expect(mail?.envelope.to).toEqual([CUSTOMER_EMAIL]);
    expect(mail?.parsed.subject).toContain(number);
    expect(mail?.parsed.from?.text).toContain('service@sonnenschein-reisen.example');
    expect(mail?.parsed.replyTo?.text).toContain('team@sonnenschein-reisen.example');
    expect(mail?.parsed.text).toContain('Flug Frankfurt – New York');

    // The same mark is never sent twice.
    await page.getByRole('button', { name: 'Nachtlauf jetzt ausführen' }).click();
    expect(await textOf(summary.getByTestId('night-run-sent'))).toBe('0 gesendet');
    await new Promise((done) => setTimeout(done, 300));
    expect(smtp.mails).toHaveLength(1);

    // --- The booking shows what was sent, when and to whom ----------------------------------
    await nav('Vorgänge').click();
    await rows.first().waitFor();
    expect(await textOf(rows.first().getByTestId('booking-mail-state'))).toBe('gesendet');
    await rows.first().click();
    const sentMails = page.getByTestId('sent-mails');
    expect(await textOf(sentMails)).toContain(`an ${CUSTOMER_EMAIL}`);
    expect(await textOf(page.getByTestId('mail-mark'))).toBe('Nicht vorgemerkt.');
    await sentMails.getByRole('button', { name: 'Gesendete Mail anzeigen' }).click();
    const sentCopy = sentMails.locator('.mail-view');
    expect(await textOf(sentCopy.locator('dd').nth(1))).toBe(mail?.parsed.subject);
    await screenshot(page, '11-booking-sent');

    await nav('Postausgang').click();
    expect(await textOf(page.getByTestId('outbox-list'))).toContain('Der Postausgang ist leer');

    // --- The second language -----------------------------------------------------------------
    await nav('Vorgänge').click();
    await field('Sprache der Oberfläche').selectOption('en');
    await page.getByRole('heading', { name: 'Bookings', exact: true }).waitFor();
    expect(await textOf(rows.first().getByTestId('booking-mail-state'))).toBe('sent');
    await screenshot(page, '12-bookings-english');
    await field('Interface language').selectOption('de');
    await page.getByRole('heading', { name: 'Vorgänge', exact: true }).waitFor();
  });

  it('a mail the server refuses shows in the outbox with its reply and can be tried again', async () => {
    // Continues with the agency set up above: SMTP and atmosfair are on.
    const number = await saveSimpleBooking({
      firstName: 'Bernd',
      lastName: 'Beispiel',
      email: REFUSED_EMAIL,
      type: 'Hotel',
      description: 'Hotel am See, Doppelzimmer',
      startsInDays: 20,
    });

    await nav('Postausgang').click();
    await page.getByRole('button', { name: 'Nachtlauf jetzt ausführen' }).click();
    const summary = page.getByTestId('night-run-summary');
    expect(await textOf(summary.getByTestId('night-run-failed'))).toBe('1 fehlgeschlagen');
    const row = page.getByTestId('outbox-row').filter({ hasText: number });
    expect(await textOf(row)).toContain('fehlgeschlagen');
    expect(await textOf(row)).toContain('550');
    await screenshot(page, '13-outbox-failed');

    await row.getByRole('button', { name: number }).click();
    expect(await textOf(page.getByTestId('mail-mark'))).toContain('Fehlgeschlagen');
    expect(await textOf(page.getByTestId('mail-last-error'))).toContain('550');
    await screenshot(page, '14-booking-failed');

    await nav('Postausgang').click();
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Erneut versuchen' }).click();
    expect(await textOf(page.getByTestId('outbox-notice'))).toContain('wieder vorgemerkt');
    await row.getByText('vorgemerkt', { exact: true }).waitFor();
    // The status is read again after the action, so the count follows.
    await expect.poll(() => page.getByTestId('night-run-pending').textContent()).toBe('1');
    await screenshot(page, '15-outbox-retried');
    expect(smtp.mails).toHaveLength(1);
  });

  it('a mail whose line broke after hand-over is uncertain, and the agent can confirm it as sent', async () => {
    const number = await saveSimpleBooking({
      firstName: 'Clara',
      lastName: 'Funk',
      email: UNCERTAIN_EMAIL,
      type: 'Bahn',
      description: 'ICE Freiburg – Hamburg',
      startsInDays: 25,
    });

    await nav('Postausgang').click();
    await page.getByRole('button', { name: 'Nachtlauf jetzt ausführen' }).click();
    const summary = page.getByTestId('night-run-summary');
    expect(await textOf(summary.getByTestId('night-run-uncertain'))).toBe('1 unklar');
    const row = page.getByTestId('outbox-row').filter({ hasText: number });
    expect(await textOf(row)).toContain('unklar');
    await screenshot(page, '16-outbox-uncertain');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Als gesendet bestätigen' }).click();
    expect(await textOf(page.getByTestId('outbox-notice'))).toContain('gilt jetzt als gesendet');

    await nav('Vorgänge').click();
    await page.getByTestId('booking-row').filter({ hasText: number }).click();
    expect(await textOf(page.getByTestId('sent-mails'))).toContain(UNCERTAIN_EMAIL);
    await screenshot(page, '17-booking-confirmed');
    // The server got the message exactly once; nothing was resent.
    expect(smtp.mails.filter((m) => m.envelope.to.includes(UNCERTAIN_EMAIL))).toHaveLength(1);
  });

  it('the page ran without errors and cannot reach the network under its CSP', async () => {
    expect(problems).toEqual([]);

    const fetched = await page.evaluate(async (url) => {
      try {
        await fetch(url);
        return 'reached';
      } catch {
        return 'blocked';
      }
    }, web.url);
    expect(fetched).toBe('blocked');
  });
});
