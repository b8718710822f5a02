// Turns a booking into the exact bytes of its atmosfair mail: headers, both parts, and a
// Message-ID that is the same for every attempt of one mark.
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  emailForWire,
  FORBIDDEN_CHARS,
  type AgencySettings,
  type Customer,
} from '../../../shared/domain';
import type { StoredService } from '../../../shared/contract';
import { agencyDisplayName, renderAtmosfairMail } from './atmosfair-template';

export interface ComposeInput {
  settings: AgencySettings;
  bookingNumber: string;
  markId: number;
  customer: Customer;
  services: readonly StoredService[];
  date: Date;
}

export interface ComposedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
}

export class MailConfigurationError extends Error {
  readonly code = 'not_configured';
}

const INVISIBLE = new RegExp(FORBIDDEN_CHARS.source, 'gu');

/**
 * Header-bound text (display names): no line breaks, control or invisible characters, ever,
 * and no "=?" that a mail program could read as the start of an encoded word.
 */
export function headerSafe(text: string): string {
  return text.replace(INVISIBLE, ' ').replace(/=\?/g, '= ?').replace(/\s+/g, ' ').trim();
}

export async function composeAtmosfairMail(input: ComposeInput): Promise<ComposedMail> {
  const { settings, customer } = input;
  const fromAddress = asciiDomain(settings.sender.fromAddress);
  if (!fromAddress) {
    throw new MailConfigurationError(
      'Die Absenderadresse fehlt. Bitte tragen Sie sie in den Agenturstammdaten ein.',
    );
  }
  const replyTo = asciiDomain(settings.sender.replyTo) || fromAddress;
  const to = asciiDomain(customer.email);
  const rendered = renderAtmosfairMail({
    language: customer.language,
    bookingNumber: input.bookingNumber,
    customer,
    services: input.services,
    settings,
  });
  const senderDomain = fromAddress.split('@')[1];
  const messageId = `<atmosfair.${input.bookingNumber}.${input.markId}@${senderDomain}>`;
  const fromName = headerSafe(settings.sender.fromName || agencyDisplayName(settings));
  const toName = headerSafe([customer.firstName, customer.lastName].filter(Boolean).join(' '));
  const objectionSubject =
    customer.language === 'en'
      ? `Objection atmosfair mails ${input.bookingNumber}`
      : `Widerspruch atmosfair-Mails ${input.bookingNumber}`;

  const composer = new MailComposer({
    from: fromName ? { name: fromName, address: fromAddress } : fromAddress,
    to: toName ? { name: toName, address: to } : to,
    replyTo,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId,
    date: input.date,
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      // Objecting is done by replying; mail programs offer this as "unsubscribe".
      'List-Unsubscribe': `<mailto:${replyTo}?subject=${encodeURIComponent(objectionSubject)}>`,
    },
    textEncoding: 'quoted-printable',
  });
  const raw = await composer.compile().build();

  return {
    to,
    from: fromAddress,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId,
    envelope: { from: fromAddress, to: [to] },
    raw,
  };
}

/** `anna@bücher.de` → `anna@xn--bcher-kva.de`; an invalid address comes back empty. */
export function asciiDomain(address: string): string {
  return emailForWire(address) ?? '';
}
