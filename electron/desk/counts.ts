// What needs the counter's attention, as the shells show it (tray, badge, title): today's arrivals
// no clerk has taken yet, member messages nobody read, and other stores' requests to hold a pair
// that wait for this store's answer — all as the clerk sees them, with the outbox applied (a queued
// claim, read or answer counts at once).
//
// Invariant: `counts` is emitted only when a number changed. The numbers come from two COUNT
// queries on indexes, run once per change the desk makes (an event batch, a clerk action, a
// snapshot, a purge, midnight) and only while someone listens; a reader without a listener gets
// them computed on demand.
import type { CacheQueries } from './cache/queries.ts';

export interface AttentionCounts {
  /** Visits that arrived today (local time) and are open: nobody claimed or closed them. */
  waiting: number;
  /** Member messages not read at this counter, over every conversation. */
  unread: number;
  /** Other stores' requests to hold a pair here, not answered yet (the other store's clerk waits). */
  requests: number;
}

/** The start of the local day `now` is in. Pure. */
export function startOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** The next local midnight after `now`. Pure. */
export function nextMidnight(now: number): number {
  const d = new Date(startOfDay(now));
  d.setDate(d.getDate() + 1);
  return d.getTime();
}

export const sameCounts = (a: AttentionCounts, b: AttentionCounts): boolean => a.waiting === b.waiting && a.unread === b.unread && a.requests === b.requests;

export function readCounts(q: CacheQueries, now: number): AttentionCounts {
  const storeId = q.getIdentity()?.storeId;
  return { waiting: q.countWaiting(startOfDay(now)), unread: q.chat.unreadTotal(), requests: storeId ? q.holds.countToAnswer(storeId) : 0 };
}

export interface CountsOptions {
  /** Someone listens to `counts` (else refresh only marks them stale). */
  listened(): boolean;
  changed(counts: AttentionCounts): void;
  now?: () => number;
}

export class Counts {
  private last: AttentionCounts | null = null;
  private stale = true;
  private midnight: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: CountsOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The current counts (queried when stale). */
  get(): AttentionCounts {
    if (this.stale || !this.last) this.compute();
    return { ...this.last! };
  }

  /** Something they depend on may have changed: recount and emit when a number moved. */
  refresh(): void {
    if (this.stopped) return;
    this.stale = true;
    if (!this.opts.listened()) return;
    const before = this.last;
    this.compute();
    if (!before || !sameCounts(before, this.last!)) this.opts.changed({ ...this.last! });
  }

  stop(): void {
    this.stopped = true;
    if (this.midnight) clearTimeout(this.midnight);
    this.midnight = null;
  }

  private compute(): void {
    const now = this.now();
    this.last = readCounts(this.q, now);
    this.stale = false;
    // Yesterday's arrivals stop counting at midnight, with or without an event then.
    if (!this.midnight && !this.stopped) {
      this.midnight = setTimeout(() => {
        this.midnight = null;
        this.refresh();
      }, nextMidnight(now) - now + 1000);
      this.midnight.unref();
    }
  }
}
