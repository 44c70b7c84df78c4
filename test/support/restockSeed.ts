// The restock tests' chain (7/8): two stores, a new running shoe with no stock yet, an older one
// bought before, running socks (an accessory), and members r1…r9 each of whom a filter of the
// restock match keeps in or out (see each line's comment).
import { DAY, type SeedMember, type SeedSet, STORE_A, STORE_B } from './seeds.ts';

const BOTH = { marketing: false, personalization: true, contact: true };
const member = (id: string, over: Partial<SeedMember> = {}): SeedMember => ({
  id,
  code: `C-${id}`,
  name: `会员${id}`,
  tier: 'gold',
  phone: '',
  homeStoreId: STORE_A,
  sizes: { eu: 40, cn: 250 },
  preferences: ['running'],
  points: 0,
  consents: BOTH,
  ...over,
});

export function restockSeed(now: number): SeedSet {
  const bought = (id: string, styleId: string, category: 'running' | 'retro') => ({ id, styleId, styleName: styleId, category, color: 'BLK', size: 40, storeId: STORE_A, at: now - 30 * DAY, price: 50000 });
  return {
    stores: [
      { id: STORE_A, name: '上海南京路店', city: '上海' },
      { id: STORE_B, name: '北京三里屯店', city: '北京' },
    ],
    catalog: [
      { id: 'st-new', name: 'Cloud Runner 2', category: 'running', price: 89900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [39, 40, 41], releasedAt: now - DAY },
      { id: 'st-old', name: 'Cloud Runner', category: 'running', price: 79900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40], releasedAt: now - 300 * DAY },
      { id: 'sock-run', name: 'Run Socks', category: 'running', kind: 'socks', price: 5900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40], releasedAt: now - DAY },
    ],
    stock: [],
    members: [
      member('r1'), // preference, home here, never seen
      member('r2', { tier: 'platinum', preferences: [], purchases: [bought('p-r2', 'st-old', 'running')] }), // bought the category
      member('r3', { consents: { marketing: true, personalization: true, contact: false } }), // no contact consent
      member('r4', { consents: { marketing: true, personalization: false, contact: true } }), // no personalisation consent
      member('r5', { sizes: { eu: 41, cn: 255 } }), // another size
      member('r6', { purchases: [bought('p-r6', 'st-new', 'running')] }), // owns the style
      member('r7', { homeStoreId: STORE_B }), // another store's member
      member('r8', { homeStoreId: STORE_B }), // another store's member, seen here
      member('r9', { preferences: ['basketball'], purchases: [bought('p-r9', 'st-x', 'retro')] }), // another category
    ],
  };
}

