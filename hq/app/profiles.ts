// Member profiles as desks see them: masked phone, recent purchases, recommendations for one store.
import { type Member, type MemberProfile, type StockLine, type Style } from '../../shared/domain.ts';
import { catalogFor, catalogIndexes, loadStoreCatalog, type StoreCatalog } from './catalogCache.ts';
import { type StyleImageRefs } from '../ports/styleImageStore.ts';
import { maskPhone, phoneLast4 } from './phone.ts';
import { recommend } from './recommend.ts';
import { nextBestAction } from './assist/nextBest.ts';
import { type HqStore, type HqTx, type MemberRecord, type ProfileReads } from '../ports/store.ts';

export const PROFILE_PURCHASES = 20;
/** Purchases a profile reads (`profileReads`' limit); a batch reading ahead asks for as many. */
export const HISTORY_FOR_RANKING = 500;

/**
 * The desk-facing member: the full phone stays at HQ. Its fields are written out in the order of
 * the Member schema, so the desk's compiled check (electron/desk/fastSchema.ts) finds the object
 * exactly as its output would be and keeps it rather than copying it, and only these fields leave.
 */
export function toDeskMember(m: MemberRecord): Member {
  const { phone } = m;
  return {
    id: m.id,
    code: m.code,
    name: m.name,
    nameEn: m.nameEn,
    tier: m.tier,
    phoneMasked: maskPhone(phone),
    phoneLast4: phoneLast4(phone),
    homeStoreId: m.homeStoreId,
    sizes: m.sizes,
    preferences: m.preferences,
    points: m.points,
    joinedAt: m.joinedAt,
    updatedAt: m.updatedAt,
    birthday: m.birthday,
    consents: m.consents,
  };
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
   * For the arrival hot path: the store's catalog as this node holds it (catalogCache.ts: read in
   * the caller's transaction only when the node holds none; bench/: reading ~1,000 stock rows per
   * arrival was 40% of HQ's CPU). Ingest of styles, stock or purchases calls `invalidateCatalog`,
   * so those show at once on this node; one made on another node whose notice was lost is seen
   * within CATALOG_CACHE_MS (the lane's check of the counters its writer moved), a write that moved
   * no counter within CATALOG_MAX_AGE_MS. `store`
   * keys the copies; `r` reads.
   */
  static async cached(store: HqStore, r: HqTx, storeId: string, now: number): Promise<ProfileBuilder> {
    return new ProfileBuilder(r, storeId, now, await catalogFor(store, r, storeId, now));
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
