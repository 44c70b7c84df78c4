// The ranking as it was before recommend() read a per-catalog index (hq/app/recommend.ts at
// f8dd47c, unchanged but for imports): the oracle test/unit/catalog-index.test.ts compares the
// indexed code with. Scans the catalog and stock on every call; do not use outside tests.
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
import { type Category, type Colorway, isAccessory, type Member, type Purchase, type Reason, type Recommendation, type StockLine, type Style } from '../../../shared/domain.ts';
import { pictureOf, type StyleImageRefs } from '../../../hq/ports/styleImageStore.ts';
import { MAX_RECOMMENDATIONS, WEIGHTS } from '../../../hq/app/recommend.ts';

// The rule's constants are the product's own: a change of weights is no change of the index.
const DAY = 24 * 60 * 60 * 1000;

interface RecommendInput {
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
}

export function recommendByScan(input: RecommendInput): Recommendation[] {
  if (!input.member.consents.personalization) return popularInStore(input);
  const { member, purchases, styles, stock, now } = input;
  const size = member.sizes.eu;
  const owned = new Set(purchases.map((p) => p.styleId));

  const bought = new Map<Category, { count: number; weight: number }>();
  for (const p of purchases) {
    const b = bought.get(p.category) ?? { count: 0, weight: 0 };
    b.count += 1;
    b.weight += now - p.at <= WEIGHTS.recentPurchaseDays * DAY ? 2 : 1;
    bought.set(p.category, b);
  }

  const stockByStyle = storeStock(stock, input.storeId);

  const results: Recommendation[] = [];
  for (const style of styles) {
    if (owned.has(style.id) || isAccessory(style)) continue;
    const lines = stockByStyle.get(style.id) ?? [];
    const inSize = lines.filter((l) => l.size === size && l.qty > 0);
    if (inSize.length === 0) continue;
    const qtyInSize = inSize.reduce((n, l) => n + l.qty, 0);

    let score = 0;
    const reasons: Reason[] = [];
    if (member.preferences.includes(style.category)) {
      score += WEIGHTS.preference;
      reasons.push({ code: 'preference', category: style.category });
    }
    const b = bought.get(style.category);
    if (b) {
      score += WEIGHTS.boughtCategory * b.weight;
      reasons.push({ code: 'bought_category', category: style.category, count: b.count });
    }
    reasons.push({ code: 'size_in_stock', size, qty: qtyInSize });
    const age = now - style.releasedAt;
    if (age >= 0 && age <= 7 * DAY) {
      score += WEIGHTS.newThisWeek;
      reasons.push({ code: 'new_this_week' });
    } else if (age >= 0 && age <= 30 * DAY) {
      score += WEIGHTS.newArrival;
      reasons.push({ code: 'new_arrival' });
    }
    const sales = input.popularity?.get(style.id) ?? 0;
    if (sales > 0) score += Math.min(WEIGHTS.popularityCap, sales * WEIGHTS.popularityPerSale);
    if (sales >= WEIGHTS.popularThreshold) reasons.push({ code: 'popular_in_store' });

    const colors = colorsIn(style, inSize);
    const stockBySize = stockBySizeOf(style, lines);

    results.push({
      styleId: style.id,
      name: style.name,
      category: style.category,
      price: style.price,
      colors,
      stockBySize,
      score: Math.round(score * 100) / 100,
      reasons,
      ...(input.images ? { image: pictureOf(input.images, style.id, colors[0]?.code) } : {}),
    });
  }

  results.sort((a, b) => b.score - a.score || byId(a.styleId, b.styleId));
  return results.slice(0, MAX_RECOMMENDATIONS);
}

/**
 * Without personalisation consent: this store's shoes in stock (any size), most sold here first
 * (the popularity window's purchases), then the newest, then by id. A style qualifies when it sold
 * here in the window (`popular_in_store`: the list is the store's top sellers) or is new (released
 * in the last 30 days); one that is neither has nothing to say for itself that is not about the
 * member, so it is left out. `score` is the style's sales here.
 */
function popularInStore(input: RecommendInput): Recommendation[] {
  const { styles, now } = input;
  const stockByStyle = storeStock(input.stock, input.storeId);
  const ranked: Array<{ rec: Recommendation; releasedAt: number }> = [];
  for (const style of styles) {
    if (isAccessory(style)) continue;
    const lines = stockByStyle.get(style.id) ?? [];
    const inStock = lines.filter((l) => l.qty > 0);
    if (inStock.length === 0) continue;
    const sales = input.popularity?.get(style.id) ?? 0;
    const age = now - style.releasedAt;
    const reasons: Reason[] = [];
    if (sales > 0) reasons.push({ code: 'popular_in_store' });
    if (age >= 0 && age <= 7 * DAY) reasons.push({ code: 'new_this_week' });
    else if (age >= 0 && age <= 30 * DAY) reasons.push({ code: 'new_arrival' });
    if (reasons.length === 0) continue;
    const colors = colorsIn(style, inStock);
    ranked.push({
      releasedAt: style.releasedAt,
      rec: {
        styleId: style.id,
        name: style.name,
        category: style.category,
        price: style.price,
        colors,
        stockBySize: stockBySizeOf(style, lines),
        score: sales,
        reasons,
        ...(input.images ? { image: pictureOf(input.images, style.id, colors[0]?.code) } : {}),
      },
    });
  }
  ranked.sort((a, b) => b.rec.score - a.rec.score || b.releasedAt - a.releasedAt || byId(a.rec.styleId, b.rec.styleId));
  return ranked.slice(0, MAX_RECOMMENDATIONS).map((r) => r.rec);
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

/** The style's colourways that have one of `lines` (in catalog order). */
function colorsIn(style: Style, lines: readonly StockLine[]): Colorway[] {
  const codes = new Set(lines.map((l) => l.color));
  return style.colors.filter((c) => codes.has(c.code));
}

/** Stock per size over every size of the style (0 where none), summed over colours. */
function stockBySizeOf(style: Style, lines: readonly StockLine[]): Recommendation['stockBySize'] {
  const bySize = new Map<number, number>(style.sizes.map((s) => [s, 0]));
  for (const l of lines) bySize.set(l.size, (bySize.get(l.size) ?? 0) + l.qty);
  return [...bySize.entries()].sort((a, b) => a[0] - b[0]).map(([s, qty]) => ({ size: s, qty }));
}
