// The presence port in memory (hq/ports/presence.ts) for a single HQ node: a map of deadlines.
// An entry lives `ttlMs` from its last `add`; `list` leaves out and forgets expired entries, and
// `add` sweeps its channel at most once a `ttlMs`, so clients that vanish without `remove` do not
// pile up (an expired entry stays at most one more `ttlMs`, unseen: `list` sweeps before it reads).
//
// Why `add` does so little: each desk's presence is refreshed every ttl/3 (deskHub.ts), 1,000 adds
// a second at 10,000 desks, most of what an idle node does. Sweeping the channel on every add,
// with `for…of` over the map, allocated an entry pair per client: 65 % of an idle node's
// allocation (docs/benchmarks.md, round 43). Deadlines are whole milliseconds, small integers that
// live in the map's own slots rather than a new heap number per refresh.

import { type Presence } from '../../ports/presence.ts';

export interface MemoryPresenceOptions {
  /** The clock (ms); a test may drive it. Default: a monotonic clock, immune to wall-clock jumps. */
  now?: () => number;
}

interface Channel {
  /** client id → deadline (whole ms on `now`). */
  readonly clients: Map<string, number>;
  /** When `add` last swept this channel (ms on `now`). */
  sweptAt: number;
}

class MemoryPresence implements Presence {
  private readonly channels = new Map<string, Channel>();
  private closed = false;

  constructor(private readonly now: () => number) {}

  private check(): void {
    if (this.closed) throw new Error('presence is closed');
  }

  /** Removes a channel's expired entries; forgets the channel when none is left (false then). */
  private sweep(name: string, channel: Channel, now: number): boolean {
    channel.sweptAt = now;
    channel.clients.forEach((deadline, id, clients) => {
      if (deadline <= now) clients.delete(id);
    });
    if (channel.clients.size > 0) return true;
    this.channels.delete(name);
    return false;
  }

  async add(name: string, clientId: string, ttlMs: number): Promise<void> {
    this.check();
    const now = this.now();
    let channel = this.channels.get(name);
    if (channel && now - channel.sweptAt >= ttlMs && !this.sweep(name, channel, now)) channel = undefined;
    if (!channel) {
      channel = { clients: new Map(), sweptAt: now };
      this.channels.set(name, channel);
    }
    channel.clients.set(clientId, Math.ceil(now + ttlMs));
  }

  async remove(name: string, clientId: string): Promise<void> {
    this.check();
    const channel = this.channels.get(name);
    if (!channel) return;
    channel.clients.delete(clientId);
    if (channel.clients.size === 0) this.channels.delete(name);
  }

  async list(name: string): Promise<string[]> {
    this.check();
    const channel = this.channels.get(name);
    if (!channel) return [];
    this.sweep(name, channel, this.now());
    return [...channel.clients.keys()];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}

export function createMemoryPresence(opts: MemoryPresenceOptions = {}): Presence {
  return new MemoryPresence(opts.now ?? (() => performance.now()));
}
