// The presence port on a JetStream key-value bucket (hq/ports/presence.ts).
//
// One key per present client, `<channel>.<client>` (each escaped into one token, tokens.ts), in a
// bucket whose TTL (the stream's max age) is the presence TTL and that keeps one value per key.
// `add` is a put, which restarts the key's age; a node that dies stops refreshing and its keys
// age out on the server, with nobody cleaning up. `list` reads the live keys under the channel
// (the KV's key listing skips deleted and purged keys; expired ones are gone from the stream).
//
// The expiry is the bucket's, not the `ttlMs` each `add` passes: the KV in this server generation
// has no per-key TTL (per-message TTLs need nats-server 2.11 and a bucket made for them). Callers
// pass the same TTL the bucket was made with; a different one is logged once.
//
// Presence is best effort: while NATS or JetStream cannot be reached every method rejects at once
// (or after `timeoutMs`) and the caller carries on without it.

import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { type NatsConnection } from '@nats-io/transport-node';
import { type Presence } from '../../ports/presence.ts';
import { connectNats, type NatsLink, type NatsLinkOptions } from './natsConnection.ts';
import { checkSubjectPrefix, decodeToken, encodeToken } from './tokens.ts';

export interface NatsPresenceOptions {
  /** Bucket name, [A-Za-z0-9_-]; default `<prefix>-presence`, dots as dashes ('footfall-presence'). */
  bucket?: string;
  /** The deployment's subject prefix (as for the bus, default 'footfall'), naming the default bucket. */
  prefix?: string;
  /** How long an entry lives after its last `add`; the bucket's TTL (JetStream's minimum is 100 ms). */
  ttlMs: number;
  /**
   * Where the bucket lives if this node creates it (default 'memory': presence is rebuilt by the
   * next round of refreshes, so it need not survive a server restart).
   */
  storage?: 'memory' | 'file';
  /** Replicas if this node creates the bucket (default 1; 3 on a clustered NATS). */
  replicas?: number;
  /** How long one KV call may wait for JetStream (default 2 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Either a link (see natsConnection.ts) or a bare connection someone else manages. */
type Source = { link: NatsLink } | { nc: NatsConnection };

/** A listing that has not finished after this long returns what it has (see list()). */
const LIST_IDLE_MS = 1000;

/** The bucket name, after checking the options (before any connection is made for them). */
function checkOptions(opts: NatsPresenceOptions): string {
  const bucket = opts.bucket ?? `${checkSubjectPrefix(opts.prefix ?? 'footfall').replace(/\./g, '-')}-presence`;
  if (!/^[-\w]+$/.test(bucket)) throw new Error(`bad KV bucket name ${JSON.stringify(bucket)}`);
  if (!(opts.ttlMs >= 100)) throw new Error(`presence TTL must be at least 100 ms (got ${opts.ttlMs})`);
  return bucket;
}

function isLink(x: NatsLink | NatsConnection): x is NatsLink {
  return typeof (x as NatsLink).onConnection === 'function';
}

class NatsPresence implements Presence {
  private readonly bucket: string;
  private readonly log: (line: string) => void;
  /** The bucket opened on one connection (a new connection opens it again). */
  private opened: { nc: NatsConnection; kv: Promise<KV> } | null = null;
  private closed = false;
  private warnedTtl = false;

  constructor(
    private readonly source: Source,
    private readonly ownsLink: boolean,
    private readonly opts: NatsPresenceOptions,
  ) {
    this.bucket = checkOptions(opts);
    this.log = opts.log ?? (() => {});
  }

  private connection(): NatsConnection {
    if (this.closed) throw new Error('presence is closed');
    if ('link' in this.source) {
      const nc = this.source.link.connection();
      if (!nc || !this.source.link.status().up) throw new Error(`presence unavailable: NATS is down (${this.source.link.status().detail})`);
      return nc;
    }
    if (this.source.nc.isClosed()) throw new Error('presence unavailable: NATS connection closed');
    return this.source.nc;
  }

  /** The bucket on the current connection, created with the presence TTL if it does not exist. */
  kv(): Promise<KV> {
    let nc: NatsConnection;
    try {
      nc = this.connection();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    if (this.opened?.nc === nc) return this.opened.kv;
    const kv = this.open(nc);
    const opened = { nc, kv };
    this.opened = opened;
    // A failed open is not remembered: the next call tries again (JetStream may be back).
    kv.catch(() => {
      if (this.opened === opened) this.opened = null;
    });
    return kv;
  }

  private async open(nc: NatsConnection): Promise<KV> {
    const timeout = this.opts.timeoutMs ?? 2000;
    const js = jetstream(nc, { timeout });
    const kv = await new Kvm(js).create(this.bucket, {
      ttl: this.opts.ttlMs,
      history: 1,
      storage: this.opts.storage ?? 'memory',
      replicas: this.opts.replicas ?? 1,
      timeout,
    });
    // An existing bucket is opened as it is; if it was made with another TTL, the configured one
    // wins (every node runs with the same configuration, so they agree on it).
    const status = await kv.status();
    if (status.ttl !== this.opts.ttlMs) {
      const config = status.streamInfo.config;
      const maxAge = this.opts.ttlMs * 1_000_000;
      const jsm = await js.jetstreamManager();
      await jsm.streams.update(config.name, { ...config, max_age: maxAge, duplicate_window: Math.min(config.duplicate_window, maxAge) });
      this.log(`presence: bucket ${this.bucket} TTL changed from ${status.ttl} ms to ${this.opts.ttlMs} ms`);
    }
    return kv;
  }

  private key(channel: string, clientId: string): string {
    return `${encodeToken(channel)}.${encodeToken(clientId)}`;
  }

  async add(channel: string, clientId: string, ttlMs: number): Promise<void> {
    if (ttlMs !== this.opts.ttlMs && !this.warnedTtl) {
      this.warnedTtl = true;
      this.log(`presence: add with TTL ${ttlMs} ms, but bucket ${this.bucket} expires entries after ${this.opts.ttlMs} ms`);
    }
    const kv = await this.kv();
    await kv.put(this.key(channel, clientId), String(Date.now()));
  }

  async remove(channel: string, clientId: string): Promise<void> {
    const kv = await this.kv();
    await kv.delete(this.key(channel, clientId));
  }

  async list(channel: string): Promise<string[]> {
    const kv = await this.kv();
    const prefix = `${encodeToken(channel)}.`;
    const keys = await kv.keys(`${prefix}*`);
    const out = new Set<string>();
    // The listing ends when the last pending key has been delivered. If that key expires between
    // the count and the delivery, nats.js only notices at the consumer's next idle heartbeat (5 s);
    // every live key has been delivered long before, so stop waiting after a short quiet spell.
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => keys.stop(), LIST_IDLE_MS);
    };
    arm();
    try {
      for await (const key of keys) {
        arm();
        if (!key.startsWith(prefix)) continue;
        try {
          out.add(decodeToken(key.slice(prefix.length)));
        } catch {
          this.log(`presence: ignored a key not written by footfall: ${key}`);
        }
      }
    } finally {
      clearTimeout(idle);
    }
    // A listing cut short by a lost connection is incomplete: say so rather than answer with part of it.
    this.connection();
    return [...out];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.opened = null;
    if (this.ownsLink && 'link' in this.source) await this.source.link.close();
  }
}

/** Presence on a connection the caller owns and closes (a link shared with the bus, or a bare connection). */
export function createNatsPresence(conn: NatsLink | NatsConnection, opts: NatsPresenceOptions): Presence {
  return new NatsPresence(isLink(conn) ? { link: conn } : { nc: conn }, false, opts);
}

/**
 * Presence on a connection (shared: pass the link or connection) or on its own (pass the servers).
 * Resolves even when NATS or JetStream is unreachable: its methods reject until they are back. If
 * it can, it opens the bucket at once, so a misconfigured server shows in the log at start.
 */
export async function connectNatsPresence(
  target: NatsLink | NatsConnection | string | string[],
  opts: NatsPresenceOptions & Omit<NatsLinkOptions, 'log'>,
): Promise<Presence> {
  const bucket = checkOptions(opts);
  const owns = typeof target === 'string' || Array.isArray(target);
  const conn = owns ? await connectNats(target, opts) : target;
  const presence = new NatsPresence(isLink(conn) ? { link: conn } : { nc: conn }, owns, opts);
  const ready = isLink(conn) ? conn.status().up : !conn.isClosed();
  if (ready) {
    await presence.kv().catch((err: unknown) => opts.log?.(`presence: bucket ${bucket} not ready: ${(err as Error).message}`));
  }
  return presence;
}
