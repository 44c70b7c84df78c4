// Which styles to suggest to a member at this store, and why. A pure function of its inputs so
// the ranking can be pinned by a unit test and recomputed anywhere (arrival, snapshot, ingest).
//
// Eligible: a shoe (never an accessory: those only ever show as an add-on, hq/app/assist/nextBest.ts)
// with stock > 0 at this store in the member's EU size (in some color), which the member has not
// bought before. Ranked by score, ties broken by style id for determinism.
//
// Consent (PIPL Art. 24, 7/8): the ranking is personalised only when the member's
// `consents.personalization` is true. Otherwise nothing of the member is read — not their size,
// preferences or purchases: the answer is this store's popular shoes in stock in any size (the desk
// narrows them to a size the member gives for this visit, from each suggestion's `stockBySize`),
// ranked by this store's sales, then newness, then id, with reasons that name no member data.
import { type Category, type Colorway, isAccessory, type Member, type Purchase, type Reason, type Recommendation, type StockLine, type Style } from '../../shared/domain.ts';
import { pictureOf, type StyleImageRefs } from '../ports/styleImageStore.ts';
import { frozenWithJson } from './eventJson.ts';

export const MAX_RECOMMENDATIONS = 6;
const DAY = 24 * 60 * 60 * 1000;

/** Score weights, stated once so the ranking rules read as a table. */
export const WEIGHTS = {
  /** The member told us they like this category: the strongest signal. */
  preference: 10,
  /** Per past purchase in the category; purchases in the last 180 days count double. */
  boughtCategory: 2,
  recentPurchaseDays: 180,
  newThisWeek: 4,
  newArrival: 2,
  /** Per purchase of this style at this store (last 90 days), capped. */
  popularityPerSale: 0.25,
  popularityCap: 2,
  /** Sales at which a style is called "popular in this store". */
  popularThreshold: 3,
} as const;

export interface RecommendInput {
  member: Pick<Member, 'sizes' | 'preferences' | 'consents'>;
  purchases: readonly Pick<Purchase, 'styleId' | 'category' | 'at'>[];
  styles: readonly Style[];
  /** The store the member is in; stock lines of other stores are ignored. */
  storeId: string;
  stock: readonly StockLine[];
  /** Sales per style at this store (optional, cheap popularity signal). */
  popularity?: ReadonlyMap<string, number>;
  now: number;
  /**
   * The styles' pictures (part E); when given, every suggestion says its picture: that of the
   * first colour it lists (in stock in the member's size), else the style's default, else null.
   */
  images?: StyleImageRefs;
  /**
   * `recommendIndex(styles, stock, storeId)` made beforehand, so a caller that ranks many members
   * on one catalog (every arrival at a store) derives the store's stock per style and size once.
   * Used only when made from these very `styles`, `stock` and `storeId` (else it is made afresh):
   * the answer never depends on whether an index was given.
   */
  index?: RecommendIndex;
}

/** A shoe with stock > 0 at the store in one size: what a personalised suggestion of it needs. */
interface ShoeInSize {
  style: Style;
  /** Units in the size, summed over colours. */
  qty: number;
  /** The style's colourways in stock in the size (catalog order). */
  colors: readonly Colorway[];
  stockBySize: Recommendation['stockBySize'];
}

/** A shoe with stock > 0 at the store in some size (the suggestions made without consent). */
interface ShoeInStock {
  style: Style;
  colors: readonly Colorway[];
  stockBySize: Recommendation['stockBySize'];
}

/**
 * One store's catalog as recommend() reads it, derived once per catalog (profiles.ts keeps one per
 * cached catalog entry): per EU size the shoes in stock in it, and the shoes in stock at all, each
 * in catalog order with its colours and stock per size worked out. An arrival then looks its
 * member's size up instead of grouping ~1,000 stock lines and summing them per style (bench/:
 * recommend, stockBySizeOf and storeStock were ~9% of HQ's CPU at 10,000 desks). Its arrays are
 * frozen: suggestions share them, so nothing may change one in place.
 */
export interface RecommendIndex {
  readonly styles: readonly Style[];
  readonly stock: readonly StockLine[];
  readonly storeId: string;
  readonly bySize: ReadonlyMap<number, readonly ShoeInSize[]>;
  readonly inStock: readonly ShoeInStock[];
}

export function recommendIndex(styles: readonly Style[], stock: readonly StockLine[], storeId: string): RecommendIndex {
  const stockByStyle = storeStock(stock, storeId);
  const bySize = new Map<number, ShoeInSize[]>();
  const inStock: ShoeInStock[] = [];
  for (const style of styles) {
    if (isAccessory(style)) continue;
    const lines = stockByStyle.get(style.id) ?? [];
    const stockBySize = stockBySizeOf(style, lines);
    const positive = lines.filter((l) => l.qty > 0);
    if (positive.length > 0) inStock.push({ style, colors: colorsIn(style, positive), stockBySize });
    // Sizes in the order first met; each size's list keeps catalog order as styles are walked in it.
    const sizes = new Map<number, StockLine[]>();
    for (const l of positive) {
      // A NaN size never equals the member's (the comparison is ===), so it is never a key.
      if (Number.isNaN(l.size)) continue;
      const list = sizes.get(l.size);
      if (list) list.push(l);
      else sizes.set(l.size, [l]);
    }
    for (const [size, inSize] of sizes) {
      const entry: ShoeInSize = { style, qty: inSize.reduce((n, l) => n + l.qty, 0), colors: colorsIn(style, inSize), stockBySize };
      const list = bySize.get(size);
      if (list) list.push(entry);
      else bySize.set(size, [entry]);
    }
  }
  return { styles, stock, storeId, bySize, inStock };
}

/** The input's index when it was made from the input's catalog, else one made now. */
function indexOf(input: RecommendInput): RecommendIndex {
  const i = input.index;
  return i && i.styles === input.styles && i.stock === input.stock && i.storeId === input.storeId ? i : recommendIndex(input.styles, input.stock, input.storeId);
}

export function recommend(input: RecommendInput): Recommendation[] {
  if (!input.member.consents.personalization) return popularInStore(input);
  const { member, purchases, now } = input;
  const size = member.sizes.eu;
  const owned = new Set(purchases.map((p) => p.styleId));

  const bought = new Map<Category, { count: number; weight: number }>();
  for (const p of purchases) {
    const b = bought.get(p.category) ?? { count: 0, weight: 0 };
    b.count += 1;
    b.weight += now - p.at <= WEIGHTS.recentPurchaseDays * DAY ? 2 : 1;
    bought.set(p.category, b);
  }

  // Scores first; reasons and the suggestion itself only for the few that make the list.
  // The best MAX_RECOMMENDATIONS, in rank order, kept as the shoes are met: a shoe that does not
  // rank before the sixth is dropped without an object made for it. The rank is a total order on
  // (score descending, style id ascending), so the list is the one a sort of every scored shoe
  // would start with. Every arrival ranks the shoes in its member's size, and the sort of them all
  // with an object per shoe were ~6 % of what HQ allocated under load (docs/benchmarks.md, round 29).
  const best: Scored[] = [];
  for (const shoe of indexOf(input).bySize.get(size) ?? []) {
    const style = shoe.style;
    if (owned.has(style.id)) continue;
    let score = 0;
    if (member.preferences.includes(style.category)) score += WEIGHTS.preference;
    const b = bought.get(style.category);
    if (b) score += WEIGHTS.boughtCategory * b.weight;
    const age = now - style.releasedAt;
    if (age >= 0 && age <= 7 * DAY) score += WEIGHTS.newThisWeek;
    else if (age >= 0 && age <= 30 * DAY) score += WEIGHTS.newArrival;
    const sales = input.popularity?.get(style.id) ?? 0;
    if (sales > 0) score += Math.min(WEIGHTS.popularityCap, sales * WEIGHTS.popularityPerSale);
    score = Math.round(score * 100) / 100;
    if (best.length === MAX_RECOMMENDATIONS && !ranksBefore(score, style.id, best[MAX_RECOMMENDATIONS - 1]!)) continue;
    // Into the last place (the sixth's, when full: it drops out), then up past those it ranks before.
    let at = best.length < MAX_RECOMMENDATIONS ? best.length : MAX_RECOMMENDATIONS - 1;
    for (; at > 0 && ranksBefore(score, style.id, best[at - 1]!); at--) best[at] = best[at - 1]!;
    best[at] = { shoe, score, age, sales };
  }

  return best.map(({ shoe, score, age, sales }): Recommendation => {
    const { style } = shoe;
    const reasons: Reason[] = [];
    if (member.preferences.includes(style.category)) reasons.push({ code: 'preference', category: style.category });
    const b = bought.get(style.category);
    if (b) reasons.push({ code: 'bought_category', category: style.category, count: b.count });
    reasons.push({ code: 'size_in_stock', size, qty: shoe.qty });
    if (age >= 0 && age <= 7 * DAY) reasons.push({ code: 'new_this_week' });
    else if (age >= 0 && age <= 30 * DAY) reasons.push({ code: 'new_arrival' });
    if (sales >= WEIGHTS.popularThreshold) reasons.push({ code: 'popular_in_store' });
    return suggestion(shoe, score, reasons, input.images);
  });
}

/** A shoe in the member's size with its score, and what its reasons are made from. */
interface Scored {
  shoe: ShoeInSize;
  score: number;
  age: number;
  sales: number;
}

/** Whether a shoe of `score` and style `id` ranks before `other`: a higher score, or the same and a smaller id. */
function ranksBefore(score: number, id: string, other: Scored): boolean {
  return score > other.score || (score === other.score && id < other.shoe.style.id);
}

/** A shoe in stock as a suggestion: its style, the colours and sizes in stock, why, and its picture. */
function suggestion(shoe: ShoeInStock, score: number, reasons: Reason[], images: StyleImageRefs | undefined): Recommendation {
  const { style, colors } = shoe;
  return {
    styleId: style.id,
    name: style.name,
    category: style.category,
    price: style.price,
    colors: colors as Colorway[],
    stockBySize: shoe.stockBySize,
    score,
    reasons,
    ...(images ? { image: pictureOf(images, style.id, colors[0]?.code) } : {}),
  };
}

/**
 * Without personalisation consent: this store's shoes in stock (any size), most sold here first
 * (the popularity window's purchases), then the newest, then by id. A style qualifies when it sold
 * here in the window (`popular_in_store`: the list is the store's top sellers) or is new (released
 * in the last 30 days); one that is neither has nothing to say for itself that is not about the
 * member, so it is left out. `score` is the style's sales here.
 */
function popularInStore(input: RecommendInput): Recommendation[] {
  // It reads nothing of the member: every arrival at the store without consent gets the same list
  // while the catalog, the popularity, the pictures and every style's newness stay as they were —
  // so the list is kept with the catalog's index, for the span of time it holds, and handed out as
  // a copy of frozen suggestions (nothing downstream may change one in place).
  const index = indexOf(input);
  const kept = popularKept.get(index);
  if (kept && kept.popularity === input.popularity && kept.images === input.images && input.now >= kept.from && input.now < kept.until) return kept.list.slice();
  const list = rankPopular(input, index).map((r) => frozenWithJson(r));
  popularKept.set(index, { popularity: input.popularity, images: input.images, ...newnessSpan(index, input.now), list });
  return list.slice();
}

/** popularInStore's last list per catalog index, with what it was made from and when it holds. */
const popularKept = new WeakMap<
  RecommendIndex,
  { popularity: RecommendInput['popularity']; images: RecommendInput['images']; from: number; until: number; list: readonly Recommendation[] }
>();

/**
 * The span [from, until) around `now` in which no style in stock changes its newness: a style's
 * reasons change when it is released (age 0), and when it stops being new this week (age 7 days
 * + 1 ms) or a new arrival (30 days + 1 ms).
 */
function newnessSpan(index: RecommendIndex, now: number): { from: number; until: number } {
  let from = -Infinity;
  let until = Infinity;
  for (const { style } of index.inStock) {
    for (const at of [style.releasedAt, style.releasedAt + 7 * DAY + 1, style.releasedAt + 30 * DAY + 1]) {
      if (at <= now) from = Math.max(from, at);
      else until = Math.min(until, at);
    }
  }
  return { from, until };
}

/** popularInStore's ranking itself, made afresh. */
function rankPopular(input: RecommendInput, index: RecommendIndex): Recommendation[] {
  const { now } = input;
  const ranked: Array<{ shoe: ShoeInStock; sales: number; reasons: Reason[] }> = [];
  for (const shoe of index.inStock) {
    const style = shoe.style;
    const sales = input.popularity?.get(style.id) ?? 0;
    const age = now - style.releasedAt;
    const reasons: Reason[] = [];
    if (sales > 0) reasons.push({ code: 'popular_in_store' });
    if (age >= 0 && age <= 7 * DAY) reasons.push({ code: 'new_this_week' });
    else if (age >= 0 && age <= 30 * DAY) reasons.push({ code: 'new_arrival' });
    if (reasons.length === 0) continue;
    ranked.push({ shoe, sales, reasons });
  }
  ranked.sort((a, b) => b.sales - a.sales || b.shoe.style.releasedAt - a.shoe.style.releasedAt || byId(a.shoe.style.id, b.shoe.style.id));
  return ranked.slice(0, MAX_RECOMMENDATIONS).map(({ shoe, sales, reasons }) => suggestion(shoe, sales, reasons, input.images));
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** This store's stock lines, per style. */
function storeStock(stock: readonly StockLine[], storeId: string): Map<string, StockLine[]> {
  const byStyle = new Map<string, StockLine[]>();
  for (const line of stock) {
    if (line.storeId !== storeId) continue;
    const list = byStyle.get(line.styleId);
    if (list) list.push(line);
    else byStyle.set(line.styleId, [line]);
  }
  return byStyle;
}

// An index's small arrays and pairs are shared, not made per store: 500 stores' indexes held ~90 MB
// (a colour list per style and size, each an array grown by push with room for 17; a { size, qty }
// object per size of every style), most of a node's catalog copies (catalogCache.ts). All frozen.

/** Each style's colour lists by which of its colourways they hold (a bit per colourway). */
const colorLists = new WeakMap<Style, Map<number, readonly Colorway[]>>();

/** The style's colourways that have one of `lines` (in catalog order): one frozen list per style and set. */
function colorsIn(style: Style, lines: readonly StockLine[]): readonly Colorway[] {
  const colors = style.colors;
  // More colourways than a mask has bits (the schema allows 20; a row that bypassed it): a list of its own.
  if (colors.length > 30) {
    const codes = new Set(lines.map((l) => l.color));
    return frozenWithJson(colors.filter((c) => codes.has(c.code)).map(frozenColor));
  }
  let mask = 0;
  for (const l of lines) {
    for (let i = 0; i < colors.length; i++) {
      if (colors[i]!.code === l.color) {
        mask |= 1 << i;
        break;
      }
    }
  }
  let lists = colorLists.get(style);
  if (!lists) colorLists.set(style, (lists = new Map()));
  let list = lists.get(mask);
  if (!list) lists.set(mask, (list = frozenWithJson(colors.filter((_, i) => (mask & (1 << i)) !== 0).map(frozenColor))));
  return list;
}

/**
 * A colourway as a suggestion lists it: frozen, a copy of the catalog's (which stays as it is),
 * one per colourway. A list of them is made once with its JSON text (frozenWithJson), which an
 * event's text splices in instead of serializing the list for every arrival.
 */
const frozenColors = new WeakMap<Colorway, Colorway>();
function frozenColor(c: Colorway): Colorway {
  if (Object.isFrozen(c)) return c;
  let copy = frozenColors.get(c);
  if (!copy) frozenColors.set(c, (copy = Object.freeze({ ...c })));
  return copy;
}

/** Shared frozen { size, qty } pairs for the sizes and quantities a shop floor has (bounded: others are made each time). */
const pairs = new Map<number, Recommendation['stockBySize'][number]>();
const PAIR_MAX_QTY = 255;

function sizeQty(size: number, qty: number): Recommendation['stockBySize'][number] {
  // Half sizes (EU 40.5) count too; anything else odd, or a large quantity, is not kept.
  const half = size * 2;
  if (!Number.isInteger(half) || half < 0 || half > 255 || !Number.isInteger(qty) || qty < 0 || qty > PAIR_MAX_QTY) return Object.freeze({ size, qty });
  const key = half * (PAIR_MAX_QTY + 1) + qty;
  let pair = pairs.get(key);
  if (!pair) pairs.set(key, (pair = Object.freeze({ size, qty })));
  return pair;
}

/** Stock per size over every size of the style (0 where none), summed over colours; frozen. */
function stockBySizeOf(style: Style, lines: readonly StockLine[]): Recommendation['stockBySize'] {
  const bySize = new Map<number, number>(style.sizes.map((s) => [s, 0]));
  for (const l of lines) bySize.set(l.size, (bySize.get(l.size) ?? 0) + l.qty);
  return frozenWithJson([...bySize.entries()].sort((a, b) => a[0] - b[0]).map(([s, qty]) => sizeQty(s, qty))) as Recommendation['stockBySize'];
}
