// One NATS connection for a node, shared by its bus and its presence, that never gives up.
//
// nats.js reconnects by itself once it has connected (maxReconnectAttempts -1), but its first
// connect either rejects at once or, with `waitOnFirstConnect`, keeps a promise pending until the
// server answers with no way to cancel it (close() needs the connection it has not returned yet).
// An HQ node must start and serve by polling the store while NATS is down, and must be able to
// shut down cleanly at any moment, so the first connect is our own loop: try, wait, try again,
// until it connects or the link is closed. If a connection is ever closed from the server side
// (nats.js gives up only on fatal errors), the loop starts over and hands out a new connection.

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type BusStatus, type Unsubscribe } from '../../ports/bus.ts';

export interface NatsLinkOptions {
  /** Client name shown by the server's monitoring pages (e.g. the node id). */
  name?: string;
  log?: (line: string) => void;
  /** Pause between connect attempts; nats.js adds up to `reconnectJitterMs` (default 500 / 250). */
  reconnectTimeWaitMs?: number;
  reconnectJitterMs?: number;
  /** How long one connect attempt may take before it counts as failed (default 5 s). */
  connectTimeoutMs?: number;
  /**
   * A server that vanishes without closing the socket is noticed after `maxPingOut` unanswered
   * pings, one every `pingIntervalMs` (default 10 s × 2, not nats.js's 2 min × 2).
   */
  pingIntervalMs?: number;
  maxPingOut?: number;
}

export interface NatsLink {
  /** The servers as given, for logs. */
  readonly servers: string[];
  /** The live connection; null until the first connect succeeds, and after close. */
  connection(): NatsConnection | null;
  /** Told of every connection the link makes (the first, and a new one after a fatal close). */
  onConnection(handler: (nc: NatsConnection) => void): Unsubscribe;
  status(): BusStatus;
  /** Told when the link goes down or comes back. */
  onStatus(handler: (s: BusStatus) => void): Unsubscribe;
  readonly closed: boolean;
  close(): Promise<void>;
}

/** "a:4222,b:4222" and ["a:4222", "b:4222"] both name two servers. */
function serverList(url: string | string[]): string[] {
  const list = (Array.isArray(url) ? url : [url]).flatMap((u) => u.split(',')).map((u) => u.trim()).filter((u) => u !== '');
  if (list.length === 0) throw new Error('no NATS server given');
  return list;
}

/** While NATS stays down, a failed attempt is logged at most this often. */
const REPEAT_LOG_MS = 30_000;

class Link implements NatsLink {
  readonly servers: string[];
  private nc: NatsConnection | null = null;
  private current: BusStatus;
  private readonly statusHandlers = new Set<(s: BusStatus) => void>();
  private readonly connHandlers = new Set<(nc: NatsConnection) => void>();
  private isClosed = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private lastFailureLog = 0;
  private readonly log: (line: string) => void;

  constructor(
    url: string | string[],
    private readonly opts: NatsLinkOptions,
  ) {
    this.servers = serverList(url);
    this.log = opts.log ?? (() => {});
    this.current = { up: false, detail: `connecting to ${this.servers.join(',')}` };
  }

  get closed(): boolean {
    return this.isClosed;
  }

  connection(): NatsConnection | null {
    return this.nc;
  }

  status(): BusStatus {
    return this.current;
  }

  onStatus(handler: (s: BusStatus) => void): Unsubscribe {
    const entry = (s: BusStatus) => handler(s);
    this.statusHandlers.add(entry);
    return () => void this.statusHandlers.delete(entry);
  }

  onConnection(handler: (nc: NatsConnection) => void): Unsubscribe {
    const entry = (nc: NatsConnection) => handler(nc);
    this.connHandlers.add(entry);
    return () => void this.connHandlers.delete(entry);
  }

  /** Starts the connect loop; resolves once the first attempt has succeeded or failed. */
  start(): Promise<void> {
    return new Promise((firstAttempt) => {
      this.loop = this.run(firstAttempt).catch((err: unknown) => {
        // run() catches everything it expects; this is a bug, and the link is dead without it.
        this.log(`nats: connection loop stopped: ${(err as Error).message}`);
        this.setStatus({ up: false, detail: `connection loop stopped: ${(err as Error).message}` });
        firstAttempt();
      });
    });
  }

  private async run(firstAttempt: () => void): Promise<void> {
    const wait = this.opts.reconnectTimeWaitMs ?? 500;
    const jitter = this.opts.reconnectJitterMs ?? 250;
    while (!this.isClosed) {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.servers,
          name: this.opts.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: wait,
          reconnectJitter: jitter,
          timeout: this.opts.connectTimeoutMs ?? 5000,
          pingInterval: this.opts.pingIntervalMs ?? 10_000,
          maxPingOut: this.opts.maxPingOut ?? 2,
          // nats.js otherwise makes two Error objects, stack traces and all, for every request (a
          // presence put, a KV listing) in case it fails: half of each put's CPU here (36.6 → 19.6 µs
          // per KV put, docs/benchmarks.md round 42). HQ reports a failed request by its message.
          noAsyncTraces: true,
        });
      } catch (err) {
        const detail = `cannot connect to ${this.servers.join(',')}: ${(err as Error).message}`;
        const now = Date.now();
        if (now - this.lastFailureLog >= REPEAT_LOG_MS) {
          this.lastFailureLog = now;
          this.log(`nats: ${detail} (retrying every ${wait} ms)`);
        }
        this.setStatus({ up: false, detail });
        firstAttempt();
        await this.sleep(wait + Math.random() * jitter);
        continue;
      }
      if (this.isClosed) {
        await nc.close().catch(() => {});
        break;
      }
      this.lastFailureLog = 0;
      this.nc = nc;
      this.watch(nc);
      this.log(`nats: connected to ${nc.getServer()}`);
      this.setStatus({ up: true, detail: `connected to ${nc.getServer()}` });
      for (const h of [...this.connHandlers]) {
        try {
          h(nc);
        } catch (err) {
          this.log(`nats: connection handler failed: ${(err as Error).message}`);
        }
      }
      firstAttempt();
      const why = await nc.closed();
      if (this.nc === nc) this.nc = null;
      if (this.isClosed) break;
      const detail = `connection closed${why ? `: ${why.message}` : ''}`;
      this.log(`nats: ${detail}; connecting again`);
      this.setStatus({ up: false, detail });
      await this.sleep(wait + Math.random() * jitter);
    }
  }

  /** Follows the connection's own reconnects (nats.js re-subscribes by itself). */
  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const s of nc.status()) {
        if (this.nc !== nc) break;
        switch (s.type) {
          case 'disconnect':
            this.log(`nats: disconnected from ${s.server}`);
            this.setStatus({ up: false, detail: `disconnected from ${s.server}; reconnecting` });
            break;
          case 'staleConnection':
            this.setStatus({ up: false, detail: 'server stopped answering pings; reconnecting' });
            break;
          case 'reconnect':
            this.log(`nats: reconnected to ${s.server}`);
            this.setStatus({ up: true, detail: `connected to ${s.server}` });
            break;
          case 'ldm':
            this.log(`nats: server ${s.server} is entering lame duck mode`);
            break;
          case 'error':
            this.log(`nats: ${s.error.message}`);
            break;
          case 'slowConsumer':
            this.log(`nats: slow consumer on ${s.sub.getSubject()} (${s.pending} pending)`);
            break;
          default:
            break;
        }
      }
    })().catch((err: unknown) => this.log(`nats: status watch failed: ${(err as Error).message}`));
  }

  private setStatus(s: BusStatus): void {
    const changed = s.up !== this.current.up;
    this.current = s;
    if (!changed) return;
    for (const h of [...this.statusHandlers]) {
      try {
        h(s);
      } catch (err) {
        this.log(`nats: status handler failed: ${(err as Error).message}`);
      }
    }
  }

  /** A pause that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.wake?.();
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) {
      // Let what was published go out first, but never wait on a server that is gone.
      if (this.current.up) await Promise.race([nc.flush().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
      await nc.close().catch(() => {});
    }
    this.setStatus({ up: false, detail: 'closed' });
    // A connect attempt in flight closes its connection itself when it lands; do not wait out its timeout.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

/**
 * Connects to NATS (comma-separated or an array of servers) and keeps trying forever. Resolves once
 * the first attempt has succeeded or failed: the link's status then says which, and a link that is
 * down keeps trying in the background.
 */
export async function connectNats(url: string | string[], opts: NatsLinkOptions = {}): Promise<NatsLink> {
  const link = new Link(url, opts);
  await link.start();
  return link;
}
