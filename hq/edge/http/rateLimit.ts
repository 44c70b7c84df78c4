// Per-IP request rates on HQ's HTTP routes that take credentials or bulk input: a token bucket per
// (client IP, route class). Over the limit a request is answered 429 with Retry-After before its
// body is read, so a flood costs HQ a map lookup, not a parse.
//   auth    /v1/enroll, /v1/clerks/signin, /v1/member/session — guessing codes, PINs, sessions;
//           /v1/member/invites/* — a group's invite preview and QR, which need no session (guessing tokens);
//           /v1/live/rooms* — live rooms' public reads (no session: a crowd's page loads, scraping)
//   ingest  /v1/ingest/*, /v1/integration/* without the right X-Integration-Key — key guessing and
//           unauthenticated floods. A request carrying the right key is the chain's own integration
//           (door systems, the POS, bulk imports and the benchmarks push thousands per second) and
//           is not counted; its bodies are still size-limited.
// The desk WebSocket has its own per-device frame rate (HqOptions.maxFramesPerSecond, close 4029).
// The buckets are per node: behind a load balancer over N nodes a client gets up to N times the
// rate, which still stops guessing (the budgets are small); member sign-in failures and clerk PIN
// lockouts, which must hold chain-wide, are counted in the database instead. Behind a proxy the
// client is the proxy: list it in `trustedProxies` and the client address is read from
// X-Forwarded-For (the right-most address the trusted proxies did not add).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { sendJson } from './respond.ts';

export interface Bucket {
  /** Requests allowed at once. */
  burst: number;
  /** Refill rate, requests per second. */
  perSecond: number;
}

export interface RateLimits {
  auth: Bucket;
  ingest: Bucket;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  // Generous for a shop enrolling a few counters, tight for a code guesser: 30 at once, then 5/s.
  auth: { burst: 30, perSecond: 5 },
  // Unauthenticated ingest traffic: 100 at once, then 20/s.
  ingest: { burst: 100, perSecond: 20 },
};

export type RouteClass = keyof RateLimits;

export function routeClass(path: string): RouteClass | null {
  if (path === '/v1/enroll' || path === '/v1/clerks/signin' || path === '/v1/member/session' || path.startsWith('/v1/member/invites/') || path === '/v1/live/rooms' || path.startsWith('/v1/live/rooms/')) return 'auth';
  if (path.startsWith('/v1/ingest/') || path.startsWith('/v1/integration/')) return 'ingest';
  return null;
}

interface State {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, State>();
  private lastSweep = 0;

  constructor(
    private readonly limits: RateLimits = DEFAULT_RATE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(ip: string, cls: RouteClass): number {
    const t = this.now();
    this.sweep(t);
    const { burst, perSecond } = this.limits[cls];
    const key = `${cls}|${ip}`;
    const s = this.buckets.get(key) ?? { tokens: burst, at: t };
    s.tokens = Math.min(burst, s.tokens + ((t - s.at) / 1000) * perSecond);
    s.at = t;
    this.buckets.set(key, s);
    if (s.tokens >= 1) {
      s.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - s.tokens) / perSecond));
  }

  /** Forget full buckets now and then, so a scan from many addresses does not grow the map forever. */
  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    for (const [key, s] of this.buckets) if (t - s.at > 60_000) this.buckets.delete(key);
  }
}

/** Wraps an HTTP handler with the per-IP limits (false: no limits, e.g. for a benchmark). */
export function withRateLimits(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: RateLimits | false = DEFAULT_RATE_LIMITS,
  /** True for a request that proved it is the chain's integration (right X-Integration-Key). */
  trustedIngest: (req: IncomingMessage) => boolean = () => false,
  /** Addresses of the load balancers in front of HQ, whose X-Forwarded-For is believed. */
  trustedProxies: readonly string[] = [],
): (req: IncomingMessage, res: ServerResponse) => void {
  if (limits === false) return handler;
  const limiter = new RateLimiter(limits);
  return (req, res) => {
    let path = '/';
    try {
      path = new URL(req.url ?? '/', 'http://hq').pathname;
    } catch {
      /* the router answers a bad URL */
    }
    const found = routeClass(path);
    const cls = found === 'ingest' && trustedIngest(req) ? null : found;
    const wait = cls ? limiter.take(clientAddress(req, trustedProxies), cls) : 0;
    if (wait > 0) {
      // The body may still be arriving: answer and close instead of draining it.
      sendJson(res, 429, { error: { code: 'rate_limited', message: `too many requests; retry in ${wait} s` } }, { 'retry-after': String(wait), connection: 'close' });
      req.resume();
      return;
    }
    handler(req, res);
  };
}

const bare = (addr: string) => addr.trim().replace(/^::ffff:/, '');

/** The client's address: the peer, or behind trusted proxies the last address they did not add. */
export function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const peer = bare(req.socket.remoteAddress ?? 'unknown');
  if (trustedProxies.length === 0 || !trustedProxies.includes(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(bare).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return peer;
}
