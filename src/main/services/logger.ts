// The one logger of the main process. Each subsystem takes a child with its scope
// (`store`, `mail`, `night-run`, `ipc`); passwords are redacted, addresses are masked.
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
