// A real SMTP server on 127.0.0.1 that keeps every message it receives, parsed with mailparser,
// and can misbehave on purpose: defer, reject, drop the connection or answer too late.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  raw: Buffer;
  parsed: ParsedMail;
  /** How the server answered this message. */
  answer: 'accepted' | 'rejected' | 'dropped' | 'late';
}

/** What the server does with the n-th message (0-based) it has fully received. */
export type Answer = 'accept' | 'drop' | { reject: number; message: string } | { delayMs: number };

export interface SmtpSinkOptions extends Partial<SMTPServerOptions> {
  answer?: (index: number, mail: Omit<ReceivedMail, 'answer'>) => Answer;
}

export interface SmtpSink {
  port: number;
  /** Every message that arrived completely, whatever the answer. */
  received: ReceivedMail[];
  /** Only the messages the server confirmed with 250. */
  accepted(): ReceivedMail[];
  /** Cuts every open connection at once, without a reply. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const { answer = () => 'accept', ...serverOptions } = options;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          const mail = {
            envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            envelopeTo: session.envelope.rcptTo.map((r) => r.address),
            raw,
            parsed,
          };
          const decision = answer(received.length, mail);
          if (decision === 'accept') {
            received.push({ ...mail, answer: 'accepted' });
            callback();
          } else if (decision === 'drop') {
            // Took the whole message, then the line goes dead: no reply at all.
            received.push({ ...mail, answer: 'dropped' });
            for (const socket of sockets) socket.destroy();
          } else if ('reject' in decision) {
            received.push({ ...mail, answer: 'rejected' });
            callback(Object.assign(new Error(decision.message), { responseCode: decision.reject }));
          } else {
            received.push({ ...mail, answer: 'late' });
            setTimeout(() => callback(), decision.delayMs);
          }
        });
      });
    },
    ...serverOptions,
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    accepted: () => received.filter((m) => m.answer === 'accepted'),
    dropConnections: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
