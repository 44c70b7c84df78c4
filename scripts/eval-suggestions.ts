// Offline evaluation of assisted selling (7/8): `npm run eval:suggest [-- --visits N --seed S]`.
//
// On the demo chain, seeded exactly as `npm start` seeds it (seedDemo with its defaults) into a
// temporary SQLite HQ:
//
// 1. Leave-last-out. For each member with at least two shoe purchases, the newest shoe purchase is
//    hidden; suggestions are computed as of the moment before it (newness and the store's 90-day
//    popularity at that time, the member's purchases before it), at the store where it was bought,
//    with HQ's own recommend(). A hit: the hidden style among the top 3. Compared with a popularity
//    baseline: that store's top sellers (same window) in stock in the member's size. Stock is
//    today's (the demo keeps no stock history); since the member bought the hidden style there, in
//    their size, that line is counted in stock for the case (for both rankings) — the cases where
//    today's stock lacks it are counted and printed. A member without personalisation consent gets
//    what HQ gives them (the store's popular styles), narrowed to their size as the clerk would.
// 2. Add-on acceptance. N visits of random home members at their store (seeded): each card's
//    add-on comes from HQ's ProfileBuilder (the code every arrival runs), and the member takes it or
//    not by their hidden taste (hq/demo/accessories.ts, the same as the demo simulator's). The
//    baseline offers a random accessory in stock at the store (in the member's size when sized) on
//    the same visits, with the same draw (common random numbers). Visits are independent: nothing
//    bought here is written back.
//
// Prints a table, then one JSON line with every figure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAccessory, type Purchase, type StockLine, type Style } from '../shared/domain.ts';
import { Prng } from '../shared/prng.ts';
import { startHq } from '../hq/server.ts';
import { seedDemo } from '../hq/demo/seed.ts';
import { accessoryTaste, addOnAcceptance } from '../hq/demo/accessories.ts';
import { recommend } from '../hq/app/recommend.ts';
import { ProfileBuilder } from '../hq/app/profiles.ts';
import { POPULARITY_WINDOW_MS } from '../hq/app/catalogCache.ts';
import { type MemberRecord } from '../hq/ports/store.ts';

const TOP = 3;
const DEMO_SEED = 20251124; // seedDemo's default, as `npm start` uses

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: give a number`);
  return n;
};
const visits = arg('visits', 2000);
const evalSeed = arg('seed', 7);

const dir = mkdtempSync(join(tmpdir(), 'footfall-eval-'));
const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
try {
  const seeded = await seedDemo(hq, {});
  const data = await hq.store.read(async (r) => {
    const stores = (await r.listStores()).map((s) => s.id);
    const styles = await r.listStyles();
    const stock = new Map<string, StockLine[]>();
    const members: MemberRecord[] = [];
    for (const id of stores) {
      stock.set(id, await r.stockForStore(id));
      members.push(...(await r.listHomeMembers(id)));
    }
    const purchases = new Map<string, Purchase[]>();
    for (const m of members) purchases.set(m.id, await r.purchasesOf(m.id, 500));
    return { stores, styles, stock, members, purchases };
  });
  const styleById = new Map(data.styles.map((s) => [s.id, s]));
  const isShoe = (styleId: string) => !isAccessory(styleById.get(styleId) ?? {});
  const leave = leaveLastOut(data, styleById, isShoe);
  const addOns = await addOnAcceptanceRun(data.stores, data.styles, data.purchases);

  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '—');
  const row = (cells: Array<string | number>) => console.log(cells.map((c, i) => String(c).padEnd(i === 0 ? 50 : 12)).join(''));
  console.log(`\nDemo chain: ${seeded.members} members, ${seeded.styles} shoe styles + accessories, ${data.stores.length} stores (seed ${DEMO_SEED})\n`);
  console.log(`Leave-last-out: the newest shoe purchase hidden, hit = it is in the top ${TOP}`);
  row(['', 'cases', 'hits', 'hit rate']);
  row(['Footfall (as HQ serves: consent respected)', leave.cases, leave.footfall, pct(leave.footfall, leave.cases)]);
  row(['  members who consented', leave.consentedCases, leave.footfallConsented, pct(leave.footfallConsented, leave.consentedCases)]);
  row(['  members who opted out (store popular)', leave.cases - leave.consentedCases, leave.footfall - leave.footfallConsented, pct(leave.footfall - leave.footfallConsented, leave.cases - leave.consentedCases)]);
  row(['Popularity baseline (store top sellers in size)', leave.cases, leave.popularity, pct(leave.popularity, leave.cases)]);
  row(['Popularity baseline, owned styles left out', leave.cases, leave.popularityNotOwned, pct(leave.popularityNotOwned, leave.cases)]);
  console.log(`  hidden style bought before by the same member (no ranking that leaves owned styles out can hit): ${leave.repeatBuys}`);
  console.log(`  hidden style not in today's stock in that size at that store (counted in stock for the case): ${leave.notInStockToday}\n`);
  console.log(`Add-on acceptance over ${visits} simulated visits (eval seed ${evalSeed})`);
  row(['', 'offered', 'taken', 'per offer', 'per visit']);
  row(['Footfall add-on (consented members only)', addOns.offered, addOns.taken, pct(addOns.taken, addOns.offered), pct(addOns.taken, visits)]);
  row(['Random in-stock accessory, same visits', addOns.offered, addOns.randomOnSame, pct(addOns.randomOnSame, addOns.offered), pct(addOns.randomOnSame, visits)]);
  row(['Random in-stock accessory, every visit', addOns.randomOffered, addOns.randomTaken, pct(addOns.randomTaken, addOns.randomOffered), pct(addOns.randomTaken, visits)]);
  console.log('');
  console.log(JSON.stringify({ demoSeed: DEMO_SEED, evalSeed, top: TOP, leaveLastOut: leave, addOns: { visits, ...addOns } }));
} finally {
  await hq.close();
  rmSync(dir, { recursive: true, force: true });
}

function leaveLastOut(
  data: { stores: string[]; styles: Style[]; stock: Map<string, StockLine[]>; members: MemberRecord[]; purchases: Map<string, Purchase[]> },
  styleById: Map<string, Style>,
  isShoe: (styleId: string) => boolean,
) {
  // Every store's purchases, oldest first: the popularity as of any moment.
  const storeSales = new Map<string, Purchase[]>();
  for (const list of data.purchases.values()) for (const p of list) storeSales.set(p.storeId, [...(storeSales.get(p.storeId) ?? []), p]);
  for (const list of storeSales.values()) list.sort((a, b) => a.at - b.at);
  const popularityAt = (storeId: string, at: number, hiddenId: string) => {
    const counts = new Map<string, number>();
    for (const p of storeSales.get(storeId) ?? []) {
      if (p.at >= at) break;
      if (p.at >= at - POPULARITY_WINDOW_MS && p.id !== hiddenId) counts.set(p.styleId, (counts.get(p.styleId) ?? 0) + 1);
    }
    return counts;
  };

  const out = { cases: 0, consentedCases: 0, footfall: 0, footfallConsented: 0, popularity: 0, popularityNotOwned: 0, repeatBuys: 0, notInStockToday: 0 };
  for (const member of data.members) {
    const all = [...(data.purchases.get(member.id) ?? [])].sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
    const shoes = all.filter((p) => isShoe(p.styleId));
    if (shoes.length < 2) continue;
    const hidden = shoes[0]!;
    const history = all.filter((p) => p.at < hidden.at);
    const now = hidden.at - 1;
    const storeId = hidden.storeId;
    const size = member.sizes.eu;
    let stock = data.stock.get(storeId) ?? [];
    if (!stock.some((l) => l.styleId === hidden.styleId && l.size === hidden.size && l.qty > 0)) {
      out.notInStockToday++;
      const color = styleById.get(hidden.styleId)?.colors[0]?.code ?? hidden.color;
      stock = [...stock, { storeId, styleId: hidden.styleId, color, size: hidden.size, qty: 1 }];
    }
    const popularity = popularityAt(storeId, hidden.at, hidden.id);
    if (history.some((p) => p.styleId === hidden.styleId)) out.repeatBuys++;

    // Footfall: HQ's recommend(); an opted-out member's list is narrowed to their size, as the clerk would.
    const recs = recommend({ member, purchases: history, styles: data.styles, storeId, stock, popularity, now });
    const inSize = member.consents.personalization ? recs : recs.filter((r) => r.stockBySize.some((s) => s.size === size && s.qty > 0));
    const hit = inSize.slice(0, TOP).some((r) => r.styleId === hidden.styleId);
    out.cases++;
    if (hit) out.footfall++;
    if (member.consents.personalization) {
      out.consentedCases++;
      if (hit) out.footfallConsented++;
    }

    // Popularity baseline: the store's top sellers in stock in the member's size, then newest, then id.
    const owned = new Set(history.map((p) => p.styleId));
    const ranked = data.styles
      .filter((s) => !isAccessory(s) && stock.some((l) => l.styleId === s.id && l.size === size && l.qty > 0))
      .sort((a, b) => (popularity.get(b.id) ?? 0) - (popularity.get(a.id) ?? 0) || b.releasedAt - a.releasedAt || (a.id < b.id ? -1 : 1));
    if (ranked.slice(0, TOP).some((s) => s.id === hidden.styleId)) out.popularity++;
    if (ranked.filter((s) => !owned.has(s.id)).slice(0, TOP).some((s) => s.id === hidden.styleId)) out.popularityNotOwned++;
  }
  return out;
}

async function addOnAcceptanceRun(stores: string[], styles: Style[], purchases: Map<string, Purchase[]>) {
  const rng = new Prng(evalSeed);
  const kinds = new Map(styles.map((s) => [s.id, s.kind ?? 'shoe']));
  const kindOf = (id: string) => kinds.get(id) ?? 'shoe';
  const accessories = styles.filter((s) => isAccessory(s));
  const out = { offered: 0, taken: 0, randomOnSame: 0, randomOffered: 0, randomTaken: 0 };
  const now = Date.now();
  await hq.store.read(async (r) => {
    const builders = new Map<string, ProfileBuilder>();
    const homeMembers = new Map<string, MemberRecord[]>();
    for (const id of stores) {
      builders.set(id, await ProfileBuilder.load(r, id, now));
      homeMembers.set(id, await r.listHomeMembers(id));
    }
    const stock = new Map<string, StockLine[]>();
    for (const id of stores) stock.set(id, await r.stockForStore(id));
    for (let v = 0; v < visits; v++) {
      const storeId = rng.pick(stores);
      const member = rng.pick(homeMembers.get(storeId)!);
      const draw = rng.next();
      const history = purchases.get(member.id) ?? [];
      const taste = accessoryTaste(DEMO_SEED, member);
      const takes = (acc: Style) => draw < addOnAcceptance(taste, acc, history, kindOf, now);

      // The random baseline: any accessory this store can hand over in the member's size (care kits: any).
      const handy = accessories.filter((a) =>
        (stock.get(storeId) ?? []).some((l) => l.styleId === a.id && l.qty > 0 && (a.kind === 'care' || l.size === member.sizes.eu)),
      );
      const random = handy.length ? handy[Math.floor(rng.next() * handy.length)]! : null;
      if (random) {
        out.randomOffered++;
        if (takes(random)) out.randomTaken++;
      }

      const addOn = (await builders.get(storeId)!.profile(member)).next?.addOn;
      if (!addOn) continue;
      out.offered++;
      if (takes(accessories.find((a) => a.id === addOn.styleId)!)) out.taken++;
      if (random && takes(random)) out.randomOnSame++;
    }
  });
  return out;
}
