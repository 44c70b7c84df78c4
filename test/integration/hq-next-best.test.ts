// The next best action end to end (7/8), on a real HQ over SQLite and over PostgreSQL: accessories
// come in through the catalog feed (kind, goesWith), a member's purchases and consents through the
// member feed, a hold through a desk command; an arrival over a real desk socket then carries
// `profile.next` with the add-on and its reason, the hold and the long absence as cues — and the
// snapshot says the same. A member who opted out of personalisation gets the store's popular styles
// and `next.personalized` false, no add-on.
//
// PostgreSQL is required: when it is not reachable these tests fail.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MemberProfile, type Style } from '../../shared/domain.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { type StoreAdapter, TestHq } from '../support/hq.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { DAY } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

const ADAPTERS: StoreAdapter[] = ['sqlite', 'postgres'];

describe.each(ADAPTERS)('the next best action on %s', (adapter) => {
  let t: TestHq;
  let desk: ProtocolDesk;
  let token: string;
  const now = Date.now();

  const accessory = (id: string, name: string, kind: 'socks' | 'insoles' | 'care', goesWith: Style['category'][], price: number): Style => ({
    id,
    name,
    category: goesWith[0]!,
    price,
    colors: [{ code: 'WHT', name: 'White' }],
    sizes: [37, 38, 39],
    releasedAt: now - 10 * DAY,
    kind,
    goesWith,
  });

  beforeAll(async () => {
    t = await TestHq.start({ adapter, seed: 'storesAB', unservedSweepMs: 0 });
    // The catalog feed names the accessories; store A stocks them (socks in 38, the care kit in any size).
    const imported = (await t.ingest('catalog', [
      accessory('acc-run-socks', '跑步袜', 'socks', ['running'], 3900),
      accessory('acc-insoles', '缓震鞋垫', 'insoles', ['running', 'basketball'], 12900),
      accessory('acc-care', '小白鞋清洁套装', 'care', ['casual', 'retro'], 9900),
    ])) as { imported: number; rejected: number };
    expect(imported).toMatchObject({ imported: 3, rejected: 0 });
    await t.ingest('stock', [
      { storeId: 'store-a', styleId: 'acc-run-socks', color: 'WHT', size: 38, qty: 10 },
      { storeId: 'store-a', styleId: 'acc-insoles', color: 'WHT', size: 38, qty: 4 },
      { storeId: 'store-a', styleId: 'acc-care', color: 'WHT', size: 40, qty: 2 },
    ]);
    // m1 consented and bought running shoes (s1) at store B three weeks ago; m2 opted out.
    const seeded = t.seeded!.members;
    await t.ingest('members', [
      {
        ...seeded.find((m) => m.id === 'm1')!,
        consents: { marketing: false, personalization: true, contact: true },
        purchases: [{ id: 'p-m1-1', styleId: 's1', styleName: 'Style s1', category: 'running', color: 'BLK', size: 38, storeId: 'store-b', at: now - 21 * DAY - 3_600_000, price: 59900 }],
      },
      {
        ...seeded.find((m) => m.id === 'm2')!,
        consents: { marketing: true, personalization: false, contact: true },
        purchases: [{ id: 'p-m2-1', styleId: 's3', styleName: 'Style s3', category: 'retro', color: 'BLK', size: 38, storeId: 'store-a', at: now - 5 * DAY, price: 59900 }],
      },
    ]);
    const enrolled = await t.enroll('store-a', 'A1');
    token = enrolled.token;
    desk = new ProtocolDesk({ urls: [t.url], token, resume: await t.position('store-a') });
    await desk.start();
  });
  afterAll(async () => {
    await desk?.close();
    await t?.dispose();
  });

  const arrivalOf = async (memberId: string): Promise<MemberProfile> => {
    await t.arrival('store-a', memberId);
    let ev: EvFrame | undefined;
    await waitFor(() => (ev = desk.events.find((e) => e.type === 'arrival' && (e.data as { profile: MemberProfile }).profile.member.id === memberId)) !== undefined);
    return (ev!.data as { profile: MemberProfile }).profile;
  };

  it('an arrival carries the add-on with its reason and a hold waiting (a purchase counts as being seen)', async () => {
    const holdId = randomUUID();
    const placed = await desk.command('hold.place', { holdId, memberId: 'm1', styleId: 's2', color: 'BLK', size: 38, days: 3 });
    expect(placed.status).toBe('ok');

    const profile = await arrivalOf('m1');
    const next = profile.next!;
    expect(next.personalized).toBe(true);
    expect(next.lastPurchase).toMatchObject({ styleId: 's1', category: 'running', storeId: 'store-b' });
    // The cheaper of the two running accessories in size 38, because of the running shoes bought 21 days ago.
    expect(next.addOn).toMatchObject({
      styleId: 'acc-run-socks',
      name: '跑步袜',
      kind: 'socks',
      price: 3900,
      size: 38,
      reason: { code: 'bought_recently', category: 'running', styleName: 'Style s1', days: 21 },
    });
    // Never an accessory among the styles; the styles are the first three recommendations.
    expect(profile.recommendations.map((r) => r.styleId)).not.toContain('acc-run-socks');
    expect(next.styles).toEqual(profile.recommendations.slice(0, 3).map((r) => r.styleId));
    expect(next.styles.length).toBeGreaterThan(0);
    // No visit recorded before this one and joined 100 days ago — but the purchase 21 days ago at
    // store B was a time they were in: not long absent. The hold placed here waits.
    expect(next.cues).toEqual([{ code: 'hold_waiting', holdId, styleName: 'Style s2', size: 38, until: expect.any(Number) }]);

    // The snapshot's profile is made for the same visit: the same action.
    const snap = await t.snapshot(token);
    const inSnap = snap.profiles.find((p) => p.member.id === 'm1')!;
    expect(inSnap.next).toEqual(next);

    // The stored kind came back through the port (listStyles on this adapter).
    const stored = await t.hq.store.read((r) => r.listStyles());
    expect(stored.find((s) => s.id === 'acc-insoles')).toMatchObject({ kind: 'insoles', goesWith: ['running', 'basketball'] });
    expect(stored.find((s) => s.id === 's1')).not.toHaveProperty('kind');
  });

  it('a member who opted out gets the store’s popular styles, not personalised, and no add-on', async () => {
    const profile = await arrivalOf('m2');
    expect(profile.next).toMatchObject({ personalized: false, addOn: null });
    expect(profile.next!.lastPurchase).toMatchObject({ styleId: 's3' });
    // s3 sold here (m2's own purchase is still a store sale): first, and owned or not it is listed —
    // the member's purchases are not read. No accessory, every reason free of member data.
    const recs = profile.recommendations;
    expect(recs[0]).toMatchObject({ styleId: 's3', reasons: [{ code: 'popular_in_store' }] });
    for (const r of recs) for (const reason of r.reasons) expect(['popular_in_store', 'new_this_week', 'new_arrival']).toContain(reason.code);
    expect(recs.map((r) => r.styleId)).not.toContain('acc-care');
    expect(profile.next!.styles).toEqual(recs.slice(0, 3).map((r) => r.styleId));
  });
});
