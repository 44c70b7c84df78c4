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
//
// Why batch requests join the groups where writes are serial (SQLite): the batches a POS or door
// system posts side by side queued for the one writer each behind the other, a transaction and a
// COMMIT each; in one group they end no later and commit once. Part of a COMMIT's cost does not
// grow with its arrivals — the pages every arrival dirties alike, and SQLite walking its whole page
// cache at the end of a transaction that split a page (docs/benchmarks.md, rounds 29 and 30).
// A request's arrivals stay together in one transaction, as its route promises.
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

/**
 * Most arrivals in one group, unless one request brings more (a batch larger than this runs alone):
 * its transaction's length is every one of its arrivals' wait. On SQLite, where four batches of 50
 * queued behind each other waited for four transactions, one of 200 ends no later than the last of
 * them and commits once (docs/benchmarks.md, round 30).
 */
export const MAX_GROUP = 200;
/**
 * A group still in flight after this long is waiting for something (a store's lock held by a long
 * transaction elsewhere): the next group need not wait behind it. Groups take a few ms.
 */
export const LONG_GROUP_MS = 50;
/** Groups in flight at most, when the ones before are long: fewer than a node's pool connections. */
export const MAX_IN_FLIGHT = 4;

/** One request's arrivals, answered together: a single arrival (one item) or a batch request's items. */
interface Waiting {
  items: readonly ArrivalItem[];
  /** A single arrival: alone in a group, it takes the single path (`arrive`). */
  single: boolean;
  resolve: (results: (ArrivalOutcome | ArrivalError)[]) => void;
  reject: (err: unknown) => void;
}

/** What the groups have done since HQ started (for tests and the benches: `HqHandle.arrivals`). */
export interface GroupStats {
  /** Transactions run for grouped requests, and the arrivals they held. */
  groups: number;
  arrivals: number;
  largest: number;
  /** Batch requests that went through the groups (on a store with serial writes). */
  batches: number;
  /** Groups that failed as a whole and whose requests were run again one by one. */
  split: number;
}

export class ArrivalGroups {
  private readonly queue: Waiting[] = [];
  /** Groups whose transaction is running, and when the latest of them started (see `schedule`). */
  private inFlight = 0;
  private latestStart = 0;
  private scheduled = false;
  private recheck: ReturnType<typeof setTimeout> | null = null;
  readonly stats: GroupStats = { groups: 0, arrivals: 0, largest: 0, batches: 0, split: 0 };

  constructor(private readonly log: EventLog) {}

  /** One arrival, applied in the next group; resolves or rejects as `arrive` would. */
  arrive(request: ArrivalRequest, idempotency: Idempotency | null): Promise<ArrivalOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        items: [{ request, idempotency }],
        single: true,
        resolve: ([r]) => (r instanceof ArrivalError ? reject(r) : resolve(r!)),
        reject,
      });
      this.schedule();
    });
  }

  /**
   * A batch request's items, answered as `arriveAll` answers them: all in one transaction, each its
   * outcome or its own `ArrivalError`; a failure of the whole is thrown. Where writes are serial
   * (SQLite) the batch joins the next group, with the single arrivals and other batches waiting
   * then — it would have waited for their transactions anyway, and one commit is cheaper than
   * several; elsewhere (PostgreSQL) it runs at once in its own transaction, beside the others.
   */
  arriveBatch(items: readonly ArrivalItem[]): Promise<(ArrivalOutcome | ArrivalError)[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (!this.log.store.serialWrites) return arriveAll(this.log, items);
    this.stats.batches++;
    return new Promise((resolve, reject) => {
      this.queue.push({ items, single: false, resolve, reject });
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
      const group = this.take();
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

  /** The next group: requests in the order they came, whole, up to MAX_GROUP arrivals (the first whatever its size). */
  private take(): Waiting[] {
    let n = this.queue[0]!.items.length;
    let end = 1;
    while (end < this.queue.length && n + this.queue[end]!.items.length <= MAX_GROUP) n += this.queue[end++]!.items.length;
    return this.queue.splice(0, end);
  }

  private async run(group: Waiting[]): Promise<void> {
    const items = group.length === 1 ? group[0]!.items : group.flatMap((w) => w.items);
    this.stats.groups++;
    this.stats.arrivals += items.length;
    this.stats.largest = Math.max(this.stats.largest, items.length);
    if (group.length === 1) return this.alone(group[0]!);
    let out: Awaited<ReturnType<typeof applyAll>>;
    try {
      out = await applyAll(this.log, items);
    } catch (err) {
      // The commit failed, or what follows it: whether the group was applied is not known, so
      // nothing runs again here — each request is answered the failure (a 500 or 503 the door
      // system retries, with its Idempotency-Key), as it would be alone.
      for (const w of group) w.reject(err);
      return;
    }
    if ('undone' in out) {
      // The database unreachable: every request of the group would meet it again. Anything else
      // failed the group inside its transaction, which is rolled back — not necessarily for every
      // request in it: each runs again alone, so only one that fails for itself is refused.
      if (out.undone instanceof StoreUnavailable) {
        for (const w of group) w.reject(out.undone);
        return;
      }
      this.stats.split++;
      await Promise.all(group.map((w) => this.alone(w)));
      return;
    }
    let at = 0;
    for (const w of group) {
      w.resolve(out.results.slice(at, at + w.items.length));
      at += w.items.length;
    }
  }

  /** One request in a transaction of its own: a single arrival by its own path (on PostgreSQL its member and reads in one round trip), a batch as `arriveAll`. */
  private alone(w: Waiting): Promise<void> {
    if (w.single) {
      const [item] = w.items as [ArrivalItem];
      return arrive(this.log, item.request, item.idempotency).then((r) => w.resolve([r]), w.reject);
    }
    return arriveAll(this.log, w.items).then(w.resolve, w.reject);
  }
}
