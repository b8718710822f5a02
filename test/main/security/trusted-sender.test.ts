// Which callers the IPC handlers answer, and which links may leave the app.
import { describe, expect, it } from 'vitest';
import { externalUrl, isTrustedSender } from '../../../src/main/services/ipc/trusted-sender';

const built = {
  rendererFileUrl: 'file:///opt/TravelDesk/resources/app.asar/out/renderer/index.html',
};
const dev = { ...built, devServerUrl: 'http://localhost:5173/' };

describe('the IPC sender check', () => {
  it("answers the app's own page in the top-level frame", () => {
    expect(isTrustedSender({ url: built.rendererFileUrl, isTopLevel: true }, built)).toBe(true);
    expect(
      isTrustedSender({ url: `${built.rendererFileUrl}#/vorgaenge`, isTopLevel: true }, built),
    ).toBe(true);
  });

  it('refuses an iframe, even one showing the app', () => {
    expect(isTrustedSender({ url: built.rendererFileUrl, isTopLevel: false }, built)).toBe(false);
  });

  it('refuses other files, other schemes and a missing frame', () => {
    for (const url of [
      'file:///opt/TravelDesk/resources/app.asar/out/renderer/other.html',
      'file:///tmp/evil.html',
      'https://example.org/',
      'about:srcdoc',
      'data:text/html,<script>1</script>',
      'not a url',
    ]) {
      expect(isTrustedSender({ url, isTopLevel: true }, built)).toBe(false);
    }
    expect(isTrustedSender(null, built)).toBe(false);
  });

  it('accepts the dev server by origin only, never by prefix, and only in development', () => {
    expect(
      isTrustedSender({ url: 'http://localhost:5173/index.html', isTopLevel: true }, dev),
    ).toBe(true);
    expect(
      isTrustedSender({ url: 'http://localhost:5173.evil.example/', isTopLevel: true }, dev),
    ).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5174/', isTopLevel: true }, dev)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', isTopLevel: true }, built)).toBe(false);
  });
});

describe('links that leave the app', () => {
  it('may be https or mailto', () => {
    expect(externalUrl('https://www.atmosfair.de/de/kompensieren/flug/')).toBe(
      'https://www.atmosfair.de/de/kompensieren/flug/',
    );
    expect(externalUrl('mailto:info@example.org')).toBe('mailto:info@example.org');
  });
  it('never file, javascript, http, custom schemes or garbage', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'http://example.org',
      'ms-msdt:/id',
      'smb://host/share',
      '',
    ]) {
      expect(externalUrl(url)).toBeNull();
    }
  });
});
