// The Content-Security-Policy both shells send with the renderer. The renderer is a static bundle
// with no inline script or style, so everything can be locked to 'self'. The only difference
// between the shells is where the renderer may connect: nowhere for Electron (it talks through
// IPC), the local bridge WebSocket for the web shell.
// No `electron` import here: the web shell and the unit tests use this module in plain Node.

export interface CspOptions {
  /** Extra sources for connect-src, e.g. the web shell's ws://127.0.0.1:PORT. */
  connectSrc?: readonly string[];
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = ["'self'", ...(options.connectSrc ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers sent with every renderer file, besides Content-Type. */
export function securityHeaders(options: CspOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}
