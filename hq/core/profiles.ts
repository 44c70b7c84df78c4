// Member profiles as desks see them: masked phone, recent purchases, recommendations for one store.
import { type Member, type MemberProfile, type Style } from '../../shared/domain.ts';
import { maskPhone, phoneLast4 } from '../phone.ts';
import { recommend } from '../recommend.ts';
import { type HqStorage, type MemberRecord } from '../storage/types.ts';

export const PROFILE_PURCHASES = 20;
const HISTORY_FOR_RANKING = 500;
const POPULARITY_WINDOW_MS = 90 * 24 * 60 * 60 * 1000;

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
  private readonly styles: Style[];
  private readonly stock;
  private readonly popularity;

  constructor(
    private readonly storage: HqStorage,
    readonly storeId: string,
    private readonly now: number,
  ) {
    this.styles = storage.listStyles();
    this.stock = storage.stockForStore(storeId);
    this.popularity = storage.popularityForStore(storeId, now - POPULARITY_WINDOW_MS);
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
