// Named seed data sets for tests, applied the way a chain's own systems load HQ: over the HTTP
// ingest routes with the integration key. Nothing here touches a database, so a set gives the same
// HQ on every storage adapter. A test names the set it needs (`TestHq.start({ seed: 'storesAB' })`)
// and may read the set's records (e.g. to re-send one member changed).
//
// Loading members over HTTP appends a `member.updated` event per member to its home store (as for a
// real integration), so a seeded store's log does not start at 0: tests that count positions count
// from `TestHq.position(storeId)` taken after seeding.
import { type z } from 'zod';
import { type IngestMember } from '../../hq/app/catalogIngest.ts';
import { type StockLine, type Store, type Style } from '../../shared/domain.ts';

export const DAY = 24 * 60 * 60 * 1000;

/** Store ids of the `nanjingSanlitun` sets. */
export const STORE_A = 'sh-nanjing';
export const STORE_B = 'bj-sanlitun';

/** A member as the ingest route takes it (full phone; defaults filled in by HQ). */
export type SeedMember = z.input<typeof IngestMember>;

/**
 * 7/8: the sets' members consented to personalised suggestions, so profiles rank for them (without
 * that consent HQ suggests the store's popular styles, PIPL Art. 24); a test of opting out, or of
 * the other purposes, sets `consents` itself.
 */
const PERSONALIZED = { marketing: false, personalization: true, contact: false } as const;

export interface SeedSet {
  stores: Store[];
  catalog: Style[];
  stock: StockLine[];
  members: SeedMember[];
}

/**
 * Two stores (上海南京路店 `sh-nanjing`, 北京三里屯店 `bj-sanlitun`), 30 gold members m1…m30 with
 * Chinese and English names (m1 张伟 / Zhang Wei, m2 王小明 / Wang Xiaoming; odd ones at home in
 * Shanghai, even ones in Beijing; card M0000001…, phone 1380000 1001…), two styles with stock.
 */
function nanjingSanlitun(now: number): SeedSet {
  const members: SeedMember[] = [];
  for (let i = 1; i <= 30; i++) {
    members.push({
      id: `m${i}`,
      code: `M${String(i).padStart(7, '0')}`,
      name: i === 1 ? '张伟' : i === 2 ? '王小明' : `会员${i}`,
      nameEn: i === 1 ? 'Zhang Wei' : i === 2 ? 'Wang Xiaoming' : `Member ${i}`,
      tier: 'gold',
      phone: `1380000${String(1000 + i)}`,
      homeStoreId: i % 2 ? STORE_A : STORE_B,
      sizes: { eu: 42, cn: 260 },
      preferences: ['running'],
      points: 10 * i,
      consents: PERSONALIZED,
    });
  }
  return {
    stores: [
      { id: STORE_A, name: '上海南京路店', city: '上海' },
      { id: STORE_B, name: '北京三里屯店', city: '北京' },
    ],
    catalog: [
      { id: 'st-run', name: 'Cloud Runner', category: 'running', price: 89900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40, 41, 42, 43], releasedAt: now - DAY },
      { id: 'st-retro', name: 'Court 84', category: 'retro', price: 69900, colors: [{ code: 'WHT', name: 'White' }], sizes: [38, 39, 40, 42], releasedAt: now - 30 * DAY },
    ],
    stock: [
      { storeId: STORE_A, styleId: 'st-run', color: 'BLK', size: 42, qty: 3 },
      { storeId: STORE_A, styleId: 'st-retro', color: 'WHT', size: 42, qty: 1 },
      { storeId: STORE_B, styleId: 'st-run', color: 'BLK', size: 40, qty: 2 },
    ],
    members,
  };
}

/** The cluster tests' chain: the same two stores, 20 gold members m1…m20, one style in stock. */
function nanjingSanlitunLean(now: number): SeedSet {
  const members: SeedMember[] = [];
  for (let i = 1; i <= 20; i++) {
    members.push({
      id: `m${i}`,
      code: `M${String(i).padStart(7, '0')}`,
      name: `会员${i}`,
      nameEn: `Member ${i}`,
      tier: 'gold',
      phone: `1380000${String(1000 + i)}`,
      homeStoreId: i % 2 ? STORE_A : STORE_B,
      sizes: { eu: 42, cn: 260 },
      preferences: ['running'],
      points: i,
      consents: PERSONALIZED,
    });
  }
  return {
    stores: [
      { id: STORE_A, name: '上海南京路店', city: '上海' },
      { id: STORE_B, name: '北京三里屯店', city: '北京' },
    ],
    catalog: [{ id: 'st-run', name: 'Cloud Runner', category: 'running', price: 89900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40, 41, 42], releasedAt: now - DAY }],
    stock: [{ storeId: STORE_A, styleId: 'st-run', color: 'BLK', size: 42, qty: 3 }],
    members,
  };
}

/**
 * Stores `store-a` (Store A, Shanghai) and `store-b` (Store B, Beijing); four basic members, two at
 * home in each (m1 王芳 M0001 and m2 李娜 M0002 at A, m3 张伟 M0003 and m4 刘洋 M0004 at B; phone
 * 1380000000n; joined 100 days ago); three styles s1 running, s2 casual, s3 retro, two of each in
 * size 38 black at both stores.
 */
function storesAB(now: number): SeedSet {
  const member = (id: string, code: string, name: string, phone: string, homeStoreId: string): SeedMember => ({
    id,
    code,
    name,
    nameEn: '',
    tier: 'basic',
    phone,
    homeStoreId,
    sizes: { eu: 38, cn: 240 },
    preferences: ['running'],
    points: 0,
    joinedAt: now - 100 * DAY,
    consents: PERSONALIZED,
  });
  const style = (id: string, category: Style['category']): Style => ({
    id,
    name: `Style ${id}`,
    category,
    price: 59900,
    colors: [{ code: 'BLK', name: 'Black' }],
    sizes: [37, 38, 39],
    releasedAt: now - 60 * DAY,
  });
  const catalog = [style('s1', 'running'), style('s2', 'casual'), style('s3', 'retro')];
  return {
    stores: [
      { id: 'store-a', name: 'Store A', city: 'Shanghai' },
      { id: 'store-b', name: 'Store B', city: 'Beijing' },
    ],
    catalog,
    stock: catalog.flatMap((st) => ['store-a', 'store-b'].map((storeId) => ({ storeId, styleId: st.id, color: 'BLK', size: 38, qty: 2 }))),
    members: [
      member('m1', 'M0001', '王芳', '13800000001', 'store-a'),
      member('m2', 'M0002', '李娜', '13800000002', 'store-a'),
      member('m3', 'M0003', '张伟', '13800000003', 'store-b'),
      member('m4', 'M0004', '刘洋', '13800000004', 'store-b'),
    ],
  };
}

export const SEEDS = { nanjingSanlitun, nanjingSanlitunLean, storesAB } satisfies Record<string, (now: number) => SeedSet>;
export type SeedName = keyof typeof SEEDS;

/** An ingest call: POST /v1/ingest/<path> with the integration key; rejects unless 2xx. */
export type Ingest = (path: string, body: unknown) => Promise<unknown>;

/**
 * Loads a set through the ingest routes, in the order an integration must (stores before what
 * refers to them). The routes answer 200 even when they refuse some items, so a refused item fails
 * here: a seed is all there or the test does not start.
 */
export async function applySeed(ingest: Ingest, set: SeedName | SeedSet, now = Date.now()): Promise<SeedSet> {
  const data = typeof set === 'string' ? SEEDS[set](now) : set;
  for (const [path, items] of [
    ['stores', data.stores],
    ['catalog', data.catalog],
    ['stock', data.stock],
    ['members', data.members],
  ] as const) {
    const report = (await ingest(path, items)) as { imported: number; rejected: number; errors: unknown[] };
    if (report.rejected !== 0) throw new Error(`seed: ingest ${path} refused ${report.rejected}: ${JSON.stringify(report.errors)}`);
  }
  return data;
}
