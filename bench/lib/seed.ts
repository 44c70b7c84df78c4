// A synthetic chain for benchmarks, written straight to HQ's store in one transaction (no events,
// like the demo seed): `stores` stores, `membersPerStore` members homed at each, a shared catalog
// with per-store stock, a few purchases per member, and `desksPerStore` enrolled devices per store
// whose tokens are deterministic (`benchToken(store, desk)`) so load generators can derive them.
import { type Purchase, type Style } from '../../shared/domain.ts';
import { Prng } from '../../shared/prng.ts';
import { type HqStore, type MemberRecord } from '../../hq/ports/store.ts';
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
  };
}

export async function seedBenchChain(store: HqStore, o: BenchChainOptions): Promise<BenchChain> {
  const rng = new Prng(o.seed ?? 4242);
  const now = Date.now();
  const storeIds = Array.from({ length: o.stores }, (_, i) => benchStoreId(i));
  await store.withTx(async (s) => {
    for (const [i, id] of storeIds.entries()) await s.upsertStore({ id, name: `基准门店 ${i}`, city: '上海' }, newEpoch());
    const styles: Style[] = [];
    for (let i = 0; i < (o.styles ?? 60); i++) {
      const style: Style = {
        id: `bst-${i}`,
        name: `Bench Runner ${i}`,
        category: CATEGORIES[i % CATEGORIES.length]!,
        price: rng.int(39, 139) * 1000 - 100,
        colors: rng.shuffle(COLORS).slice(0, 2),
        sizes: Array.from({ length: 12 }, (_, k) => 35 + k),
        releasedAt: now - rng.int(0, 400) * DAY,
      };
      styles.push(style);
      await s.upsertStyle(style);
    }
    for (const storeId of storeIds) {
      for (const style of styles) {
        if (!rng.chance(0.85)) continue;
        for (const color of style.colors)
          for (const size of style.sizes) if (rng.chance(0.65)) await s.setStock({ storeId, styleId: style.id, color: color.code, size, qty: rng.int(1, 6) });
      }
    }
    for (const [si, storeId] of storeIds.entries()) {
      for (let m = 0; m < o.membersPerStore; m++) {
        const member = benchMember(rng, `bm-${si}-${m}`, benchMemberCode(si, m), storeId, now);
        await s.upsertMember(member);
        const purchases = rng.int(0, 3);
        for (let p = 0; p < purchases; p++) {
          const style = rng.pick(styles);
          const purchase: Purchase = {
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
          };
          await s.upsertPurchase(purchase);
        }
      }
      for (let d = 0; d < o.desksPerStore; d++) {
        await s.createDevice(
          { id: `bd-${si}-${d}`, storeId, name: `Counter ${d + 1}`, createdAt: now, revokedAt: null, ackedSeq: 0 },
          sha256(benchToken(si, d)),
        );
      }
    }
  });
  return { storeIds, membersPerStore: o.membersPerStore, desksPerStore: o.desksPerStore };
}
