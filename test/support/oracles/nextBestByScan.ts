// The next best action as it was before nextBestAction() read a per-catalog index
// (hq/app/assist/nextBest.ts at f8dd47c, unchanged but for imports): the oracle
// test/unit/catalog-index.test.ts compares the indexed code with. Do not use outside tests.
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
import { pictureOf, type StyleImageRefs } from '../../../hq/ports/styleImageStore.ts';
// The rule's constants are the product's own: a change of them is no change of the index.
import { ADDON_SKIP_KIND_DAYS, BOUGHT_RECENTLY_DAYS, MAX_HOLD_CUES } from '../../../hq/app/assist/nextBest.ts';

const DAY = 24 * 60 * 60 * 1000;

interface NextBestInput {
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
}

export function nextBestActionByScan(input: NextBestInput): NextBestAction {
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

interface Candidate {
  style: Style;
  kind: AccessoryKind;
  size: number | null;
  color: string;
}

function pickAddOn(input: NextBestInput, newestFirst: NextBestInput['purchases']): AddOn | null {
  const { member, now } = input;
  const byId = new Map(input.styles.map((s) => [s.id, s]));
  // A purchase of a style no longer in the catalog counts as a shoe (accessories came with 7/8).
  const kindOf = (styleId: string) => byId.get(styleId)?.kind ?? 'shoe';
  const recentKinds = new Set(newestFirst.filter((p) => now - p.at <= ADDON_SKIP_KIND_DAYS * DAY).map((p) => kindOf(p.styleId)));
  const candidates = accessoriesInStock(input, recentKinds);
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
function accessoriesInStock(input: NextBestInput, skipKinds: ReadonlySet<string>): Candidate[] {
  const size = input.member.sizes.eu;
  const lines = new Map<string, StockLine[]>();
  for (const l of input.stock) {
    if (l.storeId !== input.storeId || l.qty <= 0) continue;
    lines.set(l.styleId, [...(lines.get(l.styleId) ?? []), l]);
  }
  const out: Candidate[] = [];
  for (const style of input.styles) {
    if (!isAccessory(style) || skipKinds.has(style.kind!)) continue;
    const kind = style.kind as AccessoryKind;
    const sized = kind !== 'care';
    const usable = (lines.get(style.id) ?? []).filter((l) => !sized || l.size === size);
    if (usable.length === 0) continue;
    // The first of the style's colourways in stock (catalog order), for the picture.
    const color = style.colors.find((c) => usable.some((l) => l.color === c.code))?.code ?? usable[0]!.color;
    out.push({ style, kind, size: sized ? size : null, color });
  }
  return out.sort((a, b) => a.style.price - b.style.price || (a.style.id < b.style.id ? -1 : a.style.id > b.style.id ? 1 : 0));
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
