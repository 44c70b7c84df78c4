// A synthetic chain for benchmarks, written straight to HQ's store in one transaction (no events,
// like the demo seed): `stores` stores, `membersPerStore` members homed at each, a shared catalog
// with per-store stock, a few purchases per member, and `desksPerStore` enrolled devices per store
// whose tokens are deterministic (`benchToken(store, desk)`) so load generators can derive them.
// SQLite is seeded through the store port; PostgreSQL with bulk INSERTs (seedBenchChainPg), the
// same rows.
import { type Purchase, type StockLine, type Style } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import { type DeviceRecord, type HqStore, type MemberRecord } from '../../hq/ports/store.ts';
import { newEpoch, sha256 } from '../../hq/app/tokens.ts';

export interface BenchChainOptions {
  stores: number;
  membersPerStore: number;
  desksPerStore: number;
  styles?: number;
  seed?: number;
}

export interface BenchChain {
  storeIds: string[];
  membersPerStore: number;
  desksPerStore: number;
}

const DAY = 86_400_000;
const CATEGORIES = ['running', 'basketball', 'retro', 'casual'] as const;
const TIERS = ['basic', 'basic', 'basic', 'silver', 'silver', 'gold', 'platinum'] as const;
const COLORS = [
  { code: 'BLK', name: '黑色' },
  { code: 'WHT', name: '白色' },
  { code: 'GRY', name: '灰色' },
  { code: 'RED', name: '红色' },
];
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力飞鹏宇浩凯俊晨欣怡婷雪梅兰'];
const PINYIN_LAST = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu'];
const PINYIN_FIRST = ['Wei', 'Fang', 'Na', 'Min', 'Jing', 'Li', 'Qiang', 'Lei', 'Jun', 'Yang', 'Yong', 'Yan', 'Jie', 'Juan', 'Tao'];

export const benchStoreId = (i: number) => `bs-${String(i).padStart(4, '0')}`;
export const benchMemberCode = (store: number, m: number) => `B${String(store).padStart(4, '0')}${String(m).padStart(6, '0')}`;
export const benchToken = (store: number, desk: number) => `bench-token-${store}-${desk}`;

/** A plausible member (Chinese name + pinyin, phone, sizes, preferences). */
export function benchMember(rng: Prng, id: string, code: string, homeStoreId: string, now: number): MemberRecord {
  const surname = rng.int(0, SURNAMES.length - 1);
  const name = SURNAMES[surname]! + rng.pick(GIVEN) + (rng.chance(0.6) ? rng.pick(GIVEN) : '');
  const eu = rng.int(35, 45);
  return {
    id,
    code,
    name,
    nameEn: `${rng.pick(PINYIN_FIRST)} ${PINYIN_LAST[surname % PINYIN_LAST.length]}`,
    tier: rng.pick(TIERS),
    phone: `1${rng.pick(['3', '5', '7', '8', '9'])}${String(rng.int(0, 999_999_999)).padStart(9, '0')}`,
    homeStoreId,
    sizes: { eu, cn: (eu + 10) * 5 },
    preferences: rng.chance(0.5) ? [rng.pick(CATEGORIES)] : [],
    points: rng.int(0, 20_000),
    joinedAt: now - rng.int(10, 1500) * DAY,
    updatedAt: now,
    birthday: null,
    consents: { marketing: false, personalization: true, contact: false },
  };
}

/** Every row of a bench chain, generated in a fixed order from the seed (the same chain for any store). */
export interface BenchChainRows {
  stores: { id: string; name: string; city: string }[];
  styles: Style[];
  stock: StockLine[];
  members: MemberRecord[];
  purchases: Purchase[];
  devices: { record: DeviceRecord; tokenHash: string }[];
}

export function benchChainRows(o: BenchChainOptions, now = Date.now()): BenchChainRows {
  const rng = new Prng(o.seed ?? 4242);
  const rows: BenchChainRows = { stores: [], styles: [], stock: [], members: [], purchases: [], devices: [] };
  const storeIds = Array.from({ length: o.stores }, (_, i) => benchStoreId(i));
  for (const [i, id] of storeIds.entries()) rows.stores.push({ id, name: `基准门店 ${i}`, city: '上海' });
  for (let i = 0; i < (o.styles ?? 60); i++) {
    rows.styles.push({
      id: `bst-${i}`,
      name: `Bench Runner ${i}`,
      category: CATEGORIES[i % CATEGORIES.length]!,
      price: rng.int(39, 139) * 1000 - 100,
      colors: rng.shuffle(COLORS).slice(0, 2),
      sizes: Array.from({ length: 12 }, (_, k) => 35 + k),
      releasedAt: now - rng.int(0, 400) * DAY,
    });
  }
  for (const storeId of storeIds) {
    for (const style of rows.styles) {
      if (!rng.chance(0.85)) continue;
      for (const color of style.colors)
        for (const size of style.sizes) if (rng.chance(0.65)) rows.stock.push({ storeId, styleId: style.id, color: color.code, size, qty: rng.int(1, 6) });
    }
  }
  for (const [si, storeId] of storeIds.entries()) {
    for (let m = 0; m < o.membersPerStore; m++) {
      const member = benchMember(rng, `bm-${si}-${m}`, benchMemberCode(si, m), storeId, now);
      rows.members.push(member);
      const purchases = rng.int(0, 3);
      for (let p = 0; p < purchases; p++) {
        const style = rng.pick(rows.styles);
        rows.purchases.push({
          id: `${member.id}-p${p}`,
          memberId: member.id,
          styleId: style.id,
          styleName: style.name,
          category: style.category,
          color: style.colors[0]!.code,
          size: member.sizes.eu,
          storeId,
          at: now - rng.int(1, 700) * DAY,
          price: style.price,
        });
      }
    }
    for (let d = 0; d < o.desksPerStore; d++) {
      rows.devices.push({
        record: { id: `bd-${si}-${d}`, storeId, name: `Counter ${d + 1}`, createdAt: now, revokedAt: null, ackedSeq: 0 },
        tokenHash: sha256(benchToken(si, d)),
      });
    }
  }
  return rows;
}

/** Seeds through the store port, one statement per row (SQLite: fast; PostgreSQL: see seedBenchChainPg). */
export async function seedBenchChain(store: HqStore, o: BenchChainOptions): Promise<BenchChain> {
  const rows = benchChainRows(o);
  await store.withTx(async (s) => {
    for (const st of rows.stores) await s.upsertStore(st, newEpoch());
    for (const style of rows.styles) await s.upsertStyle(style);
    for (const line of rows.stock) await s.setStock(line);
    for (const member of rows.members) await s.upsertMember(member);
    for (const purchase of rows.purchases) await s.upsertPurchase(purchase);
    for (const d of rows.devices) await s.createDevice(d.record, d.tokenHash);
  });
  return { storeIds: rows.stores.map((s) => s.id), membersPerStore: o.membersPerStore, desksPerStore: o.desksPerStore };
}

/** The part of a pg.Pool the bulk seed needs (bench code does not depend on the driver's types). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/**
 * The same chain written to a migrated PostgreSQL schema with one multi-row INSERT per table and
 * 10,000 rows (unnest of arrays): through the port, one round trip per row takes ~130 µs, i.e.
 * over a minute for 500 stores' ~400,000 stock lines. The columns are the adapter's
 * (hq/adapters/postgres/migrations.ts); the JSON columns hold what pgOps writes (JSON.stringify).
 */
export async function seedBenchChainPg(client: PgQueryable, o: BenchChainOptions): Promise<BenchChain> {
  const rows = benchChainRows(o);
  const insert = async <R>(table: string, cols: string[], types: string[], list: R[], values: (r: R) => unknown[]) => {
    for (let i = 0; i < list.length; i += 10_000) {
      const chunk = list.slice(i, i + 10_000).map(values);
      const arrays = cols.map((_, c) => chunk.map((r) => r[c]));
      const unnest = types.map((t, c) => `$${c + 1}::${t}[]`).join(', ');
      await client.query(`INSERT INTO ${table} (${cols.join(', ')}) SELECT * FROM unnest(${unnest})`, arrays);
    }
  };
  await client.query('BEGIN');
  try {
    await insert('stores', ['id', 'name', 'city', 'epoch', 'head'], ['text', 'text', 'text', 'text', 'bigint'], rows.stores, (s) => [s.id, s.name, s.city, newEpoch(), 0]);
    await insert(
      'styles',
      ['id', 'name', 'category', 'price', 'colors', 'sizes', 'released_at'],
      ['text', 'text', 'text', 'bigint', 'text', 'text', 'bigint'],
      rows.styles,
      (s) => [s.id, s.name, s.category, s.price, JSON.stringify(s.colors), JSON.stringify(s.sizes), s.releasedAt],
    );
    await insert('stock', ['store_id', 'style_id', 'color', 'size', 'qty'], ['text', 'text', 'text', 'float8', 'bigint'], rows.stock, (l) => [l.storeId, l.styleId, l.color, l.size, l.qty]);
    await insert(
      'members',
      ['id', 'code', 'name', 'name_en', 'tier', 'phone', 'home_store_id', 'size_eu', 'size_cn', 'preferences', 'points', 'joined_at', 'updated_at', 'birthday', 'consents'],
      ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'float8', 'bigint', 'text', 'bigint', 'bigint', 'bigint', 'text', 'text'],
      rows.members,
      // birthday and consents as pgOps writes them: without them every member read as refusing
      // personalisation, so the PostgreSQL node's cards were the store's popular shoes, not ranked
      // for the member — less work and smaller frames than the SQLite node's (round 34)
      (m) => [m.id, m.code, m.name, m.nameEn, m.tier, m.phone, m.homeStoreId, m.sizes.eu, m.sizes.cn, JSON.stringify(m.preferences), m.points, m.joinedAt, m.updatedAt, m.birthday ?? null, JSON.stringify(m.consents ?? {})],
    );
    await insert(
      'purchases',
      ['id', 'member_id', 'style_id', 'style_name', 'category', 'color', 'size', 'store_id', 'at', 'price'],
      ['text', 'text', 'text', 'text', 'text', 'text', 'float8', 'text', 'bigint', 'bigint'],
      rows.purchases,
      (p) => [p.id, p.memberId, p.styleId, p.styleName, p.category, p.color, p.size, p.storeId, p.at, p.price],
    );
    await insert(
      'devices',
      ['id', 'store_id', 'name', 'token_hash', 'created_at'],
      ['text', 'text', 'text', 'text', 'bigint'],
      rows.devices,
      (d) => [d.record.id, d.record.storeId, d.record.name, d.tokenHash, d.record.createdAt],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  // Fresh tables: give the planner their sizes before the first arrival.
  await client.query('ANALYZE stores, styles, stock, members, purchases, devices');
  return { storeIds: rows.stores.map((s) => s.id), membersPerStore: o.membersPerStore, desksPerStore: o.desksPerStore };
}
