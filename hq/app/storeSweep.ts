// Periodic sweeps that look at every store of the chain (unserved visits, holds about to expire,
// birthdays) read it a slice of stores at a time, with a turn of the event loop between slices.
//
// Why: on SQLite a read is synchronous under its awaits, so one read over 500 stores ran ~500
// queries without letting the loop turn — the idle HQ's longest stall (35–50 ms once a minute in
// the peers bench) while the desks' pings, heads and arrivals waited. Nothing here needs one
// snapshot of the whole chain: each store is decided alone, and its writes re-check under the
// store's lock (the sweeps' own rule).
import { type HqStore, type HqTx, type StoreRecord } from '../ports/store.ts';

/** Stores read per read transaction of a sweep. */
export const STORES_PER_SLICE = 50;

/** Runs `each` for every slice of STORES_PER_SLICE stores, one read each, yielding between reads; the results in store order. */
export async function readStoreSlices<T>(store: HqStore, each: (r: HqTx, slice: StoreRecord[]) => Promise<T[]>): Promise<T[]> {
  const stores = await store.read((r) => r.listStores());
  const out: T[] = [];
  for (let i = 0; i < stores.length; i += STORES_PER_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
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
