// The one logger of the main process. Each subsystem takes a child with its scope
// (`store`, `mail`, `night-run`, `ipc`). Passwords are redacted by key, and every e-mail address
// in a message or field is masked (`m***@example.org`), whatever part of the code logs it.
import pino from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** A file to append JSON lines to; without one the log goes to stderr. */
  file?: string;
  level?: pino.LevelWithSilent;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.file
    ? pino.destination({ dest: options.file, mkdir: true, sync: true })
    : pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      redact: {
        paths: ['password', '*.password', 'pass', '*.pass', 'auth', '*.auth'],
        censor: '[entfernt]',
      },
      serializers: { err: (error: Error) => maskDeep(pino.stdSerializers.err(error)) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => maskDeep(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** A logger that writes nothing, for tests that do not read the log. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** `max.mustermann@example.org` → `m***@example.org`: enough to tell mails apart in a log. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

// An address in running text, also URL-encoded (`%40`) as in mailto links.
const EMAIL_IN_TEXT = /([^\s<>"(),;:@%]+)(?:@|%40)([^\s<>"'(),;:@%]+\.[^\s<>"'(),;:@%]+)/giu;

/** Masks every address in a text, a plain object or an array (a few levels deep). */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.replace(EMAIL_IN_TEXT, (_match, local: string, domain: string) =>
      maskEmail(`${local}@${domain}`),
    );
  }
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, depth + 1));
  if (value instanceof Error) return value;
  const masked: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) masked[key] = maskDeep(item, depth + 1);
  return masked;
}
