// Hands composed mails to the agency's SMTP server, or, in test mode, writes them as `.eml`
// files into a folder. Also classifies what went wrong, in words an agent can act on.
import nodemailer from 'nodemailer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgencySettings } from '../../../shared/domain';
import type { ComposedMail } from './compose';

export type FailureKind =
  /**
   * Login, TLS, configuration, or a server that cannot be reached or refuses every mail: stop
   * the run, no booking is to blame and none uses up an attempt.
   */
  | 'configuration'
  /** 5xx or a rejected recipient: this mail will not go through as it is. */
  | 'permanent'
  /** 4xx or a network error before the server took the message: try again later. */
  | 'temporary'
  /** The message was handed over, then the connection broke or no reply came: maybe sent. */
  | 'uncertain';

export class DeliveryError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly responseCode?: number,
    readonly serverReply?: string,
  ) {
    super(message);
  }
}

export interface Delivery {
  readonly testMode: boolean;
  deliver(mail: ComposedMail, fileName: string): Promise<{ response: string }>;
  verify(): Promise<string>;
  close(): void;
}

export interface DeliveryOptions {
  settings: AgencySettings;
  smtpPassword: string | null;
  /** Appended when the password is missing: where the agent can give it. */
  missingPasswordHint?: string;
  /** Where test mode writes when the settings name no folder. */
  defaultTestFolder: string;
  timeouts?: { connectionMs: number; greetingMs: number; socketMs: number };
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const { delivery } = options.settings;
  if (delivery.mode === 'test')
    return testModeDelivery(delivery.testFolder || options.defaultTestFolder);
  return smtpDelivery(options);
}

function testModeDelivery(folder: string): Delivery {
  return {
    testMode: true,
    async deliver(mail, fileName) {
      try {
        mkdirSync(folder, { recursive: true });
        writeFileSync(join(folder, fileName), mail.raw);
      } catch (error) {
        throw new DeliveryError(
          'configuration',
          `Der Testmodus-Ordner ${folder} ist nicht beschreibbar (${(error as Error).message}).`,
        );
      }
      return { response: `geschrieben: ${fileName}` };
    },
    async verify() {
      return `Testmodus: Die Mails werden als .eml-Dateien in ${folder} geschrieben.`;
    },
    close() {},
  };
}

function smtpDelivery(options: DeliveryOptions): Delivery {
  const { smtp } = options.settings.delivery;
  if (!smtp.host) {
    throw new DeliveryError('configuration', 'Es ist kein SMTP-Server eingetragen.');
  }
  if (smtp.user && !options.smtpPassword) {
    throw new DeliveryError(
      'configuration',
      'Für den SMTP-Benutzer ist kein Passwort gespeichert. ' +
        (options.missingPasswordHint ?? 'Bitte geben Sie es in den Agenturstammdaten erneut ein.'),
    );
  }
  const timeouts = options.timeouts ?? {
    connectionMs: 15_000,
    greetingMs: 15_000,
    socketMs: 30_000,
  };
  // The server's "354, go ahead" to DATA means the message is being handed over; a failure
  // without a reply after that point leaves its fate unknown. nodemailer's transaction log is
  // the one place that tells this phase apart; nothing of it is written anywhere.
  let handedOver = false;
  const watch = (entry: unknown, message: unknown) => {
    // Only 354 answers DATA; 334 is a login challenge and hands nothing over.
    if ((entry as { tnx?: string } | null)?.tnx === 'server' && /^354/.test(String(message))) {
      handedOver = true;
    }
  };
  const watcher = {
    trace: watch,
    debug: watch,
    info: watch,
    warn: watch,
    error: watch,
    fatal: watch,
  };

  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user ? { user: smtp.user, pass: options.smtpPassword ?? '' } : undefined,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    pool: true,
    maxConnections: 1,
    logger: watcher,
    transactionLog: true,
  });

  // A server may echo what it was sent: the password (plain, or base64 as AUTH sends it) never
  // leaves this module in an error's text.
  const secrets = secretForms(smtp.user, options.smtpPassword);
  const scrub = (error: DeliveryError): DeliveryError => {
    if (secrets.length === 0) return error;
    const clean = (text: string | undefined) =>
      text === undefined
        ? undefined
        : secrets.reduce((t, s) => t.split(s).join('[entfernt]'), text);
    return new DeliveryError(
      error.kind,
      clean(error.message) ?? '',
      error.responseCode,
      clean(error.serverReply),
    );
  };

  return {
    testMode: false,
    async deliver(mail) {
      handedOver = false;
      try {
        const info = await transport.sendMail({ envelope: mail.envelope, raw: mail.raw });
        if (info.rejected.length > 0) {
          throw new DeliveryError('permanent', 'Der Server hat den Empfänger abgelehnt.');
        }
        return { response: info.response };
      } catch (error) {
        throw scrub(classify(error, handedOver));
      }
    },
    async verify() {
      try {
        await transport.verify();
        return `Verbindung zu ${smtp.host}:${smtp.port} erfolgreich.`;
      } catch (error) {
        throw scrub(classify(error, false));
      }
    },
    close() {
      transport.close();
    },
  };
}

/** The password as it may appear on the wire: as typed, and base64-encoded for AUTH. */
function secretForms(user: string, password: string | null): string[] {
  if (!password) return [];
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [password, base64(password), base64(`\u0000${user}\u0000${password}`)].filter(
    (form) => form.length >= 4,
  );
}

interface SmtpErrorShape {
  code?: string;
  command?: string;
  timeoutType?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * Sorts an SMTP failure by reply code first and by error kind second. `handedOver`: the server
 * had already accepted DATA when the failure came.
 */
export function classify(error: unknown, handedOver: boolean): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (error ?? {}) as SmtpErrorShape;
  const reply = e.response ?? e.message ?? '';
  const code = e.responseCode;
  const stop = (message: string) => new DeliveryError('configuration', message, code, reply);

  // 1. Problems of the whole connection: the same for every booking, so the run stops.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || code === 530 || code === 535) {
    return stop(
      'Die Anmeldung am SMTP-Server ist fehlgeschlagen. Bitte prüfen Sie Benutzer und Passwort.',
    );
  }
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS') {
    return stop(
      'Die verschlüsselte Verbindung zum SMTP-Server kam nicht zustande. Bitte prüfen Sie die ' +
        'Einstellung „Sicherheit“ und den Port.',
    );
  }
  if (e.code === 'ECONFIG' || e.code === 'EDNS') {
    return stop(
      'Der SMTP-Server ist falsch eingetragen oder nicht zu finden. ' +
        'Bitte prüfen Sie Server und Port.',
    );
  }
  if (e.code === 'ECONNREFUSED' || e.originalCode === 'ECONNREFUSED') {
    return stop(
      'Der SMTP-Server ist nicht erreichbar (Verbindung abgelehnt). ' +
        'Bitte prüfen Sie Server und Port.',
    );
  }
  if (e.code === 'ETIMEDOUT' && !handedOver && e.timeoutType !== 'SOCKET_TIMEOUT') {
    return stop('Der SMTP-Server antwortet nicht. Bitte prüfen Sie Server und Port.');
  }
  if (code === 421) {
    // "Service not available, closing channel": the whole server, for now.
    return stop(`Der SMTP-Server ist vorübergehend nicht verfügbar: ${reply}`);
  }
  const perMessage = e.command === 'RCPT TO' || e.command === 'DATA';
  if (code !== undefined && code >= 500 && !perMessage) {
    return stop(
      e.command?.startsWith('MAIL')
        ? `Der SMTP-Server lehnt die Absenderadresse ab: ${reply}`
        : `Der SMTP-Server nimmt keine Mails an: ${reply}`,
    );
  }

  if (e.code === 'EPROTOCOL' && (code === undefined || code < 400)) {
    return stop(
      'Unter dieser Adresse antwortet kein SMTP-Server. Bitte prüfen Sie Server und Port.',
    );
  }

  // 2. This one message.
  if (code !== undefined && code >= 500) {
    return new DeliveryError(
      'permanent',
      `Der Server hat die Mail abgelehnt: ${reply}`,
      code,
      reply,
    );
  }
  if (code !== undefined && code >= 400) {
    return new DeliveryError(
      'temporary',
      `Der Server hat vorübergehend abgelehnt: ${reply}`,
      code,
      reply,
    );
  }
  if (handedOver) {
    return new DeliveryError(
      'uncertain',
      'Die Verbindung brach ab, nachdem die Mail übergeben war; ' +
        'ob sie angekommen ist, ist unklar. ' +
        'Sie wird nicht automatisch erneut gesendet.',
      undefined,
      reply,
    );
  }
  return new DeliveryError(
    'temporary',
    `Netzwerkfehler beim Senden: ${reply || 'unbekannt'}`,
    undefined,
    reply,
  );
}
