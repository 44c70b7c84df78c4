// Member profiles as desks see them: masked phone, recent purchases, recommendations for one store.
import { type Member, type MemberProfile, type StockLine, type Style } from '../../shared/domain.ts';
import { maskPhone, phoneLast4 } from './phone.ts';
import { recommend } from './recommend.ts';
import { type HqStorage, type MemberRecord } from '../ports/store.ts';

export const PROFILE_PURCHASES = 20;
const HISTORY_FOR_RANKING = 500;
const POPULARITY_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;
/** Longest a cached store catalog is used without an invalidation. */
export const CATALOG_CACHE_MS = 60_000;

/** What recommendations are computed from, besides the member: one store's view of the catalog. */
export interface StoreCatalog {
  styles: readonly Style[];
  stock: readonly StockLine[];
  popularity: ReadonlyMap<string, number>;
}

const catalogCache = new WeakMap<HqStorage, Map<string, StoreCatalog & { loadedAt: number }>>();

function loadStoreCatalog(storage: HqStorage, storeId: string, now: number): StoreCatalog {
  return {
    styles: storage.listStyles(),
    stock: storage.stockForStore(storeId),
    popularity: storage.popularityForStore(storeId, now - POPULARITY_WINDOW_MS),
  };
}

/** Styles, stock or purchases changed: the next arrival reads the catalog afresh. */
export function invalidateCatalog(storage: HqStorage): void {
  catalogCache.delete(storage);
}

/** The desk-facing member: the full phone stays at HQ. */
export function toDeskMember(m: MemberRecord): Member {
  const { phone, ...rest } = m;
  return { ...rest, phoneMasked: maskPhone(phone), phoneLast4: phoneLast4(phone) };
}

/**
 * Builds profiles for one store, loading the catalog, the store's stock and its popularity once,
 * so a snapshot with hundreds of profiles costs three queries plus one per member.
 */
export class ProfileBuilder {
  private readonly styles: readonly Style[];
  private readonly stock: readonly StockLine[];
  private readonly popularity: ReadonlyMap<string, number>;

  constructor(
    private readonly storage: HqStorage,
    readonly storeId: string,
    private readonly now: number,
    inputs?: StoreCatalog,
  ) {
    const c = inputs ?? loadStoreCatalog(storage, storeId, now);
    this.styles = c.styles;
    this.stock = c.stock;
    this.popularity = c.popularity;
  }

  /**
   * For the arrival hot path: the catalog, the store's stock and its popularity are read once and
   * reused for up to CATALOG_CACHE_MS (bench/: reading ~1,000 stock rows per arrival was 40% of
   * HQ's CPU). Ingest of styles, stock or purchases calls `invalidateCatalog`, so those show at
   * once; a write that bypasses catalogIngest is seen within CATALOG_CACHE_MS.
   */
  static cached(storage: HqStorage, storeId: string, now: number): ProfileBuilder {
    let stores = catalogCache.get(storage);
    if (!stores) catalogCache.set(storage, (stores = new Map()));
    let entry = stores.get(storeId);
    if (!entry || now - entry.loadedAt > CATALOG_CACHE_MS || now < entry.loadedAt) {
      entry = { ...loadStoreCatalog(storage, storeId, now), loadedAt: now };
      stores.set(storeId, entry);
    }
    return new ProfileBuilder(storage, storeId, now, entry);
  }

  profile(member: MemberRecord): MemberProfile {
    // Owned styles are excluded over a long history; the desk only needs the newest purchases.
    const history = this.storage.purchasesOf(member.id, HISTORY_FOR_RANKING);
    const purchases = history.slice(0, PROFILE_PURCHASES);
    const recommendations = recommend({
      member,
      storeId: this.storeId,
      purchases: history,
      styles: this.styles,
      stock: this.stock,
      popularity: this.popularity,
      now: this.now,
    });
    return { member: toDeskMember(member), purchases, recommendations };
  }
}
