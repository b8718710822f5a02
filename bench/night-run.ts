// Benchmark, not a test: the night run's mails per second against raw pooled nodemailer
// sending the same message to the same local sink in the same run, and the memory growth over
// the night run. Usage: npm run bench:night-run [-- MAILS]   (default 3000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { openApp } from '../src/main/services/app';
import { silentLogger } from '../src/main/services/logger';
import { defaultSettings, type BookingInput } from '../src/shared/domain';

const MAILS = Number(process.argv[2] ?? 3000);

async function startSink(): Promise<{
  port: number;
  count: () => number;
  close: () => Promise<void>;
}> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    count: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function main(): Promise<void> {
  const sink = await startSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'traveldesk-bench-'));
  const app = openApp({ dataDir, log: silentLogger(), timeZone: 'Europe/Berlin' });
  try {
    // Set-up (not timed): an agency and MAILS marked bookings.
    const settings = defaultSettings();
    settings.agency.name = 'Reisebüro Benchmark';
    settings.sender = { fromName: 'Benchmark', fromAddress: 'bench@example.org', replyTo: '' };
    settings.delivery = {
      mode: 'smtp',
      testFolder: '',
      smtp: { host: '127.0.0.1', port: sink.port, security: 'none', user: '' },
    };
    settings.atmosfair = { enabled: true, preCheck: true };
    await app.invoke('settings.save', settings);
    const start = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < MAILS; i += 1) {
      const input: BookingInput = {
        status: 'booked',
        customer: {
          salutation: 'ms',
          firstName: 'Anna',
          lastName: `Kundin ${i}`,
          email: `kunde${i}@example.org`,
          language: 'de',
          objected: false,
          objectedOn: null,
        },
        atmosfairMail: true,
        services: [
          {
            type: 'flight',
            description: 'Hinflug',
            startDate: start,
            endDate: null,
            travellers: 2,
            flight: {
              departureAirport: 'BER',
              arrivalAirport: 'JFK',
              flightNumber: 'LH400',
              cabinClass: 'economy',
            },
          },
        ],
      };
      const result = await app.invoke('bookings.save', input);
      if (!result.ok) throw new Error(result.error.message);
    }
    const sample = app.db.prepare('SELECT id FROM marks ORDER BY id LIMIT 1').get() as {
      id: number;
    };
    const { composeAtmosfairMail } = await import('../src/main/services/mail/compose');
    const { readSettings } = await import('../src/main/services/store/settings-store');
    const { findBooking, listServices } = await import('../src/main/services/store/bookings-store');
    const booking = findBooking(app.db, 1)!;
    const message = await composeAtmosfairMail({
      settings: readSettings(app.db),
      bookingNumber: booking.number,
      markId: sample.id,
      customer: booking.customer,
      services: listServices(app.db, 1),
      date: new Date(),
    });

    // Baseline: raw pooled nodemailer, one message at a time, the same message, the same sink.
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      ignoreTLS: true,
      pool: true,
      maxConnections: 1,
    });
    const baselineStart = process.hrtime.bigint();
    for (let i = 0; i < MAILS; i += 1) {
      await transport.sendMail({
        envelope: { from: 'bench@example.org', to: [`kunde${i}@example.org`] },
        raw: message.raw,
      });
    }
    const baselineSeconds = Number(process.hrtime.bigint() - baselineStart) / 1e9;
    transport.close();

    // The night run, with memory sampled as it goes.
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 20);
    const runStart = process.hrtime.bigint();
    const summary = await app.runNightRun('manual');
    const runSeconds = Number(process.hrtime.bigint() - runStart) / 1e9;
    clearInterval(sampler);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;

    if (summary.sent !== MAILS) throw new Error(`night run sent ${summary.sent} of ${MAILS}`);
    const baselineRate = MAILS / baselineSeconds;
    const runRate = MAILS / runSeconds;
    console.log(`mails:                       ${MAILS} (sink received ${sink.count()})`);
    console.log(`raw pooled nodemailer:       ${baselineRate.toFixed(0)} mails/s`);
    console.log(`night run:                   ${runRate.toFixed(0)} mails/s`);
    console.log(
      `ratio night run / baseline:  ${(runRate / baselineRate).toFixed(2)} (target ≥ 0.80)`,
    );
    console.log(
      `heap before / peak / after:  ${mb(heapBefore)} / ${mb(heapPeak)} / ${mb(heapAfter)}`,
    );
    console.log(`heap growth over the run:    ${mb(heapAfter - heapBefore)}`);
  } finally {
    app.close();
    rmSync(dataDir, { recursive: true, force: true });
    await sink.close();
  }
}

void main();
