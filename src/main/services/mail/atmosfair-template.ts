// The fixed atmosfair mail, in German and English. Part of the application: agencies cannot
// edit it. Renders plain text and HTML from the booking; customer text is escaped in HTML.
import escapeHtml from 'escape-html';
import type { AgencySettings, Customer, Language, ServiceType } from '../../../shared/domain';
import type { StoredService } from '../../../shared/contract';
import { formatGermanDate } from '../../../shared/dates';

export interface TemplateInput {
  language: Language;
  bookingNumber: string;
  customer: Customer;
  services: readonly StoredService[];
  settings: AgencySettings;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export const ATMOSFAIR_LINKS: Record<Language, string> = {
  de: 'https://www.atmosfair.de/de/kompensieren/flug/',
  en: 'https://www.atmosfair.de/en/offset/flight/',
};

interface Texts {
  subject: (number: string) => string;
  greeting: (customer: Customer) => string;
  intro: (agency: string) => string;
  serviceTypes: Record<ServiceType, string>;
  travellers: (n: number) => string;
  until: string;
  atmosfairHeading: string;
  atmosfair: string[];
  linkLabel: string;
  closing: string;
  objectionHeading: string;
  objection: string;
  footer: {
    phone: string;
    email: string;
    web: string;
    court: string;
    number: string;
    directors: string;
    vat: string;
  };
}

const TEXTS: Record<Language, Texts> = {
  de: {
    subject: (number) => `Ihre Reise ${number}: Klimaschutz mit atmosfair`,
    greeting: (c) =>
      c.salutation === 'ms'
        ? `Sehr geehrte Frau ${c.lastName},`
        : c.salutation === 'mr'
          ? `Sehr geehrter Herr ${c.lastName},`
          : `Guten Tag ${fullName(c)},`,
    intro: (agency) =>
      `vielen Dank für Ihre Buchung${agency ? ` bei ${agency}` : ''}. ` +
      'Hier noch einmal Ihre Reise im Überblick:',
    serviceTypes: {
      flight: 'Flug',
      hotel: 'Hotel',
      package: 'Pauschalreise',
      rail: 'Bahn',
      car_hire: 'Mietwagen',
      insurance: 'Versicherung',
      other: 'Leistung',
    },
    travellers: (n) => (n === 1 ? '1 Reisender' : `${n} Reisende`),
    until: 'bis',
    atmosfairHeading: 'Klimaschutz mit atmosfair',
    atmosfair: [
      'Fliegen belastet das Klima. atmosfair ist eine gemeinnützige Klimaschutzorganisation: ' +
        'Mit einem freiwilligen Klimabeitrag gleichen Sie die Emissionen Ihres Fluges aus, und ' +
        'atmosfair finanziert damit Projekte für erneuerbare Energien.',
      'Auf der Website von atmosfair berechnen Sie den Beitrag für Ihre Flüge und kompensieren ' +
        'ihn direkt:',
    ],
    linkLabel: 'Flug jetzt kompensieren',
    closing: 'Wir wünschen Ihnen eine gute Reise!\n\nMit freundlichen Grüßen',
    objectionHeading: 'Keine solchen Hinweise mehr?',
    objection:
      'Sie können dem Empfang dieser Informationsmails jederzeit widersprechen: Antworten Sie ' +
      'einfach auf diese E-Mail, dann senden wir Ihnen keine weiteren zu.',
    footer: {
      phone: 'Telefon',
      email: 'E-Mail',
      web: 'Web',
      court: 'Registergericht',
      number: 'Registernummer',
      directors: 'Geschäftsführung',
      vat: 'USt-IdNr.',
    },
  },
  en: {
    subject: (number) => `Your trip ${number}: climate protection with atmosfair`,
    greeting: (c) =>
      c.salutation === 'ms'
        ? `Dear Ms ${c.lastName},`
        : c.salutation === 'mr'
          ? `Dear Mr ${c.lastName},`
          : `Dear ${fullName(c)},`,
    intro: (agency) =>
      `thank you for booking${agency ? ` with ${agency}` : ''}. Here is your trip at a glance:`,
    serviceTypes: {
      flight: 'Flight',
      hotel: 'Hotel',
      package: 'Package holiday',
      rail: 'Rail',
      car_hire: 'Car hire',
      insurance: 'Insurance',
      other: 'Service',
    },
    travellers: (n) => (n === 1 ? '1 traveller' : `${n} travellers`),
    until: 'to',
    atmosfairHeading: 'Climate protection with atmosfair',
    atmosfair: [
      'Flying has an impact on the climate. atmosfair is a non-profit climate protection ' +
        'organisation: with a voluntary contribution you offset the emissions of your flight, ' +
        'and atmosfair uses it to fund renewable energy projects.',
      "On atmosfair's website you can calculate the contribution for your flights and offset " +
        'them right away:',
    ],
    linkLabel: 'Offset your flight now',
    closing: 'We wish you a pleasant journey!\n\nKind regards',
    objectionHeading: 'No more notes like this?',
    objection:
      'You can object to receiving these information mails at any time: simply reply to this ' +
      'e-mail and we will not send you any more.',
    footer: {
      phone: 'Phone',
      email: 'E-mail',
      web: 'Web',
      court: 'Register court',
      number: 'Register number',
      directors: 'Managing directors',
      vat: 'VAT ID',
    },
  },
};

// Inline styles: mail programs ignore style sheets.
const BODY_STYLE = [
  'font-family:Arial,Helvetica,sans-serif',
  'font-size:15px',
  'line-height:1.5',
  'color:#1f2933',
  'max-width:640px',
  'margin:0 auto',
  'padding:16px',
].join(';');
const BUTTON_STYLE = [
  'display:inline-block',
  'padding:10px 16px',
  'background:#0b6e4f',
  'color:#ffffff',
  'text-decoration:none',
  'border-radius:4px',
].join(';');
const NOTICE_STYLE = [
  'margin-top:16px',
  'padding:12px',
  'border:1px solid #cbd2d9',
  'background:#f5f7fa',
  'font-size:13px',
].join(';');

export function renderAtmosfairMail(input: TemplateInput): RenderedMail {
  const t = TEXTS[input.language];
  const agencyName = agencyDisplayName(input.settings);
  const serviceLines = [...input.services]
    .sort((a, b) => a.startDate.localeCompare(b.startDate))
    .map((service) => describeService(service, t));
  const link = ATMOSFAIR_LINKS[input.language];
  // The sender's name, then the agency, unless the sender is just the agency itself.
  const fromName = input.settings.sender.fromName;
  const signature = [
    fromName && fromName !== input.settings.agency.name && fromName !== agencyName ? fromName : '',
    agencyName,
  ].filter(Boolean);
  const footer = footerLines(input.settings, t);

  const text = [
    t.greeting(input.customer),
    '',
    t.intro(agencyName),
    '',
    ...serviceLines.map((line) => `  • ${line}`),
    '',
    t.atmosfairHeading,
    '',
    ...t.atmosfair.flatMap((p) => [p, '']),
    `${t.linkLabel}: ${link}`,
    '',
    t.closing,
    ...signature,
    '',
    '-- ',
    ...footer,
    '',
    '----------------------------------------',
    t.objectionHeading,
    t.objection,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!DOCTYPE html>
<html lang="${input.language}">
<head><meta charset="utf-8"><title>${e(t.subject(input.bookingNumber))}</title></head>
<body style="${BODY_STYLE}">
<p>${e(t.greeting(input.customer))}</p>
<p>${e(t.intro(agencyName))}</p>
<ul>
${serviceLines.map((line) => `<li>${e(line)}</li>`).join('\n')}
</ul>
<h2 style="font-size:18px;color:#0b6e4f">${e(t.atmosfairHeading)}</h2>
${t.atmosfair.map((p) => `<p>${e(p)}</p>`).join('\n')}
<p><a href="${e(link)}" style="${BUTTON_STYLE}">${e(t.linkLabel)}</a></p>
<p>${e(t.closing).replace(/\n/g, '<br>')}<br>${signature.map(e).join('<br>')}</p>
<hr style="border:none;border-top:1px solid #cbd2d9">
<p style="font-size:12px;color:#52606d">${footer.map(e).join('<br>')}</p>
<div style="${NOTICE_STYLE}">
<strong>${e(t.objectionHeading)}</strong><br>${e(t.objection)}
</div>
</body>
</html>
`;

  return { subject: t.subject(input.bookingNumber), text, html };
}

export function agencyDisplayName(settings: AgencySettings): string {
  return [settings.agency.name, settings.agency.legalForm].filter(Boolean).join(' ');
}

function describeService(service: StoredService, t: Texts): string {
  const dates =
    service.endDate && service.endDate !== service.startDate
      ? `${formatGermanDate(service.startDate)} ${t.until} ${formatGermanDate(service.endDate)}`
      : formatGermanDate(service.startDate);
  // "Flug BER → JFK (LH400) – Hinflug, 03.01.2027, 2 Reisende"
  let what = t.serviceTypes[service.type];
  if (service.flight) {
    const { departureAirport, arrivalAirport, flightNumber } = service.flight;
    what += ` ${departureAirport} → ${arrivalAirport} (${flightNumber})`;
  }
  if (service.description) what += ` – ${service.description}`;
  return `${what}, ${dates}, ${t.travellers(service.travellers)}`;
}

function footerLines(settings: AgencySettings, t: Texts): string[] {
  const a = settings.agency;
  const lines = [
    agencyDisplayName(settings),
    a.street,
    [a.postcode, a.city].filter(Boolean).join(' '),
    a.country,
    labelled(t.footer.phone, a.phone),
    labelled(t.footer.email, a.email),
    labelled(t.footer.web, a.website),
    labelled(t.footer.court, a.registerCourt),
    labelled(t.footer.number, a.registerNumber),
    labelled(t.footer.directors, a.managingDirectors),
    labelled(t.footer.vat, a.vatId),
  ];
  return lines.filter((line) => line !== '');
}

function labelled(label: string, value: string): string {
  return value ? `${label}: ${value}` : '';
}

function fullName(customer: Customer): string {
  return [customer.firstName, customer.lastName].filter(Boolean).join(' ');
}
