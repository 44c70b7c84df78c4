// Decisions the Electron shell makes about untrusted input: where the window may navigate, which
// IPC senders are ours, which permissions a page may have. Pure functions (no `electron` import)
// so unit tests reach them without the Electron binary; main.ts only wires them to the events.
import { APP_ORIGIN } from './appOrigin.ts';

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // `URL.origin` is "null" for non-special schemes in Node; build it ourselves for app://.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/** Same origin as the app (app://footfall). Everything else — file://, http(s), javascript: — is refused. */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  const origin = originOf(url);
  return origin !== null && origin === appOrigin;
}

/** will-navigate / will-redirect: only within our own origin (an in-app reload). */
export function isAllowedNavigation(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return isAppUrl(url, appOrigin);
}

/**
 * New windows are always denied. A plain http(s) link (none today) may be handed to the OS browser,
 * never opened inside the app where it would share our session.
 */
export function windowOpenDecision(url: string): { action: 'deny'; openExternally: boolean } {
  let external = false;
  try {
    const parsed = new URL(url);
    external = (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    external = false;
  }
  return { action: 'deny', openExternally: external };
}

export interface SenderInfo {
  /** URL of the frame that sent the IPC message (event.senderFrame.url). Null when the frame is gone. */
  frameUrl: string | null;
  /** Whether the frame is the top frame of its page (event.senderFrame === webContents.mainFrame). */
  isMainFrame: boolean;
  /** webContents id of the sender. */
  senderId: number;
}

/** An IPC message is ours only when it comes from our window's main frame showing our origin. */
export function isTrustedSender(sender: SenderInfo, windowContentsId: number | null, appOrigin: string = APP_ORIGIN): boolean {
  if (windowContentsId === null || sender.senderId !== windowContentsId) return false;
  if (!sender.isMainFrame) return false;
  return sender.frameUrl !== null && isAppUrl(sender.frameUrl, appOrigin);
}

/**
 * Permission requests (camera, geolocation, notifications, clipboard, …): denied by default.
 * Native notifications come from the main process, so the page needs only one:
 * 'clipboard-sanitized-write', for the settings screen's "copy diagnostics" (already redacted
 * text) — write-only, sanitized by Chromium, and for our origin only. A future need (e.g. a barcode
 * camera) goes here explicitly, for our origin only.
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set<string>(['clipboard-sanitized-write']);

export function permissionDecision(permission: string, requestingUrl: string, appOrigin: string = APP_ORIGIN): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl, appOrigin);
}
