// The Electron shell's decisions about untrusted input, tested without the Electron binary.
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, APP_ORIGIN } from '../../electron/electron-main/appOrigin.ts';
import { contentSecurityPolicy } from '../../electron/host/csp.ts';
import { isAllowedNavigation, isTrustedSender, permissionDecision, windowOpenDecision } from '../../electron/electron-main/guards.ts';
import { resolveStaticPath } from '../../electron/host/staticFiles.ts';

describe('navigation guard', () => {
  it('allows our own origin', () => {
    expect(isAllowedNavigation(APP_ENTRY_URL)).toBe(true);
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html#/member/1`)).toBe(true);
  });
  it.each([
    'file:///etc/passwd',
    'file:///work/main/out/renderer/index.html',
    'https://example.com/',
    'http://127.0.0.1:8080/',
    'app://evil/index.html',
    'app://footfall.evil.com/',
    'javascript:alert(1)',
    'data:text/html,<script>1</script>',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });
});

describe('IPC sender check', () => {
  const ours = { frameUrl: APP_ENTRY_URL, isMainFrame: true, senderId: 7 };
  it('trusts our window main frame on our origin', () => {
    expect(isTrustedSender(ours, 7)).toBe(true);
  });
  it('refuses another webContents', () => expect(isTrustedSender({ ...ours, senderId: 8 }, 7)).toBe(false));
  it('refuses when the window is gone', () => expect(isTrustedSender(ours, null)).toBe(false));
  it('refuses a sub-frame', () => expect(isTrustedSender({ ...ours, isMainFrame: false }, 7)).toBe(false));
  it('refuses a foreign origin in our window', () => expect(isTrustedSender({ ...ours, frameUrl: 'https://evil.example/' }, 7)).toBe(false));
  it('refuses file:// even for our own files', () =>
    expect(isTrustedSender({ ...ours, frameUrl: 'file:///work/main/out/renderer/index.html' }, 7)).toBe(false));
  it('refuses a destroyed frame', () => expect(isTrustedSender({ ...ours, frameUrl: null }, 7)).toBe(false));
});

describe('permissions and new windows', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'midi'])('denies %s by default', (p) => {
    expect(permissionDecision(p, APP_ENTRY_URL)).toBe(false);
  });
  it('denies every new window, handing plain https links to the OS browser', () => {
    expect(windowOpenDecision('https://footfall.example/help')).toEqual({ action: 'deny', openExternally: true });
    expect(windowOpenDecision('file:///etc/passwd')).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('https://user:pw@evil.example/')).toEqual({ action: 'deny', openExternally: false });
    expect(windowOpenDecision('javascript:alert(1)')).toEqual({ action: 'deny', openExternally: false });
  });
});

describe('CSP', () => {
  it('locks everything to self', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self';");
  });
  it('adds the bridge to connect-src only when asked', () => {
    expect(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:5000'] })).toContain("connect-src 'self' ws://127.0.0.1:5000;");
  });
});

describe('static file resolution', () => {
  const root = '/srv/renderer';
  it('maps / to index.html and assets inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/renderer/index.html');
    expect(resolveStaticPath(root, '/assets/index-1.js')).toBe('/srv/renderer/assets/index-1.js');
  });
  it.each(['/../secret', '/assets/../../etc/passwd', '/%2e%2e/etc/passwd', '/..%2fetc', '/a\\..\\b', '/x%00.js', '/%E0%A4%A'])('refuses %s', (p) => {
    expect(resolveStaticPath(root, p)).toBeNull();
  });
});
