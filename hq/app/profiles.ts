// Member profiles as desks see them: masked phone, recent purchases, recommendations for one store.
import { type Member, type MemberProfile, type StockLine, type Style } from '../../shared/domain.ts';
import { type StyleImageRefs } from '../ports/styleImageStore.ts';
import { maskPhone, phoneLast4 } from './phone.ts';
import { recommend, type RecommendIndex, recommendIndex } from './recommend.ts';
import { nextBestAction, type NextBestIndex, nextBestIndex } from './assist/nextBest.ts';
import { type HqStore, type HqTx, type MemberRecord, type ProfileReads } from '../ports/store.ts';

export const PROFILE_PURCHASES = 20;
/** Purchases a profile reads (`profileReads`' limit); a batch reading ahead asks for as many. */
export const HISTORY_FOR_RANKING = 500;
const POPULARITY_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** Longest a cached store catalog is used without an invalidation. */
export const CATALOG_CACHE_MS = 60_000;

/** What recommendations are computed from, besides the member: one store's view of the catalog. */
export interface StoreCatalog {
  styles: readonly Style[];
  stock: readonly StockLine[];
  popularity: ReadonlyMap<string, number>;
  /** Every style's picture references, per colour (part E). */
  images: StyleImageRefs;
}

/**
 * What recommend() and nextBestAction() derive from a catalog (stock per style and size, accessories
 * in stock per size), made on a catalog's first profile and kept with it: a cached catalog entry is
 * used by every arrival at its store until invalidated, and its arrays never change in place, so
 * the indexes hold as long as the entry (a WeakMap: they go with it).
 */
const indexesOf = new WeakMap<StoreCatalog, { storeId: string; recommend: RecommendIndex; nextBest: NextBestIndex }>();

function catalogIndexes(catalog: StoreCatalog, storeId: string): { recommend: RecommendIndex; nextBest: NextBestIndex } {
  let indexes = indexesOf.get(catalog);
  if (!indexes || indexes.storeId !== storeId) {
    indexes = { storeId, recommend: recommendIndex(catalog.styles, catalog.stock, storeId), nextBest: nextBestIndex(catalog.styles, catalog.stock, storeId) };
    indexesOf.set(catalog, indexes);
  }
  return indexes;
}

/** Per store port (one per HQ instance in this process), per HQ store: the catalog last loaded. */
const catalogCache = new WeakMap<HqStore, Map<string, StoreCatalog & { loadedAt: number }>>();

async function loadStoreCatalog(r: HqTx, storeId: string, now: number): Promise<StoreCatalog> {
  return {
    styles: await r.listStyles(),
    stock: await r.stockForStore(storeId),
    popularity: await r.popularityForStore(storeId, now - POPULARITY_WINDOW_MS),
    images: await r.styleImages.refs(),
  };
}

/**
 * Styles, stock or purchases changed: this node's next arrival reads the catalog afresh. The cache
 * is per node; other nodes drop theirs when told (the bus's `catalog.changed`) or, at the latest,
 * after CATALOG_CACHE_MS.
 */
export function invalidateCatalog(store: HqStore): void {
  catalogCache.delete(store);
}

/** The desk-facing member: the full phone stays at HQ. */
export function toDeskMember(m: MemberRecord): Member {
  const { phone, ...rest } = m;
  return { ...rest, phoneMasked: maskPhone(phone), phoneLast4: phoneLast4(phone) };
}

/**
 * Builds profiles for one store, loading the catalog, the store's stock and its popularity once,
 * so a snapshot with hundreds of profiles costs three queries plus one per member. A builder reads
 * through the transaction (or read view) it was made in and must not outlive it.
 */
export class ProfileBuilder {
  private readonly styles: readonly Style[];
  private readonly stock: readonly StockLine[];
  private readonly popularity: ReadonlyMap<string, number>;
  private readonly images: StyleImageRefs;
  private readonly catalog: StoreCatalog;

  constructor(
    private readonly r: HqTx,
    readonly storeId: string,
    private readonly now: number,
    catalog: StoreCatalog,
  ) {
    this.styles = catalog.styles;
    this.stock = catalog.stock;
    this.popularity = catalog.popularity;
    this.images = catalog.images;
    this.catalog = catalog;
  }

  /** A builder on a freshly read catalog. */
  static async load(r: HqTx, storeId: string, now: number): Promise<ProfileBuilder> {
    return new ProfileBuilder(r, storeId, now, await loadStoreCatalog(r, storeId, now));
  }

  /**
   * For the arrival hot path: the catalog, the store's stock and its popularity are read once and
   * reused for up to CATALOG_CACHE_MS (bench/: reading ~1,000 stock rows per arrival was 40% of
   * HQ's CPU). Ingest of styles, stock or purchases calls `invalidateCatalog`, so those show at
   * once on this node; a write that bypasses catalogIngest, or one made on another node whose
   * notice was lost, is seen within CATALOG_CACHE_MS. `store` only keys the cache; `r` reads.
   */
  static async cached(store: HqStore, r: HqTx, storeId: string, now: number): Promise<ProfileBuilder> {
    let stores = catalogCache.get(store);
    if (!stores) catalogCache.set(store, (stores = new Map()));
    let entry = stores.get(storeId);
    if (!entry || now - entry.loadedAt > CATALOG_CACHE_MS || now < entry.loadedAt) {
      entry = { ...(await loadStoreCatalog(r, storeId, now)), loadedAt: now };
      stores.set(storeId, entry);
    }
    return new ProfileBuilder(r, storeId, now, entry);
  }

  /**
   * The member's profile at this store, with the next best action (7/8). `forVisitId`: the visit
   * the profile is made for (an arrival's new visit, a snapshot's newest one), which does not count
   * as having been seen before. Besides the catalog it reads the purchases, when the member was last
   * seen anywhere and their active holds (a few rows): one `profileReads` call, one statement on
   * PostgreSQL (three round trips were a fifth of an arrival's).
   */
  async profile(member: MemberRecord, forVisitId: string | null = null, readAhead?: ProfileReads): Promise<MemberProfile> {
    // Owned styles are excluded over a long history; the desk only needs the newest purchases.
    const { purchases: history, holds, lastSeenAt } = readAhead ?? (await this.r.profileReads(member.id, HISTORY_FOR_RANKING, forVisitId));
    const purchases = history.slice(0, PROFILE_PURCHASES);
    const index = catalogIndexes(this.catalog, this.storeId);
    const recommendations = recommend({
      member,
      storeId: this.storeId,
      purchases: history,
      styles: this.styles,
      stock: this.stock,
      popularity: this.popularity,
      now: this.now,
      images: this.images,
      index: index.recommend,
    });
    const next = nextBestAction({
      member,
      purchases: history,
      recommendations,
      styles: this.styles,
      storeId: this.storeId,
      stock: this.stock,
      holds,
      lastSeenAt,
      now: this.now,
      images: this.images,
      index: index.nextBest,
    });
    return { member: toDeskMember(member), purchases, recommendations, next };
  }
}
