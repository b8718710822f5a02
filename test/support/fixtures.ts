// Building blocks for tests: a fresh data folder with the real app on it, a test clock,
// a filled-in agency, and bookings as an agent would type them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { openApp, type App, type AppOptions } from '../../src/main/services/app';
import { silentLogger } from '../../src/main/services/logger';
import type { Cipher } from '../../src/main/services/secrets';
import {
  defaultSettings,
  type AgencySettings,
  type BookingInput,
  type ServiceInput,
} from '../../src/shared/domain';
import type { Channel, InputOf, ResultOf } from '../../src/shared/contract';

export const TZ = 'Europe/Berlin';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private instant: Date) {}
  now = (): Date => new Date(this.instant.getTime());
  set(iso: string): void {
    this.instant = DateTime.fromISO(iso, { zone: TZ }).toJSDate();
  }
  advance(duration: { days?: number; hours?: number; minutes?: number }): void {
    this.instant = DateTime.fromJSDate(this.instant).plus(duration).toJSDate();
  }
  /** Local date `days` from now, `yyyy-mm-dd`. */
  date(days: number): string {
    return DateTime.fromJSDate(this.instant, { zone: TZ }).plus({ days }).toISODate() ?? '';
  }
}

/** AES-GCM with a key that lives only in this process: stands in for the OS keychain. */
export function processCipher(): Cipher {
  const key = randomBytes(32);
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export function tempDir(prefix = 'traveldesk-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestApp {
  app: App;
  clock: TestClock;
  dataDir: string;
  call<C extends Channel>(channel: C, input?: InputOf<C>): Promise<ResultOf<C>>;
  close(): void;
}

export function startTestApp(options: Partial<AppOptions> & { now?: string } = {}): TestApp {
  const dir = tempDir();
  const clock = new TestClock(
    DateTime.fromISO(options.now ?? '2026-12-04T10:00', { zone: TZ }).toJSDate(),
  );
  const app = openApp({
    dataDir: dir.path,
    clock: clock.now,
    timeZone: TZ,
    log: silentLogger(),
    cipher: processCipher(),
    smtpTimeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 3000 },
    sleep: async () => undefined,
    ...options,
  });
  return {
    app,
    clock,
    dataDir: dir.path,
    async call(channel, input) {
      const result = await app.invoke(channel, input);
      if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
      return result.value as never;
    },
    close() {
      app.close();
      dir.remove();
    },
  };
}

export function agencySettings(
  overrides: {
    smtpPort?: number;
    atmosfair?: boolean;
    preCheck?: boolean;
    mode?: 'smtp' | 'test';
  } = {},
): AgencySettings {
  const settings = defaultSettings();
  settings.agency = {
    ...settings.agency,
    name: 'Reisebüro Sonnenschein',
    legalForm: 'GmbH',
    street: 'Hauptstraße 1',
    postcode: '10115',
    city: 'Berlin',
    phone: '+49 30 1234567',
    email: 'info@sonnenschein-reisen.de',
    website: 'https://sonnenschein-reisen.de',
    registerCourt: 'Amtsgericht Berlin-Charlottenburg',
    registerNumber: 'HRB 123456',
    managingDirectors: 'Erika Sonnenschein',
    vatId: 'DE123456789',
  };
  settings.sender = {
    fromName: 'Reisebüro Sonnenschein',
    fromAddress: 'service@sonnenschein-reisen.de',
    replyTo: 'info@sonnenschein-reisen.de',
  };
  settings.delivery.mode = overrides.mode ?? 'smtp';
  settings.delivery.smtp = {
    host: '127.0.0.1',
    port: overrides.smtpPort ?? 2525,
    security: 'none',
    user: '',
  };
  settings.atmosfair = {
    enabled: overrides.atmosfair ?? true,
    preCheck: overrides.preCheck ?? true,
  };
  return settings;
}

export function flight(startDate: string, extra: Partial<ServiceInput> = {}): ServiceInput {
  return {
    type: 'flight',
    description: 'Hinflug',
    startDate,
    endDate: null,
    travellers: 2,
    flight: {
      departureAirport: 'BER',
      arrivalAirport: 'JFK',
      flightNumber: 'LH400',
      cabinClass: 'economy',
    },
    ...extra,
  };
}

export function hotel(
  startDate: string,
  endDate: string | null = null,
  extra: Partial<ServiceInput> = {},
): ServiceInput {
  return {
    type: 'hotel',
    description: 'Hotel am Meer',
    startDate,
    endDate,
    travellers: 2,
    flight: null,
    ...extra,
  };
}

export function booking(services: ServiceInput[], extra: Partial<BookingInput> = {}): BookingInput {
  return {
    status: 'booked',
    customer: {
      salutation: 'ms',
      firstName: 'Anna',
      lastName: 'Schmidt',
      email: 'anna.schmidt@example.org',
      language: 'de',
      objected: false,
      objectedOn: null,
    },
    atmosfairMail: true,
    services,
    ...extra,
  };
}
