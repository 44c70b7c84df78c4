// The demo chain's accessories (7/8) and the simulated members' hidden taste for them. The catalog
// and stock are seeded with the rest of the demo chain (seed.ts); the taste is what the simulator
// (simulator.ts) and the offline evaluation (scripts/eval-suggestions.ts) use to decide whether a
// member takes an add-on offered at the counter.
//
// Invariants:
// - Deterministic: everything here comes from a Prng seeded by the demo seed (and the member's
//   number or id), never from Math.random, and from generators of its own, so adding accessories
//   left the shoes, members and purchases of a seed what they were.
// - The taste is hidden from HQ: nothing of it is stored; HQ sees only what a real chain would —
//   the members' stated preferences and purchases. It is made to be plausible, not to favour any
//   ranking: a member cares about accessories for the categories they shop (stated or bought) and
//   for a shoe bought lately, a little for anything, and less for a kind they bought lately.
import { type AccessoryKind, type Category, type Purchase, type StockLine, type Style } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';

const DAY = 24 * 60 * 60 * 1000;
const adultSizes = (from: number, to: number) => Array.from({ length: (to - from) * 2 + 1 }, (_, i) => from + i / 2);
/** A care kit has no size; its one stock line is kept under this nominal size (any size will do). */
export const CARE_KIT_SIZE = 40;

interface DemoAccessory {
  id: string;
  name: string;
  kind: AccessoryKind;
  goesWith: Category[];
  price: number;
  colors: Array<{ code: string; name: string }>;
  sizes: number[];
}

/** 篮球袜, 跑步袜, 缓震鞋垫, 小白鞋清洁套装 and a few more: what a sports-shoe chain sells at the till. */
export const DEMO_ACCESSORIES: readonly DemoAccessory[] = [
  { id: 'acc-socks-bb', name: '篮球袜 Elite Crew', kind: 'socks', goesWith: ['basketball'], price: 5900, colors: [{ code: 'WHT', name: '白色 White' }, { code: 'BLK', name: '黑色 Black' }], sizes: adultSizes(35, 46) },
  { id: 'acc-socks-run', name: '跑步袜 Run Light', kind: 'socks', goesWith: ['running'], price: 4900, colors: [{ code: 'GRY', name: '灰色 Grey' }, { code: 'BLK', name: '黑色 Black' }], sizes: adultSizes(35, 46) },
  { id: 'acc-socks-casual', name: '休闲短袜 Ankle 3-Pack', kind: 'socks', goesWith: ['casual', 'retro'], price: 3900, colors: [{ code: 'WHT', name: '白色 White' }, { code: 'BEI', name: '米色 Beige' }], sizes: adultSizes(35, 46) },
  { id: 'acc-insoles', name: '缓震鞋垫 Cushion Pro', kind: 'insoles', goesWith: ['running', 'basketball'], price: 12900, colors: [{ code: 'BLU', name: '蓝色 Blue' }], sizes: adultSizes(35, 46) },
  { id: 'acc-care', name: '小白鞋清洁套装 Sneaker Care Kit', kind: 'care', goesWith: ['casual', 'retro'], price: 8900, colors: [{ code: 'WHT', name: '白色 White' }], sizes: [CARE_KIT_SIZE] },
  { id: 'acc-socks-kids', name: '童袜 Kids Fun Socks', kind: 'socks', goesWith: ['kids'], price: 2900, colors: [{ code: 'PNK', name: '粉色 Pink' }, { code: 'BLU', name: '蓝色 Blue' }], sizes: Array.from({ length: 8 }, (_, k) => 28 + k) },
];

/** The accessories as catalog styles (on the shelves before any demo member joined: never "new", never bought before they existed). */
export function demoAccessoryStyles(now: number): Style[] {
  return DEMO_ACCESSORIES.map((a) => ({
    id: a.id,
    name: a.name,
    category: a.goesWith[0]!,
    price: a.price,
    colors: a.colors,
    sizes: a.sizes,
    releasedAt: now - 1600 * DAY,
    kind: a.kind,
    goesWith: a.goesWith,
  }));
}

/** Every store carries every accessory, with a few sizes sold out (as shelves are). */
export function demoAccessoryStock(seed: number, storeIds: readonly string[]): StockLine[] {
  const rng = new Prng((seed ^ 0x2c1b3c6d) >>> 0);
  const out: StockLine[] = [];
  for (const storeId of storeIds) {
    for (const a of DEMO_ACCESSORIES) {
      for (const color of a.colors) {
        for (const size of a.sizes) {
          // Whole sizes nearly always, half sizes mostly (socks run in whole sizes on many shelves).
          if (rng.chance(Number.isInteger(size) ? 0.92 : 0.75)) out.push({ storeId, styleId: a.id, color: color.code, size, qty: rng.int(2, 12) });
        }
      }
    }
  }
  return out;
}

/** The member's own generator for accessories: their earlier purchases of accessories, their taste. */
function memberRng(seed: number, memberId: string): Prng {
  let h = (seed ^ 0x7f4a7c15) >>> 0;
  for (let i = 0; i < memberId.length; i++) h = Math.imul(h ^ memberId.charCodeAt(i), 0x01000193) >>> 0;
  return new Prng(h);
}

/**
 * A few accessories the member bought before (one member in six), at the store of one of their shoe
 * purchases: so "a kind bought lately" happens in the demo and the offline evaluation.
 */
export function demoAccessoryPurchases(seed: number, member: { id: string; sizes: { eu: number } }, shoes: readonly Purchase[], now: number): Purchase[] {
  const rng = memberRng(seed, `${member.id}:bought`);
  if (shoes.length === 0 || !rng.chance(1 / 6)) return [];
  const shoe = rng.pick(shoes);
  const fits = DEMO_ACCESSORIES.filter((a) => a.goesWith.includes(shoe.category));
  if (fits.length === 0) return [];
  const a = rng.pick(fits);
  const size = a.kind === 'care' ? CARE_KIT_SIZE : member.sizes.eu;
  // Bought with the shoe or within a month after it (not in the future).
  const at = Math.min(now - 1, shoe.at + rng.int(0, 30) * DAY);
  return [{ id: `${shoe.id}-acc`, memberId: member.id, styleId: a.id, styleName: a.name, category: a.goesWith[0]!, color: rng.pick(a.colors).code, size, storeId: shoe.storeId, at, price: a.price }];
}

/** How much a member cares for accessories of each shoe category: a probability of taking one offered. */
export type AccessoryTaste = Record<Category, number>;

/**
 * The member's hidden taste: a small base for every category, more for categories they say they
 * like, a personal multiplier (some people never buy socks at the till), all from their own
 * generator. Purchases add to it at the counter (`takesAddOn`), not here.
 */
export function accessoryTaste(seed: number, member: { id: string; preferences: readonly Category[] }): AccessoryTaste {
  const rng = memberRng(seed, `${member.id}:taste`);
  const person = rng.weighted([
    [0.3, 30],
    [1, 50],
    [1.6, 20],
  ] as const);
  const taste = {} as AccessoryTaste;
  for (const c of ['running', 'basketball', 'retro', 'casual', 'kids'] as const) {
    const liked = member.preferences.includes(c) ? 0.18 + rng.next() * 0.12 : 0;
    taste[c] = Math.min(0.9, person * (0.04 + rng.next() * 0.04 + liked));
  }
  return taste;
}

/**
 * The probability that the member takes `accessory` offered today: the best of their taste for the
 * categories it goes with, more when they bought a shoe of such a category in the last 60 days
 * (new shoes want socks), much less when they bought the same kind in the last 90 days.
 */
export function addOnAcceptance(
  taste: AccessoryTaste,
  accessory: Pick<Style, 'kind' | 'category' | 'goesWith'>,
  purchases: readonly Pick<Purchase, 'category' | 'at' | 'styleId'>[],
  kindOf: (styleId: string) => string,
  now: number,
): number {
  const cats = accessory.goesWith && accessory.goesWith.length ? accessory.goesWith : [accessory.category];
  let p = Math.max(...cats.map((c) => taste[c]));
  const recentShoe = purchases.some((x) => now - x.at <= 60 * DAY && kindOf(x.styleId) === 'shoe' && cats.includes(x.category));
  if (recentShoe) p = Math.min(0.95, p + 0.2);
  const sameKind = purchases.some((x) => now - x.at <= 90 * DAY && kindOf(x.styleId) === accessory.kind);
  if (sameKind) p *= 0.25;
  return p;
}
