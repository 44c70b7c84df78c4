// recommend() and nextBestAction() read a per-catalog index (stock per style and size, accessories
// in stock per size) made once per cached catalog: on varied, seeded random catalogs and members,
// the indexed answers must equal those of the code before the index (test/support/oracles/, which
// scans the catalog and stock on every call), with the index given, without it, and with one made
// from another catalog (which must be ignored).
import { describe, expect, it } from 'vitest';
import { type Category, type Purchase, type StockLine, type Style, type StyleImageRef, type StyleKind } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import { type StyleImageRefs } from '../../hq/ports/styleImageStore.ts';
import { recommend, recommendIndex, type RecommendInput } from '../../hq/app/recommend.ts';
import { nextBestAction, nextBestIndex, type NextBestInput } from '../../hq/app/assist/nextBest.ts';
import { recommendByScan } from '../support/oracles/recommendByScan.ts';
import { nextBestActionByScan } from '../support/oracles/nextBestByScan.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2025, 10, 20, 12);
const CATEGORIES: Category[] = ['running', 'basketball', 'retro', 'casual', 'kids'];
const COLORS = ['BLK', 'WHT', 'RED', 'GRY', 'NVY'];
const SIZES = [35, 36, 37, 38, 38.5, 39, 40, 41, 42, 43, 44];
const HERE = 'here';

interface Catalog {
  styles: Style[];
  stock: StockLine[];
  popularity: Map<string, number>;
  images: StyleImageRefs;
}

function randomCatalog(rng: Prng): Catalog {
  const styles: Style[] = [];
  const count = rng.int(0, 70);
  for (let i = 0; i < count; i++) {
    const kind: StyleKind | undefined = rng.weighted<StyleKind | undefined>([
      [undefined, 4],
      ['shoe', 2],
      ['socks', 1],
      ['insoles', 1],
      ['care', 1],
    ]);
    const goesWith = rng.chance(0.3) ? undefined : rng.shuffle(CATEGORIES).slice(0, rng.int(0, 3));
    styles.push({
      id: `s${String(rng.int(0, 999)).padStart(3, '0')}-${i}`,
      name: `Style ${i}`,
      category: rng.pick(CATEGORIES),
      // Few prices, so the add-on's tie-break by id is exercised.
      price: rng.pick([3900, 4900, 9900, 12900, 59900]),
      colors: rng.shuffle(COLORS).slice(0, rng.int(1, 3)).map((code) => ({ code, name: code })),
      sizes: rng.shuffle(SIZES).slice(0, rng.int(1, 6)),
      // From next week (not yet released) to a year ago: new this week, new arrival, neither.
      releasedAt: now - rng.int(-7, 365) * DAY + rng.int(0, DAY - 1),
      ...(kind ? { kind } : {}),
      ...(kind && kind !== 'shoe' && goesWith ? { goesWith } : {}),
    });
  }
  // The store reads styles by id; half the catalogs keep another order, so no tie-break rests on it.
  if (rng.chance(0.5)) styles.sort((a, b) => (a.id < b.id ? -1 : 1));
  const stock: StockLine[] = [];
  for (const style of styles) {
    for (const storeId of [HERE, 'there']) {
      if (!rng.chance(0.8)) continue;
      for (const color of style.colors)
        for (const size of style.sizes)
          if (rng.chance(0.5)) stock.push({ storeId, styleId: style.id, color: color.code, size, qty: rng.weighted([[0, 2], [1, 3], [rng.int(2, 9), 3], [-1, 1]]) });
      // A line in a size or colour the style does not list (ingest does not forbid it).
      if (rng.chance(0.15)) stock.push({ storeId, styleId: style.id, color: rng.pick(COLORS), size: rng.pick(SIZES), qty: rng.int(0, 3) });
    }
  }
  // A line of a style not in the catalog.
  if (rng.chance(0.5)) stock.push({ storeId: HERE, styleId: 'gone', color: 'BLK', size: 38, qty: 2 });
  const shuffledStock = rng.chance(0.5) ? rng.shuffle(stock) : stock;
  const popularity = new Map<string, number>();
  for (const style of styles) if (rng.chance(0.4)) popularity.set(style.id, rng.int(1, 12));
  const images = new Map<string, Map<string, StyleImageRef>>();
  for (const style of styles) {
    if (!rng.chance(0.5)) continue;
    const refs = new Map<string, StyleImageRef>();
    for (const c of ['', ...style.colors.map((x) => x.code)]) if (rng.chance(0.5)) refs.set(c, { id: `${style.id}-${c}`.padEnd(64, '0'), mime: 'image/png', bytes: 100 });
    images.set(style.id, refs);
  }
  return { styles, stock: shuffledStock, popularity, images };
}

function randomMember(rng: Prng, styles: readonly Style[], i: number) {
  const purchases: Purchase[] = [];
  const n = rng.int(0, 8);
  for (let k = 0; k < n; k++) {
    const style = styles.length > 0 && rng.chance(0.9) ? rng.pick(styles) : undefined;
    purchases.push({
      id: `p${i}-${k}`,
      memberId: `m${i}`,
      styleId: style?.id ?? 'retired-style',
      styleName: style?.name ?? 'Retired',
      category: style?.category ?? rng.pick(CATEGORIES),
      color: 'BLK',
      size: rng.pick(SIZES),
      storeId: rng.pick([HERE, 'there']),
      // Up to two years back, now and then "in the future" (a clock ahead at a till).
      at: now - rng.int(-2, 730) * DAY,
      price: style?.price ?? 1000,
    });
  }
  return {
    member: {
      id: `m${i}`,
      sizes: { eu: rng.chance(0.1) ? 46 : rng.pick(SIZES), cn: 240 },
      preferences: rng.shuffle(CATEGORIES).slice(0, rng.int(0, 3)),
      consents: { marketing: rng.chance(0.5), personalization: rng.chance(0.8), contact: rng.chance(0.5) },
      joinedAt: now - rng.int(0, 1000) * DAY,
    },
    purchases,
  };
}

describe('per-catalog indexes: the same answers as scanning the catalog', () => {
  it('recommend and nextBestAction, on 60 seeded random catalogs × 40 members', () => {
    let withSuggestions = 0;
    let withAddOn = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rng = new Prng(seed);
      const cat = randomCatalog(rng);
      const withImages = rng.chance(0.5);
      const recIndex = recommendIndex(cat.styles, cat.stock, HERE);
      const nbaIndex = nextBestIndex(cat.styles, cat.stock, HERE);
      // An index of another store's catalog: passed by mistake, it must be ignored.
      const other = randomCatalog(new Prng(seed + 1000));
      const wrongRec = recommendIndex(other.styles, other.stock, HERE);
      const wrongNba = nextBestIndex(other.styles, other.stock, HERE);
      for (let i = 0; i < 40; i++) {
        const { member, purchases } = randomMember(rng, cat.styles, i);
        const recInput: RecommendInput = {
          member,
          purchases,
          styles: cat.styles,
          storeId: HERE,
          stock: cat.stock,
          popularity: cat.popularity,
          now,
          ...(withImages ? { images: cat.images } : {}),
        };
        const expected = recommendByScan(recInput);
        expect(recommend({ ...recInput, index: recIndex })).toStrictEqual(expected);
        expect(recommend(recInput)).toStrictEqual(expected);
        expect(recommend({ ...recInput, index: wrongRec })).toStrictEqual(expected);
        if (expected.length > 0) withSuggestions++;

        const nbaInput: NextBestInput = {
          member,
          purchases,
          recommendations: expected,
          styles: cat.styles,
          storeId: HERE,
          stock: cat.stock,
          holds: [],
          lastSeenAt: rng.chance(0.5) ? now - rng.int(0, 400) * DAY : null,
          now,
          ...(withImages ? { images: cat.images } : {}),
        };
        const action = nextBestActionByScan(nbaInput);
        expect(nextBestAction({ ...nbaInput, index: nbaIndex })).toStrictEqual(action);
        expect(nextBestAction(nbaInput)).toStrictEqual(action);
        expect(nextBestAction({ ...nbaInput, index: wrongNba })).toStrictEqual(action);
        if (action.addOn) withAddOn++;
      }
    }
    // The catalogs are varied enough to exercise both: not a comparison of empty answers.
    expect(withSuggestions).toBeGreaterThan(1000);
    expect(withAddOn).toBeGreaterThan(300);
  });

  it('an index is made once and shared: its lists cannot be changed through a suggestion', () => {
    // The first seeded catalog with something popular in stock.
    let input: RecommendInput | undefined;
    for (let seed = 1; !input || recommend(input).length === 0; seed++) {
      const cat = randomCatalog(new Prng(seed));
      const { member, purchases } = randomMember(new Prng(seed), cat.styles, 0);
      const index = recommendIndex(cat.styles, cat.stock, HERE);
      input = { member: { ...member, consents: { ...member.consents, personalization: false } }, purchases, styles: cat.styles, storeId: HERE, stock: cat.stock, popularity: cat.popularity, now, index };
    }
    const [first] = recommend(input);
    expect(recommend(input)[0]!.stockBySize).toBe(first!.stockBySize);
    expect(() => (first!.stockBySize as { size: number; qty: number }[]).push({ size: 1, qty: 1 })).toThrow(TypeError);
    expect(() => (first!.colors as unknown[]).pop()).toThrow(TypeError);
  });

  it('indexes of two stores share their colour lists and { size, qty } pairs where they are alike', () => {
    const style: Style = { id: 'sty-1', name: 'Runner', category: 'running', price: 59900, colors: [{ code: 'BLK', name: '黑色' }, { code: 'WHT', name: '白色' }, { code: 'RED', name: '红色' }], sizes: [40, 41, 42], releasedAt: now - DAY };
    const line = (storeId: string, color: string, size: number, qty: number): StockLine => ({ storeId, styleId: style.id, color, size, qty });
    // Store a: black and white in 41; store b: white and black in 41 (same set), red in 42 and the same quantities per size.
    const a = recommendIndex([style], [line('a', 'BLK', 41, 2), line('a', 'WHT', 41, 1), line('a', 'RED', 40, 0)], 'a');
    const b = recommendIndex([style], [line('b', 'WHT', 41, 1), line('b', 'BLK', 41, 2), line('b', 'RED', 42, 0)], 'b');
    const [inA] = a.bySize.get(41)!;
    const [inB] = b.bySize.get(41)!;
    expect(inA!.colors.map((c) => c.code)).toEqual(['BLK', 'WHT']);
    expect(inB!.colors).toBe(inA!.colors); // one list for the style's black + white
    expect(Object.isFrozen(inA!.colors)).toBe(true);
    // Stock per size: the same quantities are the same frozen pairs, in new frozen arrays per store.
    expect(inA!.stockBySize).toEqual([{ size: 40, qty: 0 }, { size: 41, qty: 3 }, { size: 42, qty: 0 }]);
    expect(inB!.stockBySize).not.toBe(inA!.stockBySize);
    inA!.stockBySize.forEach((pair, i) => expect(inB!.stockBySize[i]).toBe(pair));
    expect(Object.isFrozen(inA!.stockBySize[0])).toBe(true);
    // A quantity past what is shared is still right (made for the index, not kept).
    const c = recommendIndex([style], [line('c', 'RED', 42, 5000)], 'c');
    expect(c.bySize.get(42)![0]!.stockBySize).toEqual([{ size: 40, qty: 0 }, { size: 41, qty: 0 }, { size: 42, qty: 5000 }]);
    expect(c.bySize.get(42)![0]!.colors.map((x) => x.code)).toEqual(['RED']);
  });
});
