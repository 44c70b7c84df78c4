// A member opened without an arrival (from search, from the chat list) shows the real profile: from
// HQ when online, with this store's suggestions; from the cache offline, with its age; and HQ finds
// members of the whole chain for a clerk's search, with what a pick list needs and no more.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { MemberProfileResponse, MemberSearchResponse } from '../../shared/protocol.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { DAY, type SeedSet, STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

/** Ten running styles; a Gold member of store A who bought eight of them, two still to suggest in her size. */
function goldMemberSet(now: number): SeedSet {
  const catalog = Array.from({ length: 10 }, (_, i) => ({
    id: `st-${i + 1}`,
    name: `Runner ${i + 1}`,
    category: 'running' as const,
    price: 59900 + i * 1000,
    colors: [{ code: 'PNK', name: 'Pink' }],
    sizes: [38, 39, 40],
    releasedAt: now - 400 * DAY,
  }));
  return {
    stores: [
      { id: STORE_A, name: '上海南京路店', city: '上海' },
      { id: STORE_B, name: '北京三里屯店', city: '北京' },
    ],
    catalog,
    stock: catalog.flatMap((s) => [{ storeId: STORE_A, styleId: s.id, color: 'PNK', size: 38, qty: 2 }]),
    members: [
      {
        id: 'gold1',
        code: 'G0000001',
        name: '林静',
        nameEn: 'Lin Jing',
        tier: 'gold',
        phone: '13912345678',
        homeStoreId: STORE_A,
        sizes: { eu: 38, cn: 240 },
        preferences: ['running'],
        points: 8800,
        consents: { marketing: false, personalization: true, contact: false }, // 7/8: suggestions from their purchases
        purchases: Array.from({ length: 8 }, (_, i) => ({
          id: `gold1-p${i + 1}`,
          styleId: `st-${i + 1}`,
          styleName: `Runner ${i + 1}`,
          category: 'running' as const,
          color: 'PNK',
          size: 38,
          storeId: STORE_A,
          at: now - (10 + i) * DAY,
          price: 59900,
        })),
      },
      { id: 'renee', code: 'B0000002', name: 'Renée Alexandra Dubois', nameEn: '', tier: 'platinum', phone: '13800004321', homeStoreId: STORE_B, sizes: { eu: 39, cn: 245 } },
    ],
  };
}

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ });
  // Loaded before any desk exists: a desk's first snapshot carries home members without purchases.
  await t.seed(goldMemberSet(Date.now()));
});
afterEach(async () => {
  await t.dispose();
});

const online = async (desk: DeskCore) => (await desk.getConnection()).status === 'online';

describe('a member opened without an arrival', () => {
  it('shows the real profile from HQ online, and the cached one with its age offline', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');

    const before = Date.now();
    const view = await desk.getMember('gold1');
    expect(view?.member).toMatchObject({ name: '林静', tier: 'gold', phoneMasked: '139****5678' });
    expect(view?.purchases).toHaveLength(8);
    expect(view?.recommendations.map((r) => r.styleId).sort()).toEqual(['st-10', 'st-9']);
    expect(view?.recommendations.every((r) => r.stockBySize.some((s) => s.size === 38 && s.qty > 0))).toBe(true);
    expect(view?.profileAt).toBeGreaterThanOrEqual(before);

    // Offline: the same profile, from the cache, with the time it was received.
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'desk offline');
    const offline = await desk.getMember('gold1');
    expect(offline?.purchases).toHaveLength(8);
    expect(offline?.recommendations).toHaveLength(2);
    expect(offline?.profileAt).toBe(view?.profileAt);
  });

  it('says a profile is unknown offline rather than empty, and fetches a member of another store online', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'desk offline');
    // The snapshot's home member without purchases: unknown (profileAt null), not "no purchases".
    const home = await desk.getMember('gold1');
    expect(home).toMatchObject({ purchases: [], profileAt: null });
    expect(await desk.getMember('renee')).toBeNull();

    await t.up();
    await waitFor(() => online(desk), 10_000, 'desk online again');
    const other = await desk.getMember('renee');
    expect(other?.member).toMatchObject({ name: 'Renée Alexandra Dubois', homeStoreId: STORE_B, phoneMasked: '138****4321' });
    expect(other?.profileAt).not.toBeNull();
  });

  it('finds members of other stores at HQ, with a pick list’s fields only', async () => {
    const { desk, token } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');
    // Not in store A's cache; at HQ by any word of any length, diacritics folded.
    expect(await desk.searchMembers({ query: 'renee' })).toEqual([]);
    for (const query of ['renee', 'alexandra', 'Dubois', 'rené']) {
      const hits = await desk.searchMembersAtHq({ query });
      expect(hits?.map((h) => h.id), query).toEqual(['renee']);
      expect(hits?.[0]).toMatchObject({ homeStoreName: '北京三里屯店', phoneMasked: '138****4321', tier: 'platinum' });
    }
    // A member of the desk's own store carries no store name.
    expect((await desk.searchMembersAtHq({ query: 'lin jing' }))?.[0]).toMatchObject({ id: 'gold1' });
    expect((await desk.searchMembersAtHq({ query: 'lin jing' }))?.[0]?.homeStoreName).toBeUndefined();

    // The route: device token required, a query of two characters or more, no full phone anywhere.
    const url = (q: string) => `${t.url}/v1/desk/members?q=${encodeURIComponent(q)}`;
    expect((await fetch(url('renee'))).status).toBe(401);
    const short = await fetch(url('r'), { headers: { authorization: `Bearer ${token}` } });
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { code: string } }).error.code).toBe('query_too_short');
    const res = await fetch(url('4321'), { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    expect(MemberSearchResponse.parse(JSON.parse(text)).members.map((m) => m.id)).toEqual(['renee']);
    expect(text).not.toContain('13800004321');
    expect(Object.keys(MemberSearchResponse.parse(JSON.parse(text)).members[0]!).sort()).toEqual(['code', 'homeStoreId', 'homeStoreName', 'id', 'name', 'nameEn', 'phoneMasked', 'tier']);

    // The profile route: this store's suggestions, masked phone, 404 for an unknown member.
    const profile = await fetch(`${t.url}/v1/desk/members/gold1`, { headers: { authorization: `Bearer ${token}` } });
    const body = MemberProfileResponse.parse(await profile.json());
    expect(body.profile.purchases).toHaveLength(8);
    expect(JSON.stringify(body)).not.toContain('13912345678');
    expect((await fetch(`${t.url}/v1/desk/members/nobody`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/desk/members/gold1`)).status).toBe(401);
    expect((await fetch(`${t.url}/v1/desk/members/%E0%A4%A`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
    // Offline: HQ cannot be asked.
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'desk offline');
    expect(await desk.searchMembersAtHq({ query: 'renee' })).toBeNull();
  });

  it('builds the search keys of members written before they existed, once, at start', async () => {
    await t.down();
    if (t.adapter === 'sqlite') {
      // An HQ file from before search keys: members, no keys, no version mark.
      const db = new Database(t.dbPath);
      db.exec("DELETE FROM member_search_keys; DELETE FROM meta WHERE key = 'member_search_keys_version'");
      db.close();
    }
    await t.up();
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(() => online(desk), 5000, 'desk online');
    expect((await desk.searchMembersAtHq({ query: 'dubois' }))?.map((h) => h.id)).toEqual(['renee']);
  });
});
