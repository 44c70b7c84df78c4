// Each node's copy of every store's catalog (styles, the store's stock, its popularity, the
// pictures), from which an arrival's suggestions are made.
//
// Invariant: an arrival reads a catalog in its own transaction only when this node holds none for
// the store — never loaded since the node started, or dropped by a catalog change. A copy checked
// more than CATALOG_CACHE_MS ago is still used while the node's loading lane checks it; the lane
// takes one store at a time, in a read view of its own, so it never holds more than one of the
// store port's connections. It reads the store's catalog counters (HqTx.catalogVersion) and, when
// they have not moved since the copy was read and that is less than CATALOG_MAX_AGE_MS ago, only
// marks the copy checked; else it reads the catalog and keeps the copy held (now as read) when what
// it read is the same. A copy read before a catalog change is never kept after it (a change
// replaces the node's copies whole, and what was on its way goes into the replaced ones).
//
// Why: a store's catalog is ~1,000 stock rows, 1-5 ms to read and parse (more on PostgreSQL, where
// the driver parses every row), and its indexes are built again after. Loaded in the arrival's
// transaction whenever the copy turned a minute old, it made every store's next arrival slow once a
// minute (500 stores: 8 arrivals a second), and a node that had just started — or just joined a
// cluster under a peak's load — made the first arrival at each of its stores pay it (docs/
// benchmarks.md, round 17). Loaded beside the arrivals but all at once, the same minute's reloads
// took the pool's connections from them: hence one lane. Read again whole once a minute, every
// store's catalog was ~2.5 ms of a node's CPU (and its database's) though nothing had changed:
// hence the counters (docs/benchmarks.md, round 32).
import { isDeepStrictEqual } from 'node:util';
import { type StockLine, type Style } from '../../shared/domain.ts';
import { type StyleImageRefs } from '../ports/styleImageStore.ts';
import { type HqStore, type HqTx } from '../ports/store.ts';
import { type NextBestIndex, nextBestIndex } from './assist/nextBest.ts';
import { type RecommendIndex, recommendIndex } from './recommend.ts';

/**
 * Longest a store's catalog copy is used before the lane checks it (in the background): how late a
 * node that lost a `catalog.changed` notice sees the change.
 */
export const CATALOG_CACHE_MS = 60_000;
/**
 * Longest a copy is kept without reading it whole again, its counters unmoved: its popularity counts
 * the purchases of a window that slides with time, and a write may have moved no counter (a
 * purchase corrected to another store leaves the old one's unmoved).
 */
export const CATALOG_MAX_AGE_MS = 60 * 60_000;
/** Purchases newer than this make a style popular at a store. */
export const POPULARITY_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** Between two of the lane's loads: a node refreshing or warming never holds its store port for long. */
export const LANE_SPACING_MS = 5;

/** What recommendations are computed from, besides the member: one store's view of the catalog. */
export interface StoreCatalog {
  styles: readonly Style[];
  stock: readonly StockLine[];
  popularity: ReadonlyMap<string, number>;
  /** Every style's picture references, per colour (part E). */
  images: StyleImageRefs;
}

type Copy = StoreCatalog & {
  /** When it was read whole. */
  readAt: number;
  /** The store's catalogVersion, read before it. */
  version: number;
  /** When the lane last found it current (or when it was read). */
  checkedAt: number;
};

/** One node's copies for one store port: replaced whole by a catalog change. */
interface Copies {
  readonly byStore: Map<string, Copy>;
  /** Stores the lane is to load, in order; the lane runs while it is `draining`. */
  readonly queued: Set<string>;
  draining: Promise<void> | null;
  /** The styles list the copies share (settle). */
  styles: readonly Style[] | null;
}

const copiesOf = new WeakMap<HqStore, Copies>();
/** The warm-up of each store port that has one (warmCatalogs): a catalog change starts it again. */
const warmers = new WeakMap<HqStore, () => void>();
/** The lane's spacing per store port (warmCatalogs sets it; tests use 0). */
const spacingOf = new WeakMap<HqStore, number>();

function copies(store: HqStore): Copies {
  let c = copiesOf.get(store);
  if (!c) copiesOf.set(store, (c = { byStore: new Map(), queued: new Set(), draining: null, styles: null }));
  return c;
}

/** What recommend() and nextBestAction() derive from one store's catalog. */
interface CatalogIndexes {
  readonly storeId: string;
  readonly recommend: RecommendIndex;
  readonly nextBest: NextBestIndex;
}

/**
 * Each catalog's indexes, held by the catalog object itself (a property the module keeps to
 * itself). They are made when a copy is loaded off an arrival's path (warm-up, refresh) or else on
 * its first profile, and kept with it: a copy is used by every arrival at its store until replaced,
 * and its arrays never change in place, so the indexes hold as long as the copy.
 *
 * Why not a WeakMap keyed by the catalog, which this was: a WeakMap's values are ephemerons, and
 * V8 marks what only an ephemeron reaches in the atomic pause of a full GC rather than
 * concurrently. A node's indexes are most of its heap's objects (500 stores' stock per style and
 * size): the full GCs of an idle SQLite node paused the event loop 25–100 ms, 6–40 ms of it
 * ephemeron marking (`--trace-gc-nvp`: mark.ephemeron.marking). Held by a property, they are
 * marked like any other object: ephemeron marking then read 0.0–0.1 ms in 11 of 13 full GCs over
 * two runs, where the tree before read 1.7–39.6 ms in 9 of 13 (docs/benchmarks.md, round 35).
 */
const INDEXES: unique symbol = Symbol('catalog indexes');
type Indexed = StoreCatalog & { [INDEXES]?: CatalogIndexes };

export function catalogIndexes(catalog: StoreCatalog, storeId: string): { recommend: RecommendIndex; nextBest: NextBestIndex } {
  const held = catalog as Indexed;
  let indexes = held[INDEXES];
  if (!indexes || indexes.storeId !== storeId) {
    indexes = { storeId, recommend: recommendIndex(catalog.styles, catalog.stock, storeId), nextBest: nextBestIndex(catalog.styles, catalog.stock, storeId) };
    // Not enumerable: a spread of the catalog (a copy made from it) must not carry its indexes along.
    Object.defineProperty(held, INDEXES, { value: indexes, writable: true, configurable: true, enumerable: false });
  }
  return indexes;
}

/** Reads a store's catalog through `r` (a transaction or a read view). */
export async function loadStoreCatalog(r: HqTx, storeId: string, now: number): Promise<StoreCatalog> {
  const styles = await r.listStyles();
  return {
    styles,
    stock: compactStock(await r.stockForStore(storeId), storeId, styles),
    popularity: await r.popularityForStore(storeId, now - POPULARITY_WINDOW_MS),
    images: await r.styleImages.refs(),
  };
}

/**
 * A store's catalog as the node keeps it, at `version` (the counters, read first through the same
 * `r`: in a read view both are of one snapshot; in an arrival's transaction a write between the two
 * reads can only make the copy newer than its version, which the next check then reads again).
 */
async function readCopy(r: HqTx, storeId: string, at: number, version: number): Promise<Copy> {
  return { ...(await loadStoreCatalog(r, storeId, at)), readAt: at, version, checkedAt: at };
}

/** Whether the held copy is the catalog at `version`, read less than CATALOG_MAX_AGE_MS before `at`. */
function current(held: Copy | undefined, version: number, at: number): held is Copy {
  return held !== undefined && held.version === version && at >= held.readAt && at - held.readAt < CATALOG_MAX_AGE_MS;
}

/**
 * The stock lines with their store, style and colour ids as one string each — the store's id and
 * the styles' own — rather than three new strings per row as the driver reads them: ~40 % of the
 * memory of a node's copies (500 stores × ~800 lines, docs/benchmarks.md round 18).
 */
function compactStock(lines: readonly StockLine[], storeId: string, styles: readonly Style[]): StockLine[] {
  const byId = new Map<string, Style>();
  for (const s of styles) byId.set(s.id, s);
  const colors = new Map<string, string>();
  const out = new Array<StockLine>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    let color = colors.get(l.color);
    if (color === undefined) colors.set(l.color, (color = l.color));
    out[i] = { storeId: l.storeId === storeId ? storeId : l.storeId, styleId: byId.get(l.styleId)?.id ?? l.styleId, color, size: l.size, qty: l.qty };
  }
  return out;
}

/**
 * A loaded copy as the node keeps it: with the styles list of the copies before it when that is
 * the same list (every store's copy reads the whole list; 500 copies of it were ~15 MB), so the
 * copies, and the indexes and colour lists made from them, share one.
 */
function settle(c: Copies, copy: Copy): Copy {
  // Compared whole (every field a style has or will have), off the arrivals' path: ~0.15 ms for 60
  // styles, against a load's ~3 ms.
  if (c.styles && isDeepStrictEqual(c.styles, copy.styles)) return { ...copy, styles: c.styles };
  c.styles = copy.styles;
  return copy;
}

/**
 * The store's catalog as this node holds it, read through `r` only when the node holds none (see
 * the invariant). `store` keys the copies and runs the lane; `r` is the caller's.
 */
export async function catalogFor(store: HqStore, r: HqTx, storeId: string, now: number): Promise<StoreCatalog> {
  const c = copies(store);
  const copy = c.byStore.get(storeId);
  // A copy from the future (the clock went back) is not trusted: read now.
  if (copy && now >= copy.checkedAt) {
    if (!fresh(copy, now)) queue(store, c, [storeId]);
    return copy;
  }
  const loaded = settle(c, await readCopy(r, storeId, now, await r.catalogVersion(storeId)));
  // Into the copies it was read for: after a catalog change meanwhile those are no one's.
  keep(c, storeId, loaded);
  return loaded;
}

/** A copy checked recently enough to use without a check at `at` (one from the future, after the clock went back, is not). */
function fresh(copy: Copy | undefined, at: number): boolean {
  return copy !== undefined && at >= copy.checkedAt && at - copy.checkedAt <= CATALOG_CACHE_MS;
}

/**
 * Whether a copy read again holds what the held one does — the styles (one list when equal:
 * `settle`), the store's stock line for line, its popularity and the pictures. The lane's refresh
 * of a store whose catalog did not change then keeps the held copy and its indexes: remaking them
 * for every store once a minute was 0.7–1 ms a store, and each remade copy lived a minute — long
 * enough to be moved to V8's old generation — before it was garbage (docs/benchmarks.md, round 31).
 */
function sameCatalog(held: StoreCatalog, read: StoreCatalog): boolean {
  return held.styles === read.styles && sameStock(held.stock, read.stock) && isDeepStrictEqual(held.popularity, read.popularity) && isDeepStrictEqual(held.images, read.images);
}

/** Line for line, every field of a stock line (exported for its test, which changes each field the schema has). */
export function sameStock(a: readonly StockLine[], b: readonly StockLine[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.qty !== y.qty || x.size !== y.size || x.styleId !== y.styleId || x.color !== y.color || x.storeId !== y.storeId) return false;
  }
  return true;
}

/** Keeps a copy unless one read later is there already. */
function keep(c: Copies, storeId: string, copy: Copy): void {
  const held = c.byStore.get(storeId);
  if (!held || held.readAt <= copy.readAt) c.byStore.set(storeId, copy);
}

/** Puts stores on the node's lane (a store already on it keeps its place) and starts the lane if idle. */
function queue(store: HqStore, c: Copies, storeIds: Iterable<string>): void {
  for (const id of storeIds) c.queued.add(id);
  if (c.draining) return;
  c.draining = drain(store, c).finally(() => {
    c.draining = null;
    // Queued between the lane's last look and now: it runs again.
    if (c.queued.size > 0 && copiesOf.get(store) === c) queue(store, c, []);
  });
}

/**
 * The lane: one store at a time, each in a read view of its own: the counters, and the catalog only
 * when they moved (or the copy is CATALOG_MAX_AGE_MS old). A store loaded meanwhile by an arrival is
 * skipped; a failed load leaves the old copy (the next arrival past its age queues the store again).
 * Copies replaced by a catalog change stop their lane.
 */
async function drain(store: HqStore, c: Copies): Promise<void> {
  for (const id of c.queued) {
    c.queued.delete(id);
    if (copiesOf.get(store) !== c) return;
    const at = Date.now();
    if (fresh(c.byStore.get(id), at)) continue;
    try {
      const before = c.byStore.get(id);
      const read = await store.read(async (r) => {
        const version = await r.catalogVersion(id);
        return current(before, version, at) ? null : readCopy(r, id, at, version);
      });
      const held = c.byStore.get(id);
      if (read === null) {
        // Nothing written since it was read: checked, not read.
        if (held && held === before) held.checkedAt = at;
      } else {
        const copy = settle(c, read);
        if (held && held.readAt <= at && sameCatalog(held, copy)) {
          // What was written left the catalog as it was: the copy held stays, with its indexes, as if read now.
          held.readAt = held.checkedAt = at;
          held.version = copy.version;
        } else {
          catalogIndexes(copy, id); // made here, not by the store's next arrival
          keep(c, id, copy);
        }
      }
    } catch {
      // Left as it was: the store port is closing or unavailable.
    }
    const spacing = spacingOf.get(store) ?? LANE_SPACING_MS;
    // Unref'd: a lane never keeps a process that is shutting down alive.
    if (spacing > 0 || c.queued.size > 0) await new Promise((resolve) => setTimeout(resolve, spacing).unref());
  }
}

/** Resolves when the node's lane for `store` has nothing left to load (tests; warmCatalogs' idle). */
export async function catalogLaneIdle(store: HqStore): Promise<void> {
  for (;;) {
    const draining = copiesOf.get(store)?.draining;
    if (!draining) return;
    await draining;
  }
}

/**
 * Styles, stock or purchases changed: this node's next arrival at each store reads its catalog
 * afresh, and its warm-up (if it runs one) loads them all again. Other nodes drop theirs when told
 * (the bus's `catalog.changed`) or, at the latest, when their lane next checks the store's counters
 * (CATALOG_CACHE_MS after its last check), which the writer moved in its transaction.
 */
export function invalidateCatalog(store: HqStore): void {
  copiesOf.delete(store);
  warmers.get(store)?.();
}

/**
 * Puts every store on the node's lane when called and again after each catalog change, so that no
 * store's first arrival reads its catalog. Arrivals do not wait for it: a store the lane has not
 * reached yet is read by its first arrival, as without it. `idle()` resolves when the lane is empty
 * (tests); `stop()` (the node is closing) ends them and empties the lane (a load under way finishes).
 */
export function warmCatalogs(store: HqStore, log: (line: string) => void, spacingMs = LANE_SPACING_MS): { stop(): void; idle(): Promise<void> } {
  let stopped = false;
  let listing: Promise<void> | null = null;
  spacingOf.set(store, spacingMs);
  const run = (): void => {
    if (stopped) return;
    const c = copies(store);
    const listed = store.read((r) => r.listStores()).then(
      (stores) => {
        if (!stopped) queue(store, c, stores.map((s) => s.id));
      },
      (err: unknown) => {
        if (!stopped) log(`catalog warm-up: ${(err as Error).message} (each store's first arrival reads its catalog)`);
      },
    );
    const done: Promise<void> = listed.finally(() => {
      if (listing === done) listing = null;
    });
    listing = done;
  };
  warmers.set(store, run);
  run();
  return {
    stop: () => {
      stopped = true;
      if (warmers.get(store) === run) warmers.delete(store);
      // The node is closing: what the lane has not reached yet is not loaded.
      copiesOf.get(store)?.queued.clear();
    },
    idle: async () => {
      // The listing queues the lane; a catalog change meanwhile lists again.
      do {
        if (listing) await listing;
        await catalogLaneIdle(store);
      } while (listing);
    },
  };
}
