// Periodic work over every connected socket, spread over its period instead of done in one loop.
//
// Invariant: a round starts every `periodMs` (never sooner, however few the items), and every item
// present when it starts is visited once in it: each tick (every `tickMs`, at most the period)
// visits its share, `ceil(roundSize × tickMs / periodMs)` items, so the round ends within its
// period. Items that join during a round wait for the next one; items that left are skipped by the
// caller's `visit` (it checks they are still current).
//
// Why: with 10,000 desks, one loop sending a ping (every 25 s) or a head frame (every 10 s) to all
// of them held the event loop for 190–510 ms — every arrival in that moment waited for it. Sliced
// into 100 ms ticks, a tick handles ~40–100 sockets (a few ms), and each socket still gets its ping
// and its head once per period.
export interface SpreadSweepOptions<T> {
  /** One round over all items takes this long. */
  periodMs: number;
  /** How often a slice runs (clamped to the period). */
  tickMs: number;
  /** The items of the next round, read when a round starts. */
  items: () => Iterable<T>;
  visit: (item: T) => void;
  /** Runs once before each slice (e.g. to reset per-slice caches). */
  beforeSlice?: () => void;
}

export class SpreadSweep<T> {
  /** The round's items; `next` is the first not visited yet (a cursor: no array shifted per tick). */
  private queue: T[] = [];
  private next = 0;
  private perTick = 1;
  private roundStartedAt = Number.NEGATIVE_INFINITY;
  private readonly share: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly o: SpreadSweepOptions<T>) {
    const tick = Math.max(1, Math.min(o.tickMs, o.periodMs));
    this.share = tick / o.periodMs;
    this.timer = setInterval(() => this.tick(), tick);
  }

  /** One slice at `now`; public so a test can drive rounds without waiting. */
  tick(now: number = Date.now()): void {
    if (this.next >= this.queue.length) {
      if (now - this.roundStartedAt < this.o.periodMs) return; // this round is done; the next starts on time
      this.roundStartedAt = now;
      this.queue = [...this.o.items()];
      this.next = 0;
      this.perTick = Math.max(1, Math.ceil(this.queue.length * this.share));
      if (this.queue.length === 0) return;
    }
    this.o.beforeSlice?.();
    const end = Math.min(this.queue.length, this.next + this.perTick);
    while (this.next < end) this.o.visit(this.queue[this.next++]!);
    // A finished round lets go of its items (sockets closed since are not kept until the next).
    if (this.next >= this.queue.length) this.queue = [];
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
