// The main window: sandboxed, isolated, no Node, no navigation away from the app, no new
// windows, no webviews. Links leave the app only through one checked helper.
import { app, BrowserWindow, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { externalUrl, isAppUrl, type AppLocation } from '../services/ipc/trusted-sender';

export const appLocation: AppLocation = {
  rendererFileUrl: pathToFileURL(join(__dirname, '../renderer/index.html')).href,
  devServerUrl: app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'],
};

/** Opens a link outside the app, only for https and mailto. */
export function openExternal(url: string): void {
  const checked = externalUrl(url);
  if (checked) void shell.openExternal(checked);
}

/** Applied to every web contents the app ever creates, the main window's included. */
export function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appLocation)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appLocation)) event.preventDefault();
  });
  // Frames (the sandboxed mail preview) never navigate; a link clicked there, such as the
  // atmosfair link, opens in the browser if it is https or mailto.
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame) return;
    event.preventDefault();
    openExternal(event.url);
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'TravelDesk',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      // Middle-click must not open links in a new window.
      disableBlinkFeatures: 'Auxclick',
      spellcheck: true,
    },
  });

  window.once('ready-to-show', () => window.show());
  if (appLocation.devServerUrl) void window.loadURL(appLocation.devServerUrl);
  else void window.loadURL(appLocation.rendererFileUrl);
  return window;
}
