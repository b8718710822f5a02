// Who may call the IPC handlers: only the app's own page in the top-level frame. Pure, so the
// Electron shell's check is tested under Node.

export interface SenderFrame {
  url: string;
  /** True when the frame has no parent (not an iframe). */
  isTopLevel: boolean;
}

export interface AppLocation {
  /** `file:///…/out/renderer/index.html` of the packaged or built app. */
  rendererFileUrl: string;
  /** `http://localhost:5173/` while `npm start` serves the renderer; absent otherwise. */
  devServerUrl?: string | undefined;
}

/** True for the app's own page: the built file itself, or the dev server's origin. */
export function isAppUrl(url: string, location: AppLocation): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (location.devServerUrl) {
    const dev = new URL(location.devServerUrl);
    // Compare origins, never prefixes: `http://localhost:5173.evil.example` is not the app.
    if (parsed.origin === dev.origin) return true;
  }
  if (parsed.protocol !== 'file:') return false;
  parsed.hash = '';
  parsed.search = '';
  return parsed.href === new URL(location.rendererFileUrl).href;
}

export function isTrustedSender(
  frame: SenderFrame | null | undefined,
  location: AppLocation,
): boolean {
  return !!frame && frame.isTopLevel && isAppUrl(frame.url, location);
}

/** Links the app may open outside itself: https and mailto, nothing else. */
export function externalUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'mailto:' ? parsed.href : null;
}
