// Periodic sweeps that look at every store of the chain (unserved visits, holds about to expire,
// birthdays) read it a slice of stores at a time, and write what they found a store at a time, with
// a turn of the event loop between slices and between writes.
//
// Why: on SQLite a read is synchronous under its awaits, so one read over 500 stores ran ~500
// queries without letting the loop turn — the idle HQ's longest stall (35–50 ms once a minute in
// the peers bench) while the desks' pings, heads and arrivals waited. Nothing here needs one
// snapshot of the whole chain: each store is decided alone, and its writes re-check under the
// store's lock (the sweeps' own rule). The writes likewise: each store's transaction commits and
// fans its events out to the store's desks at once, and back to back they held the loop for the
// whole sweep — 0.45–0.63 s when the unserved sweep closed 5,000 visits at 10,000 desks, the
// door's POSTs answered as late (docs/benchmarks.md, round 52).
import { type HqStore, type HqTx, type StoreRecord } from '../ports/store.ts';

/** Stores read per read transaction of a sweep. */
export const STORES_PER_SLICE = 50;
/**
 * Items (visits, holds, tasks…) a sweep writes per transaction at most: a store's share larger than
 * this is written in several, so one turn of the loop holds at most this many writes and their
 * events' fan-out (50 closed visits to 20 desks: 1,000 frames).
 */
export const SWEEP_WRITES_PER_TURN = 50;

/** Lets the event loop run what waits (I/O, timers) before going on. */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `each` for every slice of STORES_PER_SLICE stores, one read each, yielding between reads; the results in store order. */
export async function readStoreSlices<T>(store: HqStore, each: (r: HqTx, slice: StoreRecord[]) => Promise<T[]>): Promise<T[]> {
  const stores = await store.read((r) => r.listStores());
  const out: T[] = [];
  for (let i = 0; i < stores.length; i += STORES_PER_SLICE) {
    if (i > 0) await nextTurn();
    const slice = stores.slice(i, i + STORES_PER_SLICE);
    out.push(...(await store.read((r) => each(r, slice))));
  }
  return out;
}

/** Runs `each` for every store, STORES_PER_SLICE stores per read, yielding between reads; the results in store order. */
export function readEachStore<T>(store: HqStore, each: (r: HqTx, s: StoreRecord) => Promise<T[]>): Promise<T[]> {
  return readStoreSlices(store, async (r, slice) => {
    const found: T[] = [];
    for (const s of slice) found.push(...(await each(r, s)));
    return found;
  });
}

/** Items grouped by their store, stores in the order first met, items in the order given: a sweep's per-store writes. */
export function byStore<T, V>(items: readonly T[], storeOf: (t: T) => string, value: (t: T) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const item of items) {
    const storeId = storeOf(item);
    const group = groups.get(storeId);
    if (group) group.push(value(item));
    else groups.set(storeId, [value(item)]);
  }
  return groups;
}

/**
 * Runs `write` for each key's items (a store's, from `byStore`), SWEEP_WRITES_PER_TURN at a time,
 * each call its own transaction, with a turn of the event loop before each but the first; answers
 * the sum of what the calls answer. Each call must take its store's lock and re-check its items, as
 * every sweep's write does: a chunk is decided alone.
 */
export async function writeInTurns<V>(groups: ReadonlyMap<string, readonly V[]>, write: (key: string, items: readonly V[]) => Promise<number>): Promise<number> {
  let total = 0;
  let turns = 0;
  for (const [key, items] of groups) {
    for (let i = 0; i < items.length; i += SWEEP_WRITES_PER_TURN) {
      if (turns++ > 0) await nextTurn();
      total += await write(key, items.slice(i, i + SWEEP_WRITES_PER_TURN));
    }
  }
  return total;
}
