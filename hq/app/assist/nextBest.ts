// The next best action on the arrival card (7/8): the member's size and last purchase, up to
// MAX_NEXT_STYLES styles to show, at most one add-on (an accessory) with the reason for it, and cues
// (a hold waiting, a long absence). Computed at HQ with every profile, per store; a pure function of
// its inputs so the rules can be pinned by a unit test and recomputed anywhere (the offline
// evaluation runs the same code).
//
// Invariants:
// - Consent (PIPL Art. 24): `personalized` is the member's `consents.personalization`. Without it
//   there is no add-on (every add-on rule reads the member's purchases, suggestions made from them,
//   or their stated preferences); `styles` are then the store's popular ones, as recommend() gave.
// - An add-on is an accessory (`kind` socks | insoles | care) in stock at this store: sized ones
//   (socks, insoles) in the member's EU size, a care kit (`size` null) in any. Never one of a kind
//   the member bought in the last ADDON_SKIP_KIND_DAYS days (they have socks already).
// - Rules in order, the first that finds an accessory wins: (a) a shoe the member bought in the last
//   BOUGHT_RECENTLY_DAYS days, newest first, whose category the accessory goes with; (b) the
//   category of the first style suggested today; (c) a category the member says they like, in
//   their order. "Goes with" is the accessory's `goesWith`, or its own `category` when that is
//   absent or empty.
// - Ties within a rule go to the cheaper accessory (an add-on is an easy yes at the counter, and
//   the cheaper one is the less pushy ask), then the smaller style id: the same inputs always give
//   the same action.
// - Cues: `hold_waiting` for each active hold of the member at this store whose end is still
//   ahead (at most MAX_HOLD_CUES, soonest end first), then `long_absent` when the member was last seen
//   (anywhere in the chain: a visit, or a purchase — a till sale with no door check-in is a visit
//   too) LONG_ABSENT_DAYS or more ago — or was never seen and joined that long ago. The birthday
//   week is the desk's (it knows the store's zone).
import {
  type AccessoryKind,
  type ActionCue,
  type AddOn,
  type AddOnReason,
  type Category,
  isAccessory,
  LONG_ABSENT_DAYS,
  MAX_NEXT_STYLES,
  type Member,
  type NextBestAction,
  type Purchase,
  type Recommendation,
  type StockLine,
  type Style,
} from '../../../shared/domain.ts';
import { type Hold } from '../../../shared/holds.ts';
import { pictureOf, type StyleImageRefs } from '../../ports/styleImageStore.ts';

const DAY = 24 * 60 * 60 * 1000;
/** A shoe bought this recently makes its accessories the first add-on to offer. */
export const BOUGHT_RECENTLY_DAYS = 60;
/** An accessory kind bought this recently is not offered again. */
export const ADDON_SKIP_KIND_DAYS = 90;
/** Hold cues on one card (the card has room for a few; the member page lists them all). */
export const MAX_HOLD_CUES = 3;

export interface NextBestInput {
  member: Pick<Member, 'id' | 'consents' | 'preferences' | 'sizes' | 'joinedAt'>;
  /** The member's purchases at every store (any order). */
  purchases: readonly Pick<Purchase, 'styleId' | 'styleName' | 'category' | 'size' | 'at' | 'storeId'>[];
  /** What recommend() just gave for this member at this store, in its order. */
  recommendations: readonly Pick<Recommendation, 'styleId' | 'name' | 'category'>[];
  /** The catalog (shoes and accessories). */
  styles: readonly Style[];
  /** The store the member is in; stock lines and holds of other stores are ignored. */
  storeId: string;
  stock: readonly StockLine[];
  /** The member's active holds (at any store; only this store's count). */
  holds: readonly Pick<Hold, 'id' | 'storeId' | 'member' | 'styleName' | 'size' | 'until' | 'status'>[];
  /** When the member was last seen at any store before this visit; null when never. */
  lastSeenAt: number | null;
  now: number;
  /** Style pictures (part E): when given, the add-on carries its picture. */
  images?: StyleImageRefs;
  /**
   * `nextBestIndex(styles, stock, storeId)` made beforehand, so a caller that works out actions for
   * many members on one catalog (every arrival at a store) finds the store's accessories in stock
   * once. Used only when made from these very `styles`, `stock` and `storeId` (else it is made
   * afresh): the action never depends on whether an index was given.
   */
  index?: NextBestIndex;
}

/**
 * One store's catalog as the add-on rules read it, derived once per catalog (profiles.ts keeps one
 * per cached catalog entry): every style by id, and per EU size the accessories the store can hand
 * over to a member of that size (sized ones in stock in it, care kits in any), cheapest first, then
 * by id, with the colour for the picture. An arrival looks its member's size up instead of grouping
 * the store's stock lines and walking the catalog (bench/: accessoriesInStock ~3% of HQ's CPU at
 * 10,000 desks). Its lists are frozen: they are shared by every arrival at the store.
 */
export interface NextBestIndex {
  readonly styles: readonly Style[];
  readonly stock: readonly StockLine[];
  readonly storeId: string;
  readonly styleById: ReadonlyMap<string, Style>;
  /** Per size met in the store's stock: the accessories for a member of that size. */
  readonly accessoriesBySize: ReadonlyMap<number, readonly Candidate[]>;
  /** For a size with no stock line at all: care kits only. */
  readonly careOnly: readonly Candidate[];
}

export function nextBestIndex(styles: readonly Style[], stock: readonly StockLine[], storeId: string): NextBestIndex {
  const lines = new Map<string, StockLine[]>();
  const sizes = new Set<number>();
  for (const l of stock) {
    if (l.storeId !== storeId || l.qty <= 0) continue;
    const list = lines.get(l.styleId);
    if (list) list.push(l);
    else lines.set(l.styleId, [l]);
    // A NaN size never equals the member's (the comparison is ===), so it is never a key.
    if (!Number.isNaN(l.size)) sizes.add(l.size);
  }
  const accessories = styles.filter((s) => isAccessory(s));
  const careOnly = accessoriesFor(accessories, lines, null);
  const accessoriesBySize = new Map<number, readonly Candidate[]>();
  for (const size of sizes) accessoriesBySize.set(size, accessoriesFor(accessories, lines, size));
  return { styles, stock, storeId, styleById: new Map(styles.map((s) => [s.id, s])), accessoriesBySize, careOnly };
}

/**
 * The accessories in `lines` (this store's, qty > 0) a member of EU size `size` can take, cheapest
 * first, then by id; `size` null: only those that need no size (care). Frozen: the index shares it.
 */
function accessoriesFor(accessories: readonly Style[], lines: ReadonlyMap<string, StockLine[]>, size: number | null): readonly Candidate[] {
  const out: Candidate[] = [];
  for (const style of accessories) {
    const kind = style.kind as AccessoryKind;
    const sized = kind !== 'care';
    const usable = (lines.get(style.id) ?? []).filter((l) => !sized || l.size === size);
    if (usable.length === 0) continue;
    // The first of the style's colourways in stock (catalog order), for the picture.
    const color = style.colors.find((c) => usable.some((l) => l.color === c.code))?.code ?? usable[0]!.color;
    out.push(Object.freeze({ style, kind, size: sized ? size : null, color }));
  }
  out.sort((a, b) => a.style.price - b.style.price || (a.style.id < b.style.id ? -1 : a.style.id > b.style.id ? 1 : 0));
  return Object.freeze(out);
}

/** The input's index when it was made from the input's catalog, else one made now. */
function indexOf(input: NextBestInput): NextBestIndex {
  const i = input.index;
  return i && i.styles === input.styles && i.stock === input.stock && i.storeId === input.storeId ? i : nextBestIndex(input.styles, input.stock, input.storeId);
}

export function nextBestAction(input: NextBestInput): NextBestAction {
  const { member } = input;
  const newestFirst = [...input.purchases].sort((a, b) => b.at - a.at || (a.styleId < b.styleId ? -1 : a.styleId > b.styleId ? 1 : 0));
  const last = newestFirst[0];
  const personalized = member.consents.personalization;
  return {
    personalized,
    lastPurchase: last ? { styleId: last.styleId, styleName: last.styleName, category: last.category, size: last.size, at: last.at, storeId: last.storeId } : null,
    styles: input.recommendations.slice(0, MAX_NEXT_STYLES).map((r) => r.styleId),
    addOn: personalized ? pickAddOn(input, newestFirst) : null,
    cues: cues(input),
  };
}

/** An accessory the store can hand over, with the size it would be in (null: care) and its colour. */
export interface Candidate {
  style: Style;
  kind: AccessoryKind;
  size: number | null;
  color: string;
}

function pickAddOn(input: NextBestInput, newestFirst: NextBestInput['purchases']): AddOn | null {
  const { member, now } = input;
  const index = indexOf(input);
  // A purchase of a style no longer in the catalog counts as a shoe (accessories came with 7/8).
  const kindOf = (styleId: string) => index.styleById.get(styleId)?.kind ?? 'shoe';
  const recentKinds = new Set(newestFirst.filter((p) => now - p.at <= ADDON_SKIP_KIND_DAYS * DAY).map((p) => kindOf(p.styleId)));
  const candidates = accessoriesInStock(index, member.sizes.eu, recentKinds);
  if (candidates.length === 0) return null;

  const goingWith = (category: Category) => candidates.find((c) => goesWith(c.style).includes(category));
  const offer = (c: Candidate, reason: AddOnReason): AddOn => ({
    styleId: c.style.id,
    name: c.style.name,
    kind: c.kind,
    price: c.style.price,
    size: c.size,
    ...(input.images ? { image: pictureOf(input.images, c.style.id, c.color) } : {}),
    reason,
  });

  // (a) a shoe bought lately, newest first
  for (const p of newestFirst) {
    if (now - p.at > BOUGHT_RECENTLY_DAYS * DAY) break;
    if (kindOf(p.styleId) !== 'shoe') continue;
    const c = goingWith(p.category);
    if (c) return offer(c, { code: 'bought_recently', category: p.category, styleName: p.styleName, days: Math.max(0, Math.floor((now - p.at) / DAY)) });
  }
  // (b) the first style suggested today
  const first = input.recommendations[0];
  if (first) {
    const c = goingWith(first.category);
    if (c) return offer(c, { code: 'goes_with_suggestion', category: first.category, styleName: first.name });
  }
  // (c) a stated preference
  for (const category of member.preferences) {
    const c = goingWith(category);
    if (c) return offer(c, { code: 'likes_category', category });
  }
  return null;
}

/** The shoe categories an accessory goes with. */
function goesWith(style: Style): readonly Category[] {
  return style.goesWith && style.goesWith.length > 0 ? style.goesWith : [style.category];
}

/** Accessories this store can hand over now, cheapest first, then by id; kinds in `skipKinds` left out. */
function accessoriesInStock(index: NextBestIndex, size: number, skipKinds: ReadonlySet<string>): readonly Candidate[] {
  const all = index.accessoriesBySize.get(size) ?? index.careOnly;
  return skipKinds.size === 0 ? all : all.filter((c) => !skipKinds.has(c.kind));
}

function cues(input: NextBestInput): ActionCue[] {
  const { member, now } = input;
  const out: ActionCue[] = input.holds
    .filter((h) => h.status === 'active' && h.storeId === input.storeId && h.member.id === member.id && h.until > now)
    .sort((a, b) => a.until - b.until || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_HOLD_CUES)
    .map((h) => ({ code: 'hold_waiting', holdId: h.id, styleName: h.styleName, size: h.size, until: h.until }));
  // A purchase is a time they were in a store, whether or not a visit was recorded with it: a card
  // saying "bought 13 days ago" and "not in for 313 days" at once would be wrong.
  const lastBought = input.purchases.reduce<number | null>((t, p) => (p.at <= now && (t === null || p.at > t) ? p.at : t), null);
  const seen = [input.lastSeenAt, lastBought].filter((t): t is number => t !== null);
  const since = seen.length > 0 ? Math.max(...seen) : member.joinedAt;
  const days = Math.floor((now - since) / DAY);
  if (days >= LONG_ABSENT_DAYS) out.push({ code: 'long_absent', days });
  return out;
}
