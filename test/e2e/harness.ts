// The real parts of the end-to-end test: the renderer built by vite, served over HTTP on
// 127.0.0.1, a Chromium driven by playwright-core, the init script that binds `window.api`
// to the main-process handlers, and a local SMTP server that keeps what it receives.
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build as esbuild } from 'esbuild';
import type { ParsedMail } from 'mailparser';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startSmtpSink as startServer } from '../support/smtp-sink';
import { build as viteBuild } from 'vite';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

/** Builds the renderer for production, as the app ships it, into `outDir`. */
export async function buildRenderer(outDir: string): Promise<void> {
  // vitest sets NODE_ENV=test, which would make vite bundle React's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await viteBuild({
      root: join(REPO_ROOT, 'src/renderer'),
      base: './',
      mode: 'production',
      configFile: false,
      // Rollup's notes on zod's comments are noise here; real build errors still throw.
      logLevel: 'error',
      plugins: [react()],
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/** The browser-side script that creates `window.api`, bundled into one classic script. */
export async function bundleApiScript(): Promise<string> {
  const result = await esbuild({
    entryPoints: [join(REPO_ROOT, 'test/e2e/browser-api.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'silent',
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error('esbuild produced no output for browser-api.ts');
  return file.text;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `root` read-only on 127.0.0.1 at a random port; nothing outside `root` is reachable. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const base = resolve(root);
  const server = createServer((request, response) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const file = normalize(join(base, pathname === '/' ? 'index.html' : pathname));
      const inside = file === base || file.startsWith(base + sep);
      const found = inside && (await stat(file).catch(() => null))?.isFile();
      if (request.method !== 'GET' || !found) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      });
      createReadStream(file).pipe(response);
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** Debian's Chromium unless `CHROMIUM_PATH` names another Chrome or Chromium binary. */
export function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `No Chromium at ${executablePath}: install it (apt-get install chromium) ` +
        'or set CHROMIUM_PATH to a Chrome or Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export type InvokeMain = (channel: string, input: unknown) => Promise<unknown>;

/** Gives the page a `window.api` that reaches the real main-process handlers. */
export async function bindApi(page: Page, apiScript: string, invoke: InvokeMain): Promise<void> {
  await page.exposeFunction('__travelDeskInvoke', (channel: string, input: unknown) =>
    invoke(channel, input),
  );
  await page.addInitScript({ content: apiScript });
}

/** Every console error, uncaught exception and CSP violation of the page, for a final check. */
export function collectPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`http ${response.status()}: ${response.url()}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // Sticky headers would otherwise be drawn where the page happens to be scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** A screenshot of one element, scrolled into view (a sandboxed frame paints only there). */
export async function screenshotElement(locator: Locator, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path, animations: 'disabled' });
  return path;
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  parsed: ParsedMail;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  logins: { username: string; password: string }[];
  /** Resolves once `count` mails have arrived, or fails after `timeoutMs`. */
  waitForMails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  user: string;
  password: string;
  /** Each message is accepted after this delay, slow enough to see the app wait for it. */
  acceptDelayMs?: number;
  /** Recipients answered with `550 Mailbox unavailable`, as a real server does. */
  refuseRecipient?: (address: string) => boolean;
  /** Recipients whose message is taken whole, then the line goes dead without a reply. */
  dropAfterData?: (address: string) => boolean;
}

/**
 * The project's test SMTP server (test/support/smtp-sink.ts), set up as an agency's server:
 * plain (no TLS), one user; a wrong password is refused, so a passing test proves the stored
 * password was used.
 */
export async function startSmtpSink(options: SmtpSinkOptions): Promise<SmtpSink> {
  const { user, password, acceptDelayMs = 0 } = options;
  const { refuseRecipient = () => false, dropAfterData = () => false } = options;
  const logins: SmtpSink['logins'] = [];
  const sink = await startServer({
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (!refuseRecipient(address.address)) return callback();
      const refused = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
      callback(refused);
    },
    answer: (_index, mail) => {
      if (mail.envelopeTo.some(dropAfterData)) return 'drop';
      return acceptDelayMs > 0 ? { delayMs: acceptDelayMs } : 'accept';
    },
  });
  const mails = (): ReceivedMail[] =>
    sink.received.map((mail) => ({
      envelope: { from: mail.envelopeFrom, to: mail.envelopeTo },
      parsed: mail.parsed,
    }));

  return {
    port: sink.port,
    get mails() {
      return mails();
    },
    logins,
    async waitForMails(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (sink.received.length < count) {
        if (Date.now() > until) {
          throw new Error(`expected ${count} mail(s), got ${sink.received.length}`);
        }
        await new Promise((done) => setTimeout(done, 50));
      }
      return mails();
    },
    close: () => sink.close(),
  };
}
