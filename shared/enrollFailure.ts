// Why enrolling a desk failed, as the desk core tells the setup screen. Only an error's code and
// message cross the bridge (Electron's IPC, the web shell's socket), so the reason travels in the
// message, written by `enrollFailureMessage` and read back by `parseEnrollFailure` — one module,
// so the two cannot drift apart. The setup screen turns the reason into one sentence in the
// clerk's language; the message itself is also what desk.log records, so it reads as English too.
//
// The reasons a person can act on differ: nothing answered at the address (wrong address, HQ down,
// no network), something answered that is not a Footfall HQ (a wrong port, a web server, a proxy's
// error page), HQ answered and refused the code, or HQ answered that it cannot enroll just now.

/** How long the desk waits for HQ's answer to an enrollment (per address tried). */
export const ENROLL_TIMEOUT_MS = 15_000;

/** Why nothing answered: what the network stack said, sorted by what the person can check. */
export type UnreachableCause = 'connection_refused' | 'host_not_found' | 'timeout' | 'tls' | 'network';

export type EnrollFailure =
  /** HQ answered and refused (unknown, used or expired code; a bad request; too many tries): its own words. */
  | { kind: 'refused'; detail: string }
  /** HQ answered that it cannot enroll right now (its database away, an internal error): its own words. */
  | { kind: 'hq_error'; detail: string }
  /** Something answered at `address`, but not as a Footfall HQ does. */
  | { kind: 'not_hq'; address: string; status: number }
  /** Nothing answered at any of the addresses (`address`: all of them, comma-separated). */
  | { kind: 'unreachable'; address: string; cause: UnreachableCause; detail: string };

const CAUSES: readonly UnreachableCause[] = ['connection_refused', 'host_not_found', 'timeout', 'tls', 'network'];

/** The message of the desk's DeskError for `f`; `parseEnrollFailure` reads it back. */
export function enrollFailureMessage(f: EnrollFailure): string {
  switch (f.kind) {
    case 'refused':
      return `enrollment refused: ${f.detail}`;
    case 'hq_error':
      return `HQ could not enroll: ${f.detail}`;
    case 'not_hq':
      return `not a Footfall HQ: ${f.address} answered HTTP ${f.status}`;
    case 'unreachable':
      return `cannot reach HQ at ${f.address} (${f.cause}): ${f.detail}`;
  }
}

/**
 * The failure an error message names, or null for another error (a bad argument, say). Accepts the
 * message with the shells' code prefix ("not_allowed: enrollment refused: …", as Electron's
 * preload passes it) or without.
 */
export function parseEnrollFailure(raw: string): EnrollFailure | null {
  const text = raw.replace(/^(not_allowed|internal|invalid_argument|not_found|storage):\s*/, '');
  let m = /^enrollment refused:\s*([\s\S]*)$/.exec(text);
  if (m) return { kind: 'refused', detail: m[1]!.trim() };
  m = /^HQ could not enroll:\s*([\s\S]*)$/.exec(text);
  if (m) return { kind: 'hq_error', detail: m[1]!.trim() };
  m = /^not a Footfall HQ: (\S[\s\S]*?) answered HTTP (\d{3})$/.exec(text);
  if (m) return { kind: 'not_hq', address: m[1]!, status: Number(m[2]) };
  m = /^cannot reach HQ at ([\s\S]+?) \((\w+)\): ([\s\S]*)$/.exec(text);
  if (m && (CAUSES as readonly string[]).includes(m[2]!)) return { kind: 'unreachable', address: m[1]!, cause: m[2] as UnreachableCause, detail: m[3]!.trim() };
  return null;
}

/**
 * Sorts a failed fetch (undici's "fetch failed" TypeError with the system error as its `cause`,
 * or the AbortSignal's TimeoutError) by what the person can check.
 */
export function unreachableCause(err: unknown): { cause: UnreachableCause; detail: string } {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const code = e?.cause?.code ?? '';
  const detail = e?.cause?.message ?? e?.message ?? String(err);
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') return { cause: 'timeout', detail };
  if (code === 'ECONNREFUSED') return { cause: 'connection_refused', detail };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') return { cause: 'host_not_found', detail };
  if (/CERT|SSL|TLS/i.test(code) || /certificate|ssl|tls/i.test(detail)) return { cause: 'tls', detail };
  return { cause: 'network', detail };
}
