// The addresses of one HQ — its nodes, or a load balancer under several names — and which one the
// desk talks to. Every node serves every desk from the same database, so a desk resumes on any of
// them by (epoch, seq): the addresses are interchangeable, and only reachability picks one.
//
// Invariant: the desk talks to one address at a time and leaves it only after a failure. The link
// tries the addresses round-robin from a random first one (so a store's desks spread over the
// nodes), hopping to the next one at once after a failure and backing off (backoff.ts: exponential,
// jittered) only after a whole round failed — one dead node costs a quick hop, a dead HQ costs the
// usual backoff, never a storm. HTTP calls go to the address the link was last welcomed on and try
// the others only when that one does not answer at all.
import { backoffDelay, type BackoffOptions } from './backoff.ts';

/** The address a desk tries first: a random one, so desks spread over the nodes. */
export function firstIndex(count: number, random: () => number = Math.random): number {
  return Math.max(0, Math.min(count - 1, Math.floor(random() * count)));
}

/**
 * The wait before the next address within a round: up to a quarter of the backoff minimum, so the
 * desks that lost one node together do not all land on the next one in the same instant.
 */
export function hopDelay(o: BackoffOptions, random: () => number = Math.random): number {
  return Math.round(random() * (o.minMs / 4));
}

/**
 * Where the link goes after its `failures`-th failed or dropped connection in a row (1-based; a
 * welcome resets the count), made at address `index` of `count`: the next address, at once within
 * a round, after the jittered backoff of round `failures / count - 1` once every address failed.
 * With one address every failure ends a round: the plain backoff schedule.
 */
export function afterFailure(index: number, failures: number, count: number, o: BackoffOptions, random: () => number = Math.random): { index: number; delayMs: number } {
  const next = (index + 1) % count;
  if (failures % count !== 0) return { index: next, delayMs: hopDelay(o, random) };
  return { index: next, delayMs: backoffDelay(failures / count - 1, o, random) };
}

/** No answer at all (refused, reset, unknown host, timed out): another address may do better. An HTTP status is an answer. */
export function isNetworkError(err: unknown): boolean {
  if (err instanceof TypeError) return true; // undici: "fetch failed", the cause says why
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

/** What the desk's HTTP calls need: a fetch against HQ, by path. */
export interface HqHttp {
  /** `path` (with its query) at HQ; `timeoutMs` applies to each address tried. */
  fetch(path: string, init?: RequestInit, timeoutMs?: number): Promise<Response>;
}

/** The HQ addresses of one desk, and the one its HTTP calls go to first. */
export class HqAddresses implements HqHttp {
  readonly urls: readonly string[];
  private preferred: number;

  /** `first`: the index to start from (default random, see firstIndex). */
  constructor(urls: readonly string[], first?: number) {
    if (urls.length === 0) throw new Error('HQ addresses: at least one is needed');
    this.urls = [...urls];
    this.preferred = first ?? firstIndex(urls.length);
    if (!Number.isInteger(this.preferred) || this.preferred < 0 || this.preferred >= urls.length) throw new Error(`HQ addresses: no address ${first}`);
  }

  /** Where HTTP calls go first: the address of the last good link (or HTTP answer). */
  get current(): string {
    return this.urls[this.preferred]!;
  }

  /** The index of `current` in `urls`. */
  get index(): number {
    return this.preferred;
  }

  /** The link was welcomed at `url`: HTTP calls follow it. An address not in the list is ignored. */
  use(url: string): void {
    const i = this.urls.indexOf(url);
    if (i >= 0) this.preferred = i;
  }

  /**
   * fetch at the current address; when it does not answer (isNetworkError), at the next ones in
   * turn, each once. The address that answered becomes the current one. Throws the last network
   * error when none answered. Only calls that are safe to repeat should come here: a request may
   * have reached a node that then failed to answer (GETs; an image upload at worst leaves an unused
   * image; an enrollment code is spent once, so its retry is refused, never doubled).
   */
  async fetch(path: string, init: RequestInit = {}, timeoutMs = 15_000): Promise<Response> {
    let last: unknown = null;
    for (let k = 0; k < this.urls.length; k++) {
      const i = (this.preferred + k) % this.urls.length;
      try {
        const res = await fetch(new URL(path, this.urls[i]), { ...init, signal: AbortSignal.timeout(timeoutMs) });
        this.preferred = i;
        return res;
      } catch (err) {
        if (!isNetworkError(err)) throw err;
        last = err;
      }
    }
    throw last;
  }
}
