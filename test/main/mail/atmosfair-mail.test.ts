// The fixed mail: both languages, both parts, the legal footer, the objection notice, and
// customer text that can neither break the HTML nor add a header.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  renderAtmosfairMail,
  ATMOSFAIR_LINKS,
} from '../../../src/main/services/mail/atmosfair-template';
import { composeAtmosfairMail } from '../../../src/main/services/mail/compose';
import type { StoredService } from '../../../src/shared/contract';
import type { Customer } from '../../../src/shared/domain';
import { agencySettings } from '../../support/fixtures';

const customer: Customer = {
  salutation: 'ms',
  firstName: 'Anna',
  lastName: 'Schmidt',
  email: 'anna.schmidt@example.org',
  language: 'de',
  objected: false,
  objectedOn: null,
};

const services: StoredService[] = [
  {
    id: 7,
    type: 'hotel',
    description: 'Strandhotel',
    startDate: '2027-01-04',
    endDate: '2027-01-11',
    travellers: 2,
    flight: null,
  },
  {
    id: 6,
    type: 'flight',
    description: 'Hinflug',
    startDate: '2027-01-03',
    endDate: null,
    travellers: 2,
    flight: {
      departureAirport: 'BER',
      arrivalAirport: 'JFK',
      flightNumber: 'LH400',
      cabinClass: 'economy',
    },
  },
];

function compose(overrides: Partial<Customer> = {}, serviceList = services) {
  return composeAtmosfairMail({
    settings: agencySettings(),
    bookingNumber: '2026-00042',
    markId: 3,
    customer: { ...customer, ...overrides },
    services: serviceList,
    date: new Date('2026-12-05T03:00:00Z'),
  });
}

describe('the atmosfair mail', () => {
  it('greets in German, lists the trip with dates in order and links to atmosfair', () => {
    const mail = renderAtmosfairMail({
      language: 'de',
      bookingNumber: '2026-00042',
      customer,
      services,
      settings: agencySettings(),
    });
    expect(mail.subject).toBe('Ihre Reise 2026-00042: Klimaschutz mit atmosfair');
    expect(mail.text).toContain('Sehr geehrte Frau Schmidt,');
    const flightAt = mail.text.indexOf('Flug BER → JFK (LH400) – Hinflug, 03.01.2027, 2 Reisende');
    const hotelAt = mail.text.indexOf('Hotel – Strandhotel, 04.01.2027 bis 11.01.2027, 2 Reisende');
    expect(flightAt).toBeGreaterThan(0);
    expect(hotelAt).toBeGreaterThan(flightAt);
    expect(mail.text).toContain(ATMOSFAIR_LINKS.de);
    expect(mail.html).toContain(`href="${ATMOSFAIR_LINKS.de}"`);
  });

  it('follows the customer language: English for an English-speaking customer', () => {
    const mail = renderAtmosfairMail({
      language: 'en',
      bookingNumber: '2026-00042',
      customer: { ...customer, salutation: 'mr', lastName: 'Smith' },
      services,
      settings: agencySettings(),
    });
    expect(mail.subject).toBe('Your trip 2026-00042: climate protection with atmosfair');
    expect(mail.text).toContain('Dear Mr Smith,');
    expect(mail.text).toContain('Flight BER → JFK (LH400)');
    expect(mail.text).toContain(ATMOSFAIR_LINKS.en);
    expect(mail.text).toContain('You can object to receiving these information mails at any time');
  });

  it("carries the agency's legal details and a separate objection notice in both parts", () => {
    const mail = renderAtmosfairMail({
      language: 'de',
      bookingNumber: '2026-00042',
      customer,
      services,
      settings: agencySettings(),
    });
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('Reisebüro Sonnenschein GmbH');
      expect(part).toContain('Hauptstraße 1');
      expect(part).toContain('10115 Berlin');
      expect(part).toContain('Registergericht: Amtsgericht Berlin-Charlottenburg');
      expect(part).toContain('Registernummer: HRB 123456');
      expect(part).toContain('Geschäftsführung: Erika Sonnenschein');
      expect(part).toContain('USt-IdNr.: DE123456789');
      expect(part).toContain('jederzeit widersprechen');
    }
  });

  it('escapes customer and agent text in the HTML part', () => {
    const mail = renderAtmosfairMail({
      language: 'de',
      bookingNumber: '2026-00042',
      customer: {
        ...customer,
        salutation: 'none',
        firstName: '<script>alert(1)</script>',
        lastName: 'O"Brien & <b>Co</b>',
      },
      services: [{ ...services[0]!, description: '<img src=x onerror=alert(2)>' }],
      settings: agencySettings(),
    });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>Co</b>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(mail.html).toContain('O&quot;Brien &amp; &lt;b&gt;Co&lt;/b&gt;');
  });

  it('is a multipart mail with the headers the product promises', async () => {
    const mail = await compose();
    const parsed = await simpleParser(mail.raw);
    expect(parsed.messageId).toBe('<atmosfair.2026-00042.3@sonnenschein-reisen.de>');
    expect(parsed.subject).toBe('Ihre Reise 2026-00042: Klimaschutz mit atmosfair');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.replyTo?.value[0]?.address).toBe('info@sonnenschein-reisen.de');
    expect(parsed.from?.value[0]).toEqual({
      name: 'Reisebüro Sonnenschein',
      address: 'service@sonnenschein-reisen.de',
    });
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0] : null).toEqual({
      name: 'Anna Schmidt',
      address: 'anna.schmidt@example.org',
    });
    const unsubscribe = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line;
    expect(unsubscribe?.replace(/\r\n\s+/g, ' ')).toBe(
      'List-Unsubscribe: <mailto:info@sonnenschein-reisen.de?subject=Widerspruch%20atmosfair-Mails%202026-00042>',
    );
    expect(parsed.text).toContain('Sehr geehrte Frau Schmidt,');
    expect(parsed.html).toContain('Sehr geehrte Frau Schmidt,');
  });

  it('keeps the same Message-ID for every attempt of one mark', async () => {
    expect((await compose()).messageId).toBe((await compose()).messageId);
  });

  it('never lets customer text add a header, even with line breaks in the name', async () => {
    const mail = await compose({
      salutation: 'none',
      firstName: 'Eve\r\nBcc: victim@example.net',
      lastName: 'X\nSubject: Gewonnen',
    });
    const parsed = await simpleParser(mail.raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.get('bcc')).toBeUndefined();
    expect(parsed.subject).toBe('Ihre Reise 2026-00042: Klimaschutz mit atmosfair');
    expect(mail.envelope.to).toEqual(['anna.schmidt@example.org']);
    const headerBlock = mail.raw.toString('utf8').split(/\r?\n\r?\n/)[0]!;
    expect(headerBlock).not.toMatch(/^Bcc:/im);
    expect(headerBlock.match(/^Subject:/gim)).toHaveLength(1);
  });

  it('never lets a name pose as an encoded word, e.g. a fake "Bcc:" display name', async () => {
    const mail = await compose({
      salutation: 'none',
      firstName: '=?utf-8?Q?Bcc=3A_victim=40evil=2Eexample?=',
      lastName: 'X',
    });
    const parsed = await simpleParser(mail.raw);
    const to = parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0] : null;
    expect(to?.name).not.toContain('Bcc: victim@evil.example');
    expect(to?.address).toBe('anna.schmidt@example.org');
  });

  it('sends to an internationalised domain as punycode', async () => {
    const mail = await compose({ email: 'anna@bücher.de' });
    expect(mail.envelope.to).toEqual(['anna@xn--bcher-kva.de']);
  });
});
