// The demo chain: three stores, ~2,000 members, ~150 styles and per-store stock with gaps, made
// from a seeded PRNG so every run shows the same people and shoes. Written straight to the store in
// one transaction (no events: desks load it with their first snapshot), and skipped when the
// database was already seeded. The demo clerks go through the clerk use case (see clerks.ts).
import { type Category, isAccessory, type Purchase, type Style, type StyleImageRef, type Tier } from '../../shared/domain.ts';
import { pictureRef } from '../app/pictures/stylePictures.ts';
import { DEFAULT_COLOR, type StyleImageRecord } from '../ports/styleImageStore.ts';
import { drawStylePicture } from './stylePictures.ts';
import { type HqHandle } from '../server.ts';
import { type MemberRecord } from '../ports/store.ts';
import { newEpoch } from '../app/tokens.ts';
import { COLORWAYS, demoName, STYLE_WORDS } from './names.ts';
import { seedDemoClerks } from './clerks.ts';
import { Prng } from '../../shared/prng.ts';
import { sweepBirthdays } from '../app/tasks/system.ts';
import { demoAccessoryPurchases, demoAccessoryStock, demoAccessoryStyles } from './accessories.ts';

/**
 * The simulator walks a member in every few seconds and nobody serves most of them: a short wait
 * (15 minutes, and closing at 22:00) keeps the demo's queue the size of a real store's.
 */
const DEMO_SETTINGS = { unservedAfterMin: 15, closesAt: '22:00', utcOffsetMin: 480, opensAt: '10:00', assistant: true }; // 7/8 assistant: opensAt, assistant

export const DEMO_STORES = [
  { id: 'sh-nanjing', name: '上海南京西路店', city: '上海', settings: DEMO_SETTINGS },
  { id: 'bj-sanlitun', name: '北京三里屯店', city: '北京', settings: DEMO_SETTINGS },
  { id: 'sz-mixc', name: '深圳万象城店', city: '深圳', settings: DEMO_SETTINGS },
] as const;

export interface SeedOptions {
  stores?: number;
  members?: number;
  styles?: number;
  seed?: number;
}

export interface SeedResult {
  seeded: boolean;
  stores: string[];
  members: number;
  /** Shoe styles (the accessories come on top: accessories.ts). */
  styles: number;
}

const DAY = 24 * 60 * 60 * 1000;
const SEEDED_KEY = 'demo_seeded';
const CATEGORIES: readonly (readonly [Category, number])[] = [
  ['running', 30],
  ['basketball', 20],
  ['retro', 20],
  ['casual', 20],
  ['kids', 10],
];
const TIERS: readonly (readonly [Tier, number])[] = [
  ['basic', 60],
  ['silver', 25],
  ['gold', 11],
  ['platinum', 4],
];

/** EU size → Chinese size in mm of foot length: (EU + 10) × 5, e.g. 38 → 240. */
export const euToCn = (eu: number) => Math.round((eu + 10) * 5);

/** A purchase time in [earliest, now), leaning recent (most demo purchases are within the last year). */
export function purchaseTime(rng: Prng, earliest: number, now: number): number {
  const span = Math.max(0, now - earliest);
  return Math.min(now - 1, earliest + Math.floor(span * Math.sqrt(rng.next())));
}

/**
 * The demo pictures of a style: its category drawn in each of its colourways, and its first
 * colourway's as the style's default. Drawn once per category and colour (at most 5 × 10 drawings
 * for the whole chain, however many styles), so `npm start`'s first seed stays quick.
 */
const drawn = new Map<string, { ref: StyleImageRef; data: Buffer }>();
function demoPictures(style: Style, now: number): StyleImageRecord[] {
  const of = (code: string) => {
    const key = `${style.category}|${code}`;
    let pic = drawn.get(key);
    if (!pic) {
      const data = drawStylePicture(style.category, code);
      drawn.set(key, (pic = { ref: pictureRef(data), data }));
    }
    return pic;
  };
  const record = (color: string, code: string): StyleImageRecord => ({ ...of(code).ref, styleId: style.id, color, data: of(code).data, updatedAt: now });
  return [record(DEFAULT_COLOR, style.colors[0]!.code), ...style.colors.map((c) => record(c.code, c.code))];
}

const adultSizes = (from: number, to: number) => Array.from({ length: (to - from) * 2 + 1 }, (_, i) => from + i / 2);

export async function seedDemo(handle: HqHandle, options: SeedOptions = {}): Promise<SeedResult> {
  const storeCount = Math.min(options.stores ?? 3, DEMO_STORES.length);
  const memberCount = options.members ?? 2000;
  const styleCount = options.styles ?? 150;
  const rng = new Prng(options.seed ?? 20251124);
  const stores = DEMO_STORES.slice(0, storeCount);
  const storeIds = stores.map((x) => x.id);

  const now = Date.now();
  // The "already seeded" check is in the seeding transaction, so two nodes starting at once seed once.
  const seeded = await handle.store.withTx(async (s) => {
    if (await s.getMeta(SEEDED_KEY)) return false;
    for (const store of stores) if (!(await s.getStore(store.id))) await s.upsertStore(store, newEpoch());

    const styles: Style[] = [];
    const perCategory = new Map<Category, number>();
    for (let i = 0; i < styleCount; i++) {
      const category = rng.weighted(CATEGORIES);
      const n = (perCategory.get(category) ?? 0) + 1;
      perCategory.set(category, n);
      const [zh, en] = rng.pick(STYLE_WORDS[category]);
      const colorCount = rng.int(2, 4);
      const colors = rng.shuffle(COLORWAYS).slice(0, colorCount);
      const kids = category === 'kids';
      const ageRoll = rng.next();
      const releasedDaysAgo = ageRoll < 0.08 ? rng.int(0, 6) : ageRoll < 0.2 ? rng.int(8, 29) : rng.int(31, 720);
      const style: Style = {
        id: `st-${String(i + 1).padStart(3, '0')}`,
        name: `${zh} ${en} ${n}`,
        category,
        price: kids ? rng.int(19, 59) * 1000 - 100 : rng.int(39, 139) * 1000 - 100,
        colors,
        sizes: kids ? Array.from({ length: 8 }, (_, k) => 28 + k) : adultSizes(35, 46),
        releasedAt: now - releasedDaysAgo * DAY - rng.int(0, DAY - 1),
      };
      styles.push(style);
      await s.upsertStyle(style);
      for (const pic of demoPictures(style, now)) await s.styleImages.put(pic); // part E: no rng call, the seed's data stay the same
    }

    // Stock: each store carries most styles, with holes in colors and sizes like a real shelf.
    for (const store of stores) {
      for (const style of styles) {
        if (!rng.chance(0.85)) continue;
        for (const color of style.colors) {
          for (const size of style.sizes) {
            if (rng.chance(0.65)) await s.setStock({ storeId: store.id, styleId: style.id, color: color.code, size, qty: rng.int(1, 6) });
          }
        }
      }
    }

    const adultStyles = styles.filter((x) => x.category !== 'kids');
    const shoesBought: Array<{ member: MemberRecord; purchases: Purchase[] }> = [];
    for (let i = 0; i < memberCount; i++) {
      const { name, nameEn } = demoName(rng);
      const home = rng.pick(stores).id;
      // Roughly half smaller feet (35–39.5) and half larger (39–46), mostly whole sizes.
      const base = rng.chance(0.5) ? rng.int(35, 39) : rng.int(39, 45);
      const eu = Math.min(46, Math.max(34, base + (rng.chance(0.2) ? 0.5 : 0)));
      const prefs: Category[] = [];
      const prefCount = rng.weighted([
        [0, 40],
        [1, 40],
        [2, 20],
      ] as const);
      while (prefs.length < prefCount) {
        const c = rng.weighted(CATEGORIES.filter(([c]) => c !== 'kids'));
        if (!prefs.includes(c)) prefs.push(c);
      }
      const joinedAt = now - rng.int(10, 1500) * DAY;
      const phone = `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
      const member: MemberRecord = {
        id: `mem-${String(i + 1).padStart(5, '0')}`,
        code: `M${String(100000 + i + 1)}`,
        name,
        nameEn,
        tier: rng.weighted(TIERS),
        phone,
        homeStoreId: home,
        sizes: { eu, cn: euToCn(eu) },
        preferences: prefs,
        points: rng.int(0, 20000),
        joinedAt,
        updatedAt: now,
        ...demoBirthdayAndConsents(options.seed ?? 20251124, i, now),
      };
      await s.upsertMember(member);
      const bought: Purchase[] = [];
      shoesBought.push({ member, purchases: bought });
      const purchaseCount = rng.int(0, 8);
      for (let p = 0; p < purchaseCount; p++) {
        // Members lean toward what they say they like.
        const pool = prefs.length && rng.chance(0.6) ? adultStyles.filter((x) => prefs.includes(x.category)) : adultStyles;
        const style = rng.pick(pool.length ? pool : adultStyles);
        const purchase: Purchase = {
          id: `${member.id}-p${p + 1}`,
          memberId: member.id,
          styleId: style.id,
          styleName: style.name,
          category: style.category,
          color: rng.pick(style.colors).code,
          size: eu,
          storeId: rng.chance(0.8) ? home : rng.pick(stores).id,
          // Bought after the style came out and after the member joined: a true story, where a
          // "new arrival" is never something the member already bought before it existed.
          at: purchaseTime(rng, Math.max(joinedAt, style.releasedAt), now),
          price: style.price - (rng.chance(0.3) ? rng.int(1, 10) * 1000 : 0),
        };
        await s.upsertPurchase(purchase);
        bought.push(purchase);
      }
    }
    // 7/8: accessories (socks, insoles, a care kit) in every store, and some members' earlier
    // accessory purchases, from generators of their own (accessories.ts): the rest stays as it was.
    const seed = options.seed ?? 20251124;
    for (const style of demoAccessoryStyles(now)) await s.upsertStyle(style);
    for (const line of demoAccessoryStock(seed, storeIds)) await s.setStock(line);
    for (const { member, purchases } of shoesBought) for (const p of demoAccessoryPurchases(seed, member, purchases, now)) await s.upsertPurchase(p);
    await s.catalogChanged(null); // the styles, every store's stock and purchases
    await s.setMeta(SEEDED_KEY, String(now));
    return true;
  });
  await seedDemoClerks(handle.eventLog, storeIds);
  // Follow-ups of the birthday week at once, not at the first hourly sweep (part D).
  await sweepBirthdays(handle.eventLog);
  if (seeded) return { seeded: true, stores: storeIds, members: memberCount, styles: styleCount };
  const [members, styles] = await handle.store.read(async (r) => [await r.countMembers(), (await r.listStyles()).filter((st) => !isAccessory(st)).length] as const);
  return { seeded: false, stores: storeIds, members, styles };
}

/**
 * A member's birthday and consents, from their own generator (seeded by the member's number) so
 * the rest of the demo stays what it was. About one member in 25 has a birthday within the coming
 * week, so the birthday cues show up in a demo; a few members gave no birthday at all.
 */
function demoBirthdayAndConsents(seed: number, i: number, now: number): Pick<MemberRecord, 'birthday' | 'consents'> {
  const rng = new Prng(((seed ^ 0x5bd1e995) + i * 7919) >>> 0);
  let birthday: string | null = null;
  if (rng.chance(0.04)) {
    const d = new Date(now + rng.int(0, 6) * DAY);
    birthday = `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  } else if (rng.chance(0.9)) {
    birthday = `${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  }
  return { birthday, consents: { marketing: rng.chance(0.6), personalization: rng.chance(0.8), contact: rng.chance(0.7) } };
}
