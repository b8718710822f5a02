// Where the SMTP password lives: encrypted in the database by a cipher the shell provides
// (Electron's safeStorage), or, for the headless run under plain Node, in an environment
// variable. The password never leaves the main process.
import type { Db } from './store/database';
import { readSecret, writeSecret } from './store/settings-store';

/**
 * How well a stored password is protected: by the operating system's key store, only
 * obscured (Linux without a keyring: Electron's `basic_text`), or not storable at all here.
 */
export type Protection = 'os' | 'weak' | 'none';

export interface SecretStore {
  readonly protection: Protection;
  /** What the agent has to do when the password is missing or cannot be read. */
  readonly missingPasswordHint: string;
  smtpPassword(): string | null;
  setSmtpPassword(password: string): void;
  hasSmtpPassword(): boolean;
  /** False when a password is stored but cannot be decrypted (profile copied to another PC). */
  isReadable(): boolean;
}

export interface Cipher {
  /** 'weak' when the key store only obscures; 'os' (the default) otherwise. */
  readonly protection?: 'os' | 'weak';
  encrypt(plain: string): Buffer;
  decrypt(encrypted: Buffer): string;
}

export const PASSWORD_ENV = 'TRAVELDESK_SMTP_PASSWORD';

export class SecretUnavailableError extends Error {
  readonly code = 'not_configured';
}

/** The password encrypted by `cipher`, stored base64 in the settings table. */
export function encryptedSecretStore(db: Db, cipher: Cipher): SecretStore {
  const KEY = 'smtp_password';
  const store: SecretStore = {
    protection: cipher.protection ?? 'os',
    missingPasswordHint: 'Bitte geben Sie es in den Agenturstammdaten erneut ein.',
    smtpPassword() {
      const stored = readSecret(db, KEY);
      if (stored === null) return null;
      try {
        return cipher.decrypt(Buffer.from(stored, 'base64'));
      } catch {
        // Profile copied to another PC or keyring reset: ask the agent again, do not crash.
        return null;
      }
    },
    setSmtpPassword(password) {
      writeSecret(db, KEY, password === '' ? null : cipher.encrypt(password).toString('base64'));
    },
    hasSmtpPassword() {
      return readSecret(db, KEY) !== null;
    },
    isReadable() {
      return !store.hasSmtpPassword() || store.smtpPassword() !== null;
    },
  };
  return store;
}

/** The password from `TRAVELDESK_SMTP_PASSWORD`; for the headless run in development. */
export function environmentSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    protection: 'none',
    missingPasswordHint: `Setzen Sie die Umgebungsvariable ${PASSWORD_ENV}.`,
    smtpPassword: () => env[PASSWORD_ENV] || null,
    setSmtpPassword() {
      throw new SecretUnavailableError(
        `Ohne Electron kann das Passwort nicht verschlüsselt gespeichert werden; ` +
          `setzen Sie die Umgebungsvariable ${PASSWORD_ENV}.`,
      );
    },
    hasSmtpPassword: () => Boolean(env[PASSWORD_ENV]),
    isReadable: () => true,
  };
}
