// Each node's catalog copies (hq/app/catalogCache.ts) on a real SQLite store: read in the caller's
// transaction only when the node holds none, checked off the caller's path once a minute old (read
// again only when the catalog's counters moved, or an hour on), never kept across a catalog change,
// and loaded for every store by the warm-up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_CACHE_MS, CATALOG_MAX_AGE_MS, catalogFor, catalogLaneIdle, catalogIndexes, invalidateCatalog, sameStock, warmCatalogs } from '../../hq/app/catalogCache.ts';
import { StockLine } from '../../shared/domain.ts';
import { newEpoch } from '../../hq/app/tokens.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import type { HqStore, HqTx } from '../../hq/ports/store.ts';
import { benchChainRows } from '../../bench/lib/seed.ts';
import { EventLog } from '../../hq/app/eventLog.ts';
import { IngestMember, setStock, upsertMembers, upsertStyles } from '../../hq/app/catalogIngest.ts';
import { setStylePicture } from '../../hq/app/pictures/stylePictures.ts';
import { deleteMember } from '../../hq/app/memberDeletion.ts';
import { waitFor } from '../support/waitFor.ts';

/** A transaction that must not be used: the copy has to come from the node's cache. */
const untouchable = new Proxy({} as HqTx, {
  get: (_t, key) => {
    throw new Error(`the catalog was read in the caller's transaction (${String(key)})`);
  },
});

/** Every turn queued before this one has run (SQLite's transactions and read views take turns in order). */
const drained = (store: HqStore) => store.read(async () => undefined);

/**
 * The same store port, its read views recorded as they are asked for — each as the names of the
 * port's operations it called, in order — and the most in flight at once.
 */
function countingReads(store: HqStore): { counted: HqStore; views: string[][]; most: () => number } {
  let inFlight = 0;
  let most = 0;
  const views: string[][] = [];
  const counted: HqStore = {
    ...store,
    read: (fn) => {
      inFlight++;
      most = Math.max(most, inFlight);
      const calls: string[] = [];
      views.push(calls);
      const recorded = (r: HqTx) =>
        new Proxy(r, {
          get: (target, key, receiver) => {
            const value: unknown = Reflect.get(target, key, receiver);
            if (typeof key === 'string' && (typeof value === 'function' || key === 'styleImages')) calls.push(key);
            return value;
          },
        });
      return store.read((r) => fn(recorded(r))).finally(() => inFlight--);
    },
  };
  return { counted, views, most: () => most };
}

/** What a view that reads a store's catalog whole calls: its counters first. */
const WHOLE_READ = ['catalogVersion', 'listStyles', 'stockForStore', 'popularityForStore', 'styleImages'];

describe('catalog copies per node', () => {
  let dir: string;
  let store: HqStore;
  const rows = benchChainRows({ stores: 3, membersPerStore: 1, desksPerStore: 1, styles: 8 });
  const [s0, s1, s2] = rows.stores.map((s) => s.id) as [string, string, string];
  const line = rows.stock.find((l) => l.storeId === s0)!;
  const qtyIn = (stock: readonly { styleId: string; color: string; size: number; qty: number }[]) =>
    stock.find((l) => l.styleId === line.styleId && l.color === line.color && l.size === line.size)?.qty;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'footfall-catalog-'));
    store = openSqliteStore(join(dir, 'hq.db'), { log: () => {} });
    await store.withTx(async (tx) => {
      for (const s of rows.stores) await tx.upsertStore(s, newEpoch());
      for (const s of rows.styles) await tx.upsertStyle(s);
      for (const l of rows.stock) await tx.setStock(l);
    });
  });
  afterEach(async () => {
    invalidateCatalog(store);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a store the node holds nothing of in the caller’s transaction, then keeps that copy', async () => {
    const t0 = Date.now();
    const first = await store.read((r) => catalogFor(store, r, s0, t0));
    expect(qtyIn(first.stock)).toBe(line.qty);
    expect(first.styles).toHaveLength(rows.styles.length);
    expect(await catalogFor(store, untouchable, s0, t0 + 1000)).toBe(first);
    // Another store is its own copy.
    const other = await store.read((r) => catalogFor(store, r, s1, t0));
    expect(other).not.toBe(first);
    expect(other.stock.every((l) => l.storeId === s1)).toBe(true);
  });

  it('copies share one styles list while the styles are the same; a changed style makes a new one', async () => {
    const t0 = Date.now();
    const a = await store.read((r) => catalogFor(store, r, s0, t0));
    const b = await store.read((r) => catalogFor(store, r, s1, t0));
    expect(b.styles).toBe(a.styles);
    // The stock lines are the store's rows, as read (their ids kept as one string each is not visible here).
    const rowsOf = (id: string) => rows.stock.filter((l) => l.storeId === id).map(({ storeId, styleId, color, size, qty }) => ({ storeId, styleId, color, size, qty }));
    const byKey = (x: { styleId: string; color: string; size: number }, y: { styleId: string; color: string; size: number }) =>
      x.styleId.localeCompare(y.styleId) || x.color.localeCompare(y.color) || x.size - y.size;
    expect([...a.stock].sort(byKey)).toEqual(rowsOf(s0).sort(byKey));
    const renamed = { ...rows.styles[0]!, name: `${rows.styles[0]!.name} II` };
    await store.withTx((tx) => tx.upsertStyle(renamed));
    invalidateCatalog(store);
    const c = await store.read((r) => catalogFor(store, r, s2, Date.now()));
    expect(c.styles).not.toBe(a.styles);
    expect(c.styles.find((s) => s.id === renamed.id)!.name).toBe(renamed.name);
    // The next store's copy shares the new list, not the old one.
    const d = await store.read((r) => catalogFor(store, r, s0, Date.now()));
    expect(d.styles).toBe(c.styles);
  });

  it('answers a copy past its age at once and loads the next one in a read view of its own', async () => {
    const t0 = Date.now() - CATALOG_CACHE_MS - 5_000;
    const old = await store.read((r) => catalogFor(store, r, s0, t0));
    // A change this node was not told of (another node's, its notice lost), its counter moved.
    await store.withTx(async (tx) => {
      await tx.setStock({ ...line, qty: line.qty + 7 });
      await tx.catalogChanged([s0]);
    });
    const now = Date.now();
    expect(await catalogFor(store, untouchable, s0, now)).toBe(old);
    await waitFor(async () => (await catalogFor(store, untouchable, s0, Date.now())) !== old, 5000, 'the refreshed copy');
    const fresh = await catalogFor(store, untouchable, s0, Date.now());
    expect(qtyIn(fresh.stock)).toBe(line.qty + 7);
  });

  it('refreshes stale stores one at a time, each in one read view (never a burst of the pool)', async () => {
    const { counted, views, most } = countingReads(store);
    const t0 = Date.now() - CATALOG_CACHE_MS - 5_000;
    const old = await Promise.all([s0, s1, s2].map((s) => store.read((r) => catalogFor(counted, r, s, t0))));
    expect(views).toEqual([]); // loaded in the callers' own read views
    // Each store's stock changed (notices lost), so each refresh makes a new copy.
    await store.withTx(async (tx) => {
      for (const s of [s0, s1, s2]) await tx.setStock({ ...rows.stock.find((l) => l.storeId === s)!, qty: 99 });
      await tx.catalogChanged([s0, s1, s2]);
    });
    const now = Date.now();
    // Three stale stores asked for at once, twice each: the old copies at once, three loads on the lane.
    for (const [i, s] of [s0, s1, s2, s0, s1, s2].entries()) expect(await catalogFor(counted, untouchable, s, now)).toBe(old[i % 3]);
    await waitFor(async () => (await Promise.all([s0, s1, s2].map((s) => catalogFor(counted, untouchable, s, Date.now())))).every((c, i) => c !== old[i]), 5000, 'three refreshed copies');
    expect(views).toEqual([WHOLE_READ, WHOLE_READ, WHOLE_READ]);
    expect(most()).toBe(1);
    invalidateCatalog(counted);
  });

  /**
   * A copy of s0 read at `t0`, past its age now, `change` written meanwhile (as by another node whose
   * notice was lost), then answered at once and checked on the lane: the copy before, what the
   * check's view called, and the copy after.
   */
  async function checkedAfter(t0: number, change: (tx: HqTx) => Promise<void>): Promise<{ old: unknown; calls: string[]; after: unknown; indexesKept: boolean }> {
    const { counted, views } = countingReads(store);
    const old = await store.read((r) => catalogFor(counted, r, s0, t0));
    const indexes = catalogIndexes(old, s0);
    await store.withTx(change);
    expect(await catalogFor(counted, untouchable, s0, Date.now())).toBe(old);
    await catalogLaneIdle(counted);
    // Checked now: answered without a read, and not queued again.
    const after = await catalogFor(counted, untouchable, s0, Date.now());
    await drained(store);
    expect(views).toHaveLength(1);
    invalidateCatalog(counted);
    return { old, calls: views[0]!, after, indexesKept: after === old && catalogIndexes(old, s0) === indexes };
  }
  const stale = () => Date.now() - CATALOG_CACHE_MS - 5_000;

  it('a check that finds the store’s counters unmoved reads no catalog: the copy and its indexes stay, now checked', async () => {
    // Nothing written; then another store's stock written (its counter moved, not s0's).
    for (const change of [async () => {}, (tx: HqTx) => tx.catalogChanged([s1])]) {
      const { calls, indexesKept } = await checkedAfter(stale(), change);
      expect(calls).toEqual(['catalogVersion']);
      expect(indexesKept).toBe(true);
    }
  });

  it('counters moved and the catalog read the same: the copy and its indexes stay', async () => {
    // A feed that sent the stock the store already had moves its counter; the chain's moves every store's.
    for (const change of [(tx: HqTx) => tx.catalogChanged([s0]), (tx: HqTx) => tx.catalogChanged(null)]) {
      const { calls, indexesKept } = await checkedAfter(stale(), change);
      expect(calls).toEqual(WHOLE_READ);
      expect(indexesKept).toBe(true);
    }
  });

  it('a change written with the chain’s counter moved makes a new copy of every store', async () => {
    const renamed = { ...rows.styles[0]!, name: `${rows.styles[0]!.name} III` };
    const { calls, after } = await checkedAfter(stale(), async (tx) => {
      await tx.upsertStyle(renamed);
      await tx.catalogChanged(null);
    });
    expect(calls).toEqual(WHOLE_READ);
    expect((after as { styles: { id: string; name: string }[] }).styles.find((s) => s.id === renamed.id)!.name).toBe(renamed.name);
  });

  it('a copy read an hour ago is read whole though its counters did not move (popularity’s window slides; a write may have moved none)', async () => {
    const { old, calls, after } = await checkedAfter(Date.now() - CATALOG_MAX_AGE_MS - 5_000, (tx) => tx.setStock({ ...line, qty: line.qty + 11 }));
    expect(calls).toEqual(WHOLE_READ);
    expect(after).not.toBe(old);
    expect(qtyIn((after as { stock: StockLine[] }).stock)).toBe(line.qty + 11);
  });

  it('every writer of stock, purchases, styles or pictures moves the counters of what it wrote', async () => {
    const log = new EventLog(store, 100_000, () => undefined);
    const versions = () => store.read(async (r) => Promise.all([s0, s1, s2].map((s) => r.catalogVersion(s))));
    const moved = async (write: () => Promise<unknown>): Promise<boolean[]> => {
      const before = await versions();
      await write();
      return (await versions()).map((v, i) => v !== before[i]);
    };
    // Stock: the stores of its lines.
    expect(await moved(() => setStock(log, [{ item: { ...rows.stock.find((l) => l.storeId === s1)!, qty: 42 } }]))).toEqual([false, true, false]);
    // A member's purchases: the stores they were made at, not the member's home.
    const style = rows.styles[0]!;
    const purchase = { id: 'p-cat-1', styleId: style.id, styleName: style.name, category: style.category, color: style.colors[0]!.code, size: style.sizes[0]!, storeId: s2, at: Date.now() - 1000, price: 100 };
    const member = IngestMember.parse({ id: 'm-cat-1', code: 'C-CAT-1', name: '王芳', homeStoreId: s0, sizes: { eu: 38, cn: 240 }, preferences: [], points: 0, purchases: [purchase] });
    expect(await moved(() => upsertMembers(log, [{ item: member }]))).toEqual([false, false, true]);
    // Erasure takes their purchases: the same stores.
    expect(await moved(() => deleteMember(log, member.id))).toEqual([false, false, true]);
    // Styles and pictures: the chain's, so every store's.
    expect(await moved(() => upsertStyles(store, [{ ...style, name: `${style.name} IV` }]))).toEqual([true, true, true]);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
    expect(await moved(() => setStylePicture(store, style.id, png))).toEqual([true, true, true]);
  });

  it('tells stock apart by every field a stock line has', () => {
    const a = rows.stock.filter((l) => l.storeId === s0);
    expect(sameStock(a, a.map((l) => ({ ...l })))).toBe(true);
    expect(sameStock(a, a.slice(1))).toBe(false);
    const changed: Record<keyof StockLine, unknown> = { storeId: s1, styleId: 'other-style', color: 'ZZZ', size: 47, qty: 12_345 };
    // Every field of the schema, so a field added to StockLine must be compared here too.
    expect(Object.keys(StockLine.shape).sort()).toEqual(Object.keys(changed).sort());
    for (const key of Object.keys(StockLine.shape) as (keyof StockLine)[]) {
      const b = a.map((l, i) => (i === a.length - 1 ? { ...l, [key]: changed[key] } : l));
      expect(sameStock(a, b), key).toBe(false);
    }
  });

  it('never keeps a copy read before a catalog change: a refresh in flight is dropped', async () => {
    const t0 = Date.now() - CATALOG_CACHE_MS - 5_000;
    const old = await store.read((r) => catalogFor(store, r, s0, t0));
    // The old copy is answered and a refresh is queued behind this turn…
    const held = store.withTx(async (tx) => {
      expect(await catalogFor(store, tx, s0, Date.now())).toBe(old);
      await tx.setStock({ ...line, qty: 0 });
    });
    // …and the change is announced before that refresh has run. Whatever it then reads, it was
    // started before the change (in general it may read the stock before it) and is not kept.
    invalidateCatalog(store);
    await held;
    await drained(store);
    // Nothing is held: the next arrival reads, and sees the change.
    await expect(catalogFor(store, untouchable, s0, Date.now())).rejects.toThrow(/read in the caller/);
    const fresh = await store.read((r) => catalogFor(store, r, s0, Date.now()));
    expect(qtyIn(fresh.stock)).toBe(0);
  });

  it('a copy from the future (the clock went back) is read again', async () => {
    const later = Date.now() + 60_000;
    const ahead = await store.read((r) => catalogFor(store, r, s2, later));
    const now = await store.read((r) => catalogFor(store, r, s2, Date.now()));
    expect(now).not.toBe(ahead);
  });

  it('warm-up loads every store, and again after a catalog change; stopped, it does not', async () => {
    const lines: string[] = [];
    const warm = warmCatalogs(store, (l) => lines.push(l), 0);
    await warm.idle();
    const before = await Promise.all([s0, s1, s2].map((s) => catalogFor(store, untouchable, s, Date.now())));
    expect(before.map((c) => c.stock.every((l, _i, all) => l.storeId === all[0]!.storeId))).toEqual([true, true, true]);

    await store.withTx((tx) => tx.setStock({ ...line, qty: line.qty + 3 }));
    invalidateCatalog(store);
    await warm.idle();
    const after = await catalogFor(store, untouchable, s0, Date.now());
    expect(after).not.toBe(before[0]);
    expect(qtyIn(after.stock)).toBe(line.qty + 3);

    warm.stop();
    invalidateCatalog(store);
    await warm.idle();
    await drained(store);
    await expect(catalogFor(store, untouchable, s1, Date.now())).rejects.toThrow(/read in the caller/);
    expect(lines).toEqual([]);
  });
});
