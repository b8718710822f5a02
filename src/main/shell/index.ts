// The Electron shell: single-instance lock, the window, IPC registration, safeStorage for the
// SMTP password and the wake-from-sleep hook. All logic lives in ../services.
import { app, BrowserWindow, dialog, ipcMain, powerMonitor, safeStorage, session } from 'electron';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CHANNELS } from '../../shared/contract';
import { openApp, type App } from '../services/app';
import { runHeadless } from '../services/cli/headless';
import { createLogger } from '../services/logger';
import type { Cipher } from '../services/secrets';
import { isTrustedSender } from '../services/ipc/trusted-sender';
import { appLocation, createMainWindow, lockDown } from './window';

app.setName('TravelDesk');
// The same folder the headless run under Node uses (see defaultDataDir in services/cli).
app.setPath('userData', join(app.getPath('appData'), 'TravelDesk'));

const { values: args } = parseArgs({
  args: process.argv.slice(1),
  options: { 'data-dir': { type: 'string' }, 'night-run': { type: 'boolean' } },
  strict: false,
  allowPositionals: true,
});
const dataDir = typeof args['data-dir'] === 'string' ? args['data-dir'] : app.getPath('userData');

function safeStorageCipher(): Cipher | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  // Linux without a keyring: Electron falls back to a fixed key, which only obscures.
  const weak =
    process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text';
  return {
    protection: weak ? 'weak' : 'os',
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (encrypted) => safeStorage.decryptString(encrypted),
  };
}

if (args['night-run']) {
  // Headless: the operating system's scheduler starts `TravelDesk --night-run`. No window.
  app.on('window-all-closed', () => undefined);
  void app.whenReady().then(async () => {
    const code = await runHeadless(['--data-dir', dataDir], { cipher: safeStorageCipher() });
    app.exit(code);
  });
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  startInteractive();
}

function startInteractive(): void {
  let services: App | null = null;
  let window: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });

  void app.whenReady().then(() => {
    const log = createLogger({ file: join(dataDir, 'logs', 'traveldesk.log') });
    try {
      services = openApp({ dataDir, log, cipher: safeStorageCipher() });
    } catch (error) {
      dialog.showErrorBox('TravelDesk kann nicht starten', (error as Error).message);
      app.exit(2);
      return;
    }
    const opened = services;

    // Permission requests (camera, notifications, …) are never granted, nor even reported.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
      callback(false),
    );
    session.defaultSession.setPermissionCheckHandler(() => false);
    app.on('web-contents-created', (_event, contents) => lockDown(contents));

    for (const channel of CHANNELS) {
      ipcMain.handle(channel, (event, input: unknown) => {
        // Only the app's own top-level page may call; the raw event never goes further.
        const frame = event.senderFrame;
        const sender = frame ? { url: frame.url, isTopLevel: frame.parent === null } : null;
        if (!isTrustedSender(sender, appLocation)) {
          log.warn({ scope: 'ipc', channel }, 'Aufruf von fremder Seite abgewiesen');
          return {
            ok: false,
            error: { code: 'unknown_channel', message: 'Diese Aktion gibt es nicht.' },
          };
        }
        return opened.invoke(channel, input);
      });
    }

    window = createMainWindow();
    window.on('closed', () => (window = null));

    // Catch-up at start-up, then a short tick; and once more when the PC wakes up.
    opened.scheduler.start();
    powerMonitor.on('resume', () => void opened.scheduler.check());
  });

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', () => services?.close());
}
