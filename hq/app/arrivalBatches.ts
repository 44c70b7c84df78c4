// Arrivals applied many to one transaction: the items of a batch request (`arriveAll`), and single
// arrivals that come while others are being written (`ArrivalGroups`, a group commit).
//
// Invariant: each arrival is answered what it would be answered alone — its outcome, or its own
// `ArrivalError` — and only once the transaction that holds it has ended. One arrival's refusal
// never undoes another's (each is a write of `EventLog.batch`: undone alone, its seqs with it), and
// the events reach the desks after the commit, in seq order.
//
// Why group single arrivals: a door system posts one arrival per request, and each paid a whole
// transaction — its BEGIN and COMMIT, and on PostgreSQL a round trip per statement plus the
// backend's own work — where an arrival of a batch costs a fraction (docs/benchmarks.md, round 24).
// While a transaction of arrivals is in flight, the arrivals that come meanwhile wait for it anyway
// (SQLite has one writer; on PostgreSQL they would queue for the pool and the store's lock); here
// they wait in a queue instead, and the next transaction takes them all. Unloaded, nothing waits:
// an arrival finding no transaction in flight starts its own at once, alone, as before. The more
// load, the larger the groups and the less each arrival costs — the shape of PostgreSQL's own
// group commit.
import { StoreUnavailable } from '../ports/store.ts';
import { ArrivalError, type ArrivalOutcome, type ArrivalRequest, type Idempotency, arrive, arriveIn } from './arrivals.ts';
import { ArrivalsAhead } from './arrivalsAhead.ts';
import { type EventLog } from './eventLog.ts';

/** One arrival to apply, with its Idempotency-Key when it came with one. */
export interface ArrivalItem {
  request: ArrivalRequest;
  idempotency: Idempotency | null;
}

/**
 * The items in ONE transaction, in order: each item's outcome, or the `ArrivalError` that refused
 * it (undone alone). Any other failure aborts the whole: nothing applied, nothing published, thrown.
 */
export async function arriveAll(log: EventLog, items: readonly ArrivalItem[]): Promise<(ArrivalOutcome | ArrivalError)[]> {
  if (items.length === 0) return [];
  const out = await applyAll(log, items);
  if ('undone' in out) throw out.undone;
  return out.results;
}

/**
 * `arriveAll`, telling apart a failure inside the transaction (`undone`: the adapter rolled it all
 * back, so every item may be run again) from one it throws (the commit, or what came after it:
 * whether the items were applied is not known). Where every statement is a round trip, the items'
 * stores are locked and their rows read up front, a few statements for them all (arrivalsAhead.ts).
 */
async function applyAll(log: EventLog, items: readonly ArrivalItem[]): Promise<{ results: (ArrivalOutcome | ArrivalError)[] } | { undone: unknown }> {
  let results: (ArrivalOutcome | ArrivalError)[] = [];
  let inside: { err: unknown } | null = null;
  try {
    await log.batch(async (b) => {
      results = []; // the batch may run more than once (see EventLog.batch): the last run's results count
      inside = null;
      try {
        const ahead = log.store.readAhead && items.length > 1 ? await ArrivalsAhead.read(b.tx, items.map((i) => i.request)) : undefined;
        for (const { request, idempotency } of items) {
          try {
            results.push(await b.write((tx, append) => arriveIn(log.store, tx, append, request, idempotency, ahead)));
          } catch (err) {
            if (!(err instanceof ArrivalError)) throw err;
            results.push(err);
          }
        }
      } catch (err) {
        inside = { err };
        throw err;
      }
    });
  } catch (err) {
    const failed = inside as { err: unknown } | null;
    if (failed !== null && failed.err === err) return { undone: err };
    throw err;
  }
  return { results };
}

/** Most arrivals in one group: its transaction's length is every one of its arrivals' wait. */
export const MAX_GROUP = 50;
/**
 * A group still in flight after this long is waiting for something (a store's lock held by a long
 * transaction elsewhere): the next group need not wait behind it. Groups take a few ms.
 */
export const LONG_GROUP_MS = 50;
/** Groups in flight at most, when the ones before are long: fewer than a node's pool connections. */
export const MAX_IN_FLIGHT = 4;

interface Waiting {
  item: ArrivalItem;
  resolve: (outcome: ArrivalOutcome) => void;
  reject: (err: unknown) => void;
}

/** What the groups have done since HQ started (for tests and the benches: `HqHandle.arrivals`). */
export interface GroupStats {
  /** Transactions run for single arrivals, and the arrivals they held. */
  groups: number;
  arrivals: number;
  largest: number;
  /** Groups that failed as a whole and whose arrivals were run again one by one. */
  split: number;
}

export class ArrivalGroups {
  private readonly queue: Waiting[] = [];
  /** Groups whose transaction is running, and when the latest of them started (see `schedule`). */
  private inFlight = 0;
  private latestStart = 0;
  private scheduled = false;
  private recheck: ReturnType<typeof setTimeout> | null = null;
  readonly stats: GroupStats = { groups: 0, arrivals: 0, largest: 0, split: 0 };

  constructor(private readonly log: EventLog) {}

  /** One arrival, applied in the next group; resolves or rejects as `arrive` would. */
  arrive(request: ArrivalRequest, idempotency: Idempotency | null): Promise<ArrivalOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item: { request, idempotency }, resolve, reject });
      this.schedule();
    });
  }

  /**
   * One group at a time, started after the current turn's I/O callbacks (setImmediate): the
   * requests read in the same turn go in one group, and an arrival finding nothing in flight waits
   * no timer. On SQLite a second group could only wait for the first's lock; on PostgreSQL it could
   * overlap the first's round trips, but measured beside this (round 24) it grouped no more and
   * answered no faster; one keeps the groups largest.
   *
   * Except when the group in flight is long (LONG_GROUP_MS): it is then waiting for something —
   * on PostgreSQL, a store's lock that another transaction holds — and the arrivals queued behind it,
   * at other stores, must not wait for that store; the next group starts beside it (up to
   * MAX_IN_FLIGHT). A store whose lock is held long holds up its own arrivals, and the others' by
   * at most LONG_GROUP_MS.
   */
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= MAX_IN_FLIGHT) return;
    if (this.inFlight > 0) {
      const wait = this.latestStart + LONG_GROUP_MS - performance.now();
      if (wait > 0) {
        this.recheck ??= setTimeout(() => {
          this.recheck = null;
          this.schedule();
        }, wait + 1);
        return;
      }
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const group = this.queue.splice(0, MAX_GROUP);
      this.inFlight++;
      this.latestStart = performance.now();
      void this.run(group).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0 && this.recheck) {
          clearTimeout(this.recheck);
          this.recheck = null;
        }
        this.schedule();
      });
    });
  }

  private async run(group: Waiting[]): Promise<void> {
    this.stats.groups++;
    this.stats.arrivals += group.length;
    this.stats.largest = Math.max(this.stats.largest, group.length);
    if (group.length === 1) {
      // Alone: the single arrival's own path (on PostgreSQL its member and reads in one round trip).
      const [w] = group as [Waiting];
      return arrive(this.log, w.item.request, w.item.idempotency).then(w.resolve, w.reject);
    }
    let out: Awaited<ReturnType<typeof applyAll>>;
    try {
      out = await applyAll(this.log, group.map((w) => w.item));
    } catch (err) {
      // The commit failed, or what follows it: whether the group was applied is not known, so
      // nothing runs again here — each arrival is answered the failure (a 500 or 503 the door
      // system retries, with its Idempotency-Key), as a single arrival's would be.
      for (const w of group) w.reject(err);
      return;
    }
    if ('undone' in out) {
      // The database unreachable: every arrival of the group would meet it again. Anything else
      // failed the group inside its transaction, which is rolled back — not necessarily for every
      // arrival in it: each runs again alone, so only one that fails for itself is refused.
      if (out.undone instanceof StoreUnavailable) {
        for (const w of group) w.reject(out.undone);
        return;
      }
      this.stats.split++;
      await Promise.all(group.map((w) => arrive(this.log, w.item.request, w.item.idempotency).then(w.resolve, w.reject)));
      return;
    }
    out.results.forEach((r, i) => (r instanceof ArrivalError ? group[i]!.reject(r) : group[i]!.resolve(r)));
  }
}
