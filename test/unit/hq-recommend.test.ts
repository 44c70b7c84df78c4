// Pins the recommendation ranking on a small hand-made catalog, and its exclusions.
import { describe, expect, it } from 'vitest';
import { type Category, type StockLine, type Style } from '../../shared/domain.ts';
import { formatReasons } from '../../shared/reasons.ts';
import { recommend, recommendIndex, type RecommendInput } from '../../hq/app/recommend.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2025, 10, 20, 12);

const style = (id: string, category: Category, releasedDaysAgo = 60): Style => ({
  id,
  name: `Style ${id}`,
  category,
  price: 49900,
  colors: [
    { code: 'BLK', name: 'Black' },
    { code: 'WHT', name: 'White' },
  ],
  sizes: [37, 38, 39],
  releasedAt: now - releasedDaysAgo * DAY,
});
const line = (styleId: string, size: number, qty: number, color = 'BLK', storeId = 'here'): StockLine => ({ storeId, styleId, color, size, qty });

const styles: Style[] = [
  style('r-owned', 'running'), // bought already
  style('r-new', 'running', 2), // preference + bought category + new this week
  style('r-plain', 'running'), // preference + bought category
  style('c-arrival', 'casual', 20), // bought (long ago) + new arrival
  style('b-pop', 'basketball'), // only popularity
  style('k-nosize', 'kids'), // stock only in 39
  style('x-zero', 'retro'), // qty 0 in 38
  style('a-retro', 'retro'), // nothing but stock: ties by id
  style('z-retro', 'retro'),
  style('zz-retro', 'retro'), // cut by the limit of 6
  style('r-elsewhere', 'running', 1), // stock only in another store
];

const stock: StockLine[] = [
  line('r-owned', 38, 5),
  line('r-new', 38, 1),
  line('r-new', 37, 2, 'WHT'),
  line('r-plain', 38, 3, 'WHT'),
  line('r-plain', 38, 1),
  line('c-arrival', 38, 2),
  line('b-pop', 38, 2),
  line('k-nosize', 39, 4),
  line('x-zero', 38, 0),
  line('a-retro', 38, 1),
  line('z-retro', 38, 1),
  line('zz-retro', 38, 1),
  line('r-elsewhere', 38, 9, 'BLK', 'there'),
];

const CONSENTED = { marketing: false, personalization: true, contact: false };
const OPTED_OUT = { marketing: true, personalization: false, contact: true };

const input: RecommendInput = {
  member: { sizes: { eu: 38, cn: 240 }, preferences: ['running'], consents: CONSENTED },
  purchases: [
    { styleId: 'r-owned', category: 'running', at: now - 10 * DAY },
    { styleId: 'c-old', category: 'casual', at: now - 400 * DAY },
  ],
  styles,
  storeId: 'here',
  stock,
  popularity: new Map([['b-pop', 4]]),
  now,
};

describe('recommend', () => {
  it('ranks by preference, bought categories, newness and popularity, ties by id', () => {
    const recs = recommend(input);
    expect(recs.map((r) => [r.styleId, r.score])).toEqual([
      ['r-new', 18],
      ['r-plain', 14],
      ['c-arrival', 4],
      ['b-pop', 1],
      ['a-retro', 0],
      ['z-retro', 0],
    ]);
  });

  it('excludes owned styles, sizes out of stock, zero quantities and other stores', () => {
    const ids = recommend({ ...input, styles: styles.filter((s) => !['a-retro', 'z-retro', 'zz-retro'].includes(s.id)) }).map((r) => r.styleId);
    expect(ids).not.toContain('r-owned');
    expect(ids).not.toContain('k-nosize');
    expect(ids).not.toContain('x-zero');
    expect(ids).not.toContain('r-elsewhere');
  });

  it('explains each pick with structured reasons, always including the size in stock', () => {
    const [top, plain, arrival, pop, retro] = recommend(input);
    expect(top!.reasons).toEqual([
      { code: 'preference', category: 'running' },
      { code: 'bought_category', category: 'running', count: 1 },
      { code: 'size_in_stock', size: 38, qty: 1 },
      { code: 'new_this_week' },
    ]);
    expect(formatReasons(top!.reasons, 'en')).toBe('Likes running · Bought 1 running pair · size 38 in stock · new this week');
    expect(formatReasons(top!.reasons, 'zh-CN')).toBe('喜欢跑步 · 买过1双跑步 · 38码有货 · 本周新品');
    expect(plain!.reasons.find((r) => r.code === 'size_in_stock')).toEqual({ code: 'size_in_stock', size: 38, qty: 4 });
    expect(arrival!.reasons.map((r) => r.code)).toEqual(['bought_category', 'size_in_stock', 'new_arrival']);
    expect(pop!.reasons.map((r) => r.code)).toEqual(['size_in_stock', 'popular_in_store']);
    expect(retro!.reasons).toEqual([{ code: 'size_in_stock', size: 38, qty: 1 }]);
  });

  it('lists colors in stock in the size and stock for every size of the style', () => {
    const [top, plain] = recommend(input);
    expect(top!.colors).toEqual([{ code: 'BLK', name: 'Black' }]);
    expect(top!.stockBySize).toEqual([
      { size: 37, qty: 2 },
      { size: 38, qty: 1 },
      { size: 39, qty: 0 },
    ]);
    expect(plain!.colors.map((c) => c.code)).toEqual(['BLK', 'WHT']);
  });

  it('lists what ranking every shoe in the size one by one and sorting them would list first', () => {
    // Random catalogs with few distinct scores (ties decided by id), each shoe's score read by
    // ranking it alone: the list over the whole catalog is the first six of those, sorted.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const categories: Category[] = ['running', 'casual', 'basketball', 'retro', 'kids'];
    for (let round = 0; round < 40; round++) {
      const many = Array.from({ length: 5 + Math.floor(random() * 40) }, (_, i) => style(`s${Math.floor(random() * 1000)}-${i}`, pick(categories), pick([1, 20, 60])));
      const lines = many.flatMap((s) => [line(s.id, 38, Math.floor(random() * 3)), line(s.id, pick([37, 39]), 1)]);
      const whole: RecommendInput = {
        member: { sizes: { eu: 38, cn: 240 }, preferences: [pick(categories)], consents: CONSENTED },
        purchases: [{ styleId: pick(many).id, category: pick(categories), at: now - pick([10, 400]) * DAY }],
        styles: many,
        storeId: 'here',
        stock: lines,
        popularity: new Map(many.filter(() => random() < 0.3).map((s) => [s.id, 1 + Math.floor(random() * 10)])),
        now,
      };
      const alone = many.flatMap((s) => recommend({ ...whole, styles: [s], stock: lines.filter((l) => l.styleId === s.id) }));
      alone.sort((a, b) => b.score - a.score || (a.styleId < b.styleId ? -1 : a.styleId > b.styleId ? 1 : 0));
      expect(recommend(whole)).toEqual(alone.slice(0, 6));
    }
  });

  it('returns nothing for a size nobody stocks', () => {
    expect(recommend({ ...input, member: { sizes: { eu: 45, cn: 275 }, preferences: [], consents: CONSENTED } })).toEqual([]);
  });
});

describe('a suggestion’s picture (part E)', () => {
  const ref = (c: string) => ({ id: c.repeat(64), mime: 'image/png' as const, bytes: 10 });
  it('is that of the first colour it lists (in stock in the size), else the style’s default, else null', () => {
    const twoTone = { ...style('p-two', 'running'), colors: [{ code: 'WHT', name: 'White' }, { code: 'BLK', name: 'Black' }, { code: 'RED', name: 'Red' }] };
    const recs = recommend({
      member: { sizes: { eu: 38, cn: 240 }, preferences: [], consents: CONSENTED },
      purchases: [],
      styles: [twoTone, style('p-default', 'retro'), style('p-none', 'casual')],
      storeId: 'here',
      // p-two: white only in 37, so in 38 it lists black then red.
      stock: [line('p-two', 37, 2, 'WHT'), line('p-two', 38, 1, 'RED'), line('p-two', 38, 1, 'BLK'), line('p-default', 38, 1), line('p-none', 38, 1)],
      now,
      images: new Map([
        ['p-two', new Map([['', ref('d'), ], ['WHT', ref('e')], ['BLK', ref('b')], ['RED', ref('c')]])],
        ['p-default', new Map([['', ref('d')], ['WHT', ref('e')]])],
      ]),
    });
    const byId = Object.fromEntries(recs.map((r) => [r.styleId, [r.colors.map((c) => c.code), r.image?.id.slice(0, 1) ?? null]]));
    expect(byId).toEqual({ 'p-two': [['BLK', 'RED'], 'b'], 'p-default': [['BLK'], 'd'], 'p-none': [['BLK'], null] });
  });
});

describe('accessories and consent (7/8)', () => {
  const socks: Style = { ...style('acc-socks', 'running'), kind: 'socks', goesWith: ['running'], price: 3900 };
  const care: Style = { ...style('acc-care', 'casual'), kind: 'care' };
  const withAccessories: RecommendInput = {
    ...input,
    styles: [...styles, socks, care],
    stock: [...stock, line('acc-socks', 38, 20), line('acc-care', 38, 5)],
    popularity: new Map([['b-pop', 4], ['acc-socks', 9], ['r-plain', 1], ['z-retro', 1]]),
  };

  it('never suggests an accessory as a style, however it sells', () => {
    const ids = recommend(withAccessories).map((r) => r.styleId);
    expect(ids).not.toContain('acc-socks');
    expect(ids).not.toContain('acc-care');
    expect(ids.slice(0, 2)).toEqual(['r-new', 'r-plain']); // the consented ranking is unchanged by them
  });

  it('without personalisation consent: the store’s sellers in stock in any size, by sales then newness, no member data', () => {
    const optedOut = { ...withAccessories, member: { ...withAccessories.member, consents: OPTED_OUT } };
    const recs = recommend(optedOut);
    // b-pop (4 sales), then the 1-sale styles by newness (r-plain and z-retro both 60 days: by id),
    // then the new ones without sales: r-new (2 days) before c-arrival (20 days). r-owned is
    // included: the member's purchases are not read. k-nosize (only size 39) is in stock here: any size.
    expect(recs.map((r) => [r.styleId, r.score])).toEqual([
      ['b-pop', 4],
      ['r-plain', 1],
      ['z-retro', 1],
      ['r-new', 0],
      ['c-arrival', 0],
    ]);
    expect(recs.find((r) => r.styleId === 'r-new')!.reasons).toEqual([{ code: 'new_this_week' }]);
    expect(recs[0]!.reasons).toEqual([{ code: 'popular_in_store' }]);
    for (const r of recs) {
      expect(r.reasons.length).toBeGreaterThan(0);
      for (const reason of r.reasons) expect(['popular_in_store', 'new_this_week', 'new_arrival']).toContain(reason.code);
    }
    // The desk narrows to a size given for this visit from stockBySize: all sizes are there.
    expect(recs.find((r) => r.styleId === 'r-new')!.stockBySize).toEqual([
      { size: 37, qty: 2 },
      { size: 38, qty: 1 },
      { size: 39, qty: 0 },
    ]);
    // Whatever size, preferences or purchases the member has, the answer is the same.
    const other = recommend({ ...optedOut, member: { sizes: { eu: 45, cn: 275 }, preferences: ['kids'], consents: OPTED_OUT }, purchases: [] });
    expect(other).toEqual(recs);
  });

  it('without consent, a style that neither sold here nor is new is left out; one in stock only in another size is in', () => {
    const recs = recommend({
      ...input,
      member: { ...input.member, consents: OPTED_OUT },
      popularity: new Map([['k-nosize', 2]]),
    });
    expect(recs.map((r) => r.styleId)).toEqual(['k-nosize', 'r-new', 'c-arrival']);
  });

  it('without consent, the list kept with the catalog index is the list made afresh, at every newness boundary and after the popularity or pictures change', () => {
    const optedOut: RecommendInput = { ...input, member: { ...input.member, consents: OPTED_OUT } };
    const index = recommendIndex(styles, stock, 'here');
    // Every instant at which some style's newness changes, a millisecond either side, in an order
    // that goes back and forth (an arrival's `at` may be back-dated).
    const times = new Set<number>();
    for (const st of styles) for (const at of [st.releasedAt, st.releasedAt + 7 * DAY, st.releasedAt + 30 * DAY]) for (const d of [-1, 0, 1, 2]) times.add(at + d);
    const sorted = [...times].sort((a, b) => a - b);
    const order = [...sorted, ...sorted.reverse(), ...sorted.filter((_, i) => i % 3 === 0)];
    const popularities = [optedOut.popularity, new Map([['b-pop', 4], ['a-retro', 1]]), new Map<string, number>()];
    const picture = { id: 'a'.repeat(64), mime: 'image/png' as const, bytes: 1_000 };
    const images: RecommendInput['images'][] = [undefined, new Map([['r-new', new Map([['BLK', picture]])]])];
    // Each popularity and pictures in turn for the whole sweep (the kept list must follow the
    // clock), then all of them at one instant (it must follow what it was made from).
    let changed = 0;
    let last: unknown;
    for (const popularity of popularities) {
      for (const pictures of images) {
        for (const at of order) {
          const given = { ...optedOut, now: at, popularity, images: pictures };
          const kept = recommend({ ...given, index });
          expect(kept).toEqual(recommend(given)); // no index: made afresh every time
          if (last !== undefined && JSON.stringify(kept) !== last) changed++;
          last = JSON.stringify(kept);
        }
      }
    }
    expect(changed).toBeGreaterThan(20); // the sweep did move the list
    const atOnce = new Set<string>();
    // Popularity changing under the same pictures, and pictures under the same popularity.
    const combos = [
      ...images.flatMap((pictures) => popularities.map((popularity) => ({ popularity, pictures }))),
      ...popularities.flatMap((popularity) => images.map((pictures) => ({ popularity, pictures }))),
    ];
    for (const { popularity, pictures } of combos) {
      {
        const given = { ...optedOut, popularity, images: pictures };
        const kept = recommend({ ...given, index });
        expect(kept).toEqual(recommend(given));
        atOnce.add(JSON.stringify(kept));
      }
    }
    expect(atOnce.size).toBe(popularities.length * images.length); // each made a list of its own
    // A copy each time, of suggestions nothing can change in place.
    const a = recommend({ ...optedOut, index });
    const b = recommend({ ...optedOut, index });
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(0);
    expect(() => {
      (a[0] as { score: number }).score = 99;
    }).toThrow(TypeError);
    expect(() => (a[0]!.reasons as unknown[]).push({ code: 'new_this_week' })).toThrow(TypeError);
    a.pop();
    expect(recommend({ ...optedOut, index })).toEqual(b);
  });
});
