// The presence port in memory (hq/ports/presence.ts) for a single HQ node: a map of deadlines.
// An entry lives `ttlMs` from its last `add`; `list` leaves out and forgets expired entries, and
// `add` sweeps its channel, so clients that vanish without `remove` do not pile up.

import { type Presence } from '../../ports/presence.ts';

export interface MemoryPresenceOptions {
  /** The clock (ms); a test may drive it. Default: a monotonic clock, immune to wall-clock jumps. */
  now?: () => number;
}

class MemoryPresence implements Presence {
  /** channel → client id → deadline (ms on `now`). */
  private readonly channels = new Map<string, Map<string, number>>();
  private closed = false;

  constructor(private readonly now: () => number) {}

  private check(): void {
    if (this.closed) throw new Error('presence is closed');
  }

  /** The live entries of a channel, expired ones removed (and an empty channel forgotten). */
  private sweep(channel: string): Map<string, number> | undefined {
    const clients = this.channels.get(channel);
    if (!clients) return undefined;
    const now = this.now();
    for (const [id, deadline] of clients) if (deadline <= now) clients.delete(id);
    if (clients.size === 0) this.channels.delete(channel);
    return clients;
  }

  async add(channel: string, clientId: string, ttlMs: number): Promise<void> {
    this.check();
    this.sweep(channel);
    let clients = this.channels.get(channel);
    if (!clients) {
      clients = new Map();
      this.channels.set(channel, clients);
    }
    clients.set(clientId, this.now() + ttlMs);
  }

  async remove(channel: string, clientId: string): Promise<void> {
    this.check();
    const clients = this.channels.get(channel);
    if (!clients) return;
    clients.delete(clientId);
    if (clients.size === 0) this.channels.delete(channel);
  }

  async list(channel: string): Promise<string[]> {
    this.check();
    const clients = this.sweep(channel);
    return clients ? [...clients.keys()] : [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}

export function createMemoryPresence(opts: MemoryPresenceOptions = {}): Presence {
  return new MemoryPresence(opts.now ?? (() => performance.now()));
}
