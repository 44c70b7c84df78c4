// Expected visits and member-made holds at HQ (5/8) over real HTTP and real desk sockets: a member
// and a clerk after the last pair (one wins), a resend under one clientId, the per-member cap, an
// expectation fulfilled by a real arrival (door and counter) whose event carries it, the lapse
// sweep, cancelling, store and member isolation, the snapshot, erasure, and bad input.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { MEMBER_ACTOR } from '../../shared/actors.ts';
import { type Group } from '../../shared/groups.ts';
import { type Hold } from '../../shared/holds.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { MEMBER_HOLDS_MAX } from '../../hq/app/expected/expectations.ts';
import { startHq } from '../../hq/server.ts';
import { TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

const DAY = 24 * 60 * 60 * 1000;
let t: TestHq;
const desks: ProtocolDesk[] = [];

async function deskAt(storeId: string, name: string): Promise<ProtocolDesk> {
  const { token } = await t.enroll(storeId, name);
  const d = new ProtocolDesk({ urls: [t.url], token, resume: await t.position(storeId) });
  desks.push(d);
  await d.start();
  return d;
}
const memberOf = (memberId: string, storeId = 'store-a') => MemberClient.viaIntegration(t.url, t.hq.integrationKey, storeId, memberId);
const clientId = () => `c-${randomUUID()}`;
const eventsOf = (d: ProtocolDesk, type: EvFrame['type']) => d.events.filter((e) => e.type === type);
const expectedOf = (d: ProtocolDesk) => eventsOf(d, 'expect.updated').map((e) => (e.data as { expected: ExpectedVisit }).expected);
async function json<T = Record<string, unknown>>(res: Response): Promise<{ status: number; body: T }> {
  return { status: res.status, body: (await res.json()) as T };
}

beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
});
afterEach(async () => {
  for (const d of desks.splice(0)) await d.close();
  await t.dispose();
});

describe('member-made holds', () => {
  it('a member and a clerk holding the last pair at once: one wins, the other is refused out_of_stock', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m2 = await memberOf('m2');
    // Two pairs of s1 BLK 38 at store A: the clerk holds one for m1 first, so one pair is left.
    expect((await a1.command('hold.place', { holdId: randomUUID(), memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 3 })).status).toBe('ok');
    const [byMember, byClerk] = await Promise.all([
      m2.http('/v1/member/holds', { body: { clientId: clientId(), styleId: 's1', color: 'BLK', size: 38, source: { kind: 'chat', id: null } } }),
      a1.command('hold.place', { holdId: randomUUID(), memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 3 }),
    ]);
    const memberWon = byMember.status === 201;
    expect(memberWon ? byClerk.status : 'ok').toBe(memberWon ? 'rejected' : 'ok');
    if (memberWon) expect(byClerk.rejection).toMatchObject({ code: 'out_of_stock' });
    else expect(await json(byMember)).toMatchObject({ status: 409, body: { error: { code: 'out_of_stock' } } });
    // Never more holds than pairs, and the desk saw exactly the two placed.
    expect(await t.hq.store.read((r) => r.holds.heldQty('store-a', 's1', 'BLK', 38))).toBe(2);
    await waitFor(() => eventsOf(a1, 'hold.placed').length === 2);
    if (memberWon) {
      const hold = (eventsOf(a1, 'hold.placed')[1]!.data as { hold: Hold; by: unknown }).hold;
      expect(hold).toMatchObject({ member: { id: 'm2' }, by: MEMBER_ACTOR, status: 'active' });
    }
  });

  it('holds the pair for 3 days with an expectation linked by holdId; a resend under the same clientId is one hold', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m1 = await memberOf('m1');
    const body = { clientId: clientId(), styleId: 's2', color: 'BLK', size: 38, source: { kind: 'member_page', id: null } };
    const first = await json<{ hold: Hold; expected: ExpectedVisit }>(await m1.http('/v1/member/holds', { body }));
    expect(first.status).toBe(201);
    expect(first.body.hold).toMatchObject({ storeId: 'store-a', styleId: 's2', styleName: 'Style s2', by: MEMBER_ACTOR, requestId: null });
    expect(first.body.hold.until - first.body.hold.placedAt).toBe(3 * DAY);
    expect(first.body.expected).toMatchObject({ holdId: first.body.hold.id, styleId: 's2', size: 38, status: 'expected', until: first.body.hold.until, source: { kind: 'member_page', id: null, title: '' } });
    const again = await json<{ hold: Hold; expected: ExpectedVisit }>(await m1.http('/v1/member/holds', { body }));
    expect(again.status).toBe(200);
    expect(again.body.hold.id).toBe(first.body.hold.id);
    expect(again.body.expected.id).toBe(first.body.expected.id);
    // The same clientId with another pair is refused, not a second hold.
    expect((await m1.http('/v1/member/holds', { body: { ...body, styleId: 's3' } })).status).toBe(409);
    expect(await t.hq.store.read((r) => r.holds.activeHoldsOfMember('m1'))).toHaveLength(1);
    await waitFor(() => eventsOf(a1, 'hold.placed').length === 1 && expectedOf(a1).length === 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(eventsOf(a1, 'hold.placed')).toHaveLength(1);
    expect(expectedOf(a1)[0]!.holdId).toBe(first.body.hold.id);
    // The member page lists it with the clerks' holds.
    const listed = await json<{ holds: Array<{ id: string }> }>(await m1.http('/v1/member/holds'));
    expect(listed.body.holds.map((h) => h.id)).toEqual([first.body.hold.id]);
    // Cancelling the expectation ("I won't come") puts the member's pair back on the shelf.
    const cancelled = await json<{ expected: ExpectedVisit }>(await m1.http(`/v1/member/expected/${first.body.expected.id}`, { method: 'DELETE' }));
    expect(cancelled.body.expected.status).toBe('cancelled');
    expect(await t.hq.store.read((r) => r.holds.getHold(first.body.hold.id))).toMatchObject({ status: 'released', endedBy: MEMBER_ACTOR });
    await waitFor(() => eventsOf(a1, 'hold.released').length === 1);
    // `expect: false`: a hold alone.
    const alone = await json<{ hold: Hold; expected?: unknown }>(await m1.http('/v1/member/holds', { body: { clientId: clientId(), styleId: 's3', color: 'BLK', size: 38, expect: false } }));
    expect(alone.status).toBe(201);
    expect(alone.body.expected).toBeUndefined();
    expect(await t.hq.store.read((r) => r.holds.activeHoldsOfMember('m1'))).toHaveLength(1);
  });

  it(`caps a member at ${MEMBER_HOLDS_MAX} active member-made holds; a clerk's hold for them does not count`, async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m1 = await memberOf('m1');
    expect((await a1.command('hold.place', { holdId: randomUUID(), memberId: 'm1', styleId: 's1', color: 'BLK', size: 38, days: 3 })).status).toBe('ok');
    // Store A has 2 pairs of s1, s2, s3 and store B as many: 5 pairs held by the member across both stores.
    const lines = [['store-a', 's1'], ['store-a', 's2'], ['store-a', 's3'], ['store-b', 's1'], ['store-b', 's2']] as const;
    for (const [storeId, styleId] of lines) {
      expect((await m1.http('/v1/member/holds', { body: { clientId: clientId(), storeId, styleId, color: 'BLK', size: 38, expect: false } })).status).toBe(201);
    }
    const over = await json(await m1.http('/v1/member/holds', { body: { clientId: clientId(), storeId: 'store-b', styleId: 's3', color: 'BLK', size: 38 } }));
    expect(over).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(await t.hq.store.read((r) => r.holds.activeHoldsOfMember('m1'))).toHaveLength(6);
  });

  it('refuses a line the catalog lacks, an unknown store, bad bodies and a missing token', async () => {
    const m1 = await memberOf('m1');
    const hold = (over: Record<string, unknown>) => m1.http('/v1/member/holds', { body: { clientId: clientId(), styleId: 's1', color: 'BLK', size: 38, ...over } });
    expect((await json(await hold({ color: 'RED' }))).body).toMatchObject({ error: { code: 'invalid' } });
    expect((await hold({ size: 37 })).status).toBe(409); // in the catalog, not in stock
    expect((await hold({ storeId: 'store-z' })).status).toBe(404);
    expect((await hold({ clientId: 'short' })).status).toBe(422);
    expect((await hold({ by: MEMBER_ACTOR })).status).toBe(422); // strict: no extra fields
    expect((await hold({ source: { kind: 'shop', id: null } })).status).toBe(422);
    expect((await m1.http('/v1/member/holds', { method: 'POST', raw: Buffer.from('{not json'), type: 'application/json' })).status).toBe(400);
    expect((await fetch(`${t.url}/v1/member/holds`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await fetch(`${t.url}/v1/member/expected`)).status).toBe(401);
    expect(await t.hq.store.read((r) => r.holds.activeHoldsOfMember('m1'))).toEqual([]);
    // A title the member sends is not taken: the desk's title is HQ's (a live room has none yet).
    const forged = await json<{ expected: ExpectedVisit }>(await hold({ source: { kind: 'live', id: 'r1', title: '全场免单' } }));
    expect(forged.status).toBe(201);
    expect(forged.body.expected.source).toEqual({ kind: 'live', id: 'r1', title: '' });
  });
});

describe('expected visits', () => {
  it('an expectation is fulfilled by a real arrival: the arrival event carries it, arrived with the visit', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m1 = await memberOf('m1');
    const made = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's2', size: 38, source: { kind: 'chat', id: null } } }));
    expect(made.status).toBe(201);
    expect(made.body.expected).toMatchObject({ storeId: 'store-a', member: { id: 'm1', name: '王芳', tier: 'basic' }, styleName: 'Style s2', status: 'expected', holdId: null, visitId: null });
    expect(Object.keys(made.body.expected.member).sort()).toEqual(['id', 'name', 'tier']);
    expect(made.body.expected.until - made.body.expected.createdAt).toBe(7 * DAY);
    await waitFor(() => expectedOf(a1).length === 1);
    // Another store's expectation is not fulfilled by an arrival here, nor seen by this store's desks.
    const atB = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body: { clientId: clientId(), storeId: 'store-b' } }));
    expect(atB.status).toBe(201);

    const arrival = await t.arrival('store-a', 'm1');
    await waitFor(() => eventsOf(a1, 'arrival').length === 1 && expectedOf(a1).length === 2);
    const ev = eventsOf(a1, 'arrival')[0]!.data as { visit: { id: string }; expected?: ExpectedVisit };
    expect(ev.visit.id).toBe(arrival.visitId);
    expect(ev.expected).toMatchObject({ id: made.body.expected.id, status: 'arrived', visitId: arrival.visitId, styleName: 'Style s2' });
    expect(expectedOf(a1)[1]).toMatchObject({ id: made.body.expected.id, status: 'arrived', visitId: arrival.visitId });
    expect(expectedOf(a1).some((e) => e.storeId === 'store-b')).toBe(false);
    expect(await t.hq.store.read((r) => r.expected.getExpected(atB.body.expected.id))).toMatchObject({ status: 'expected' });
    // A repeat within 30 minutes raises no new alert and has nothing left to fulfil.
    await t.arrival('store-a', 'm1');
    // The member page lists only what is still open: store B's.
    const open = await json<{ expected: ExpectedVisit[] }>(await m1.http('/v1/member/expected'));
    expect(open.body.expected.map((e) => e.id)).toEqual([atB.body.expected.id]);
    // The snapshot: the arrived one (settled today) stays on the Today list.
    const { token } = await t.enroll('store-a', 'A2');
    const snap = await t.snapshot(token);
    expect(snap.expected?.map((e) => [e.id, e.status])).toEqual([[made.body.expected.id, 'arrived']]);
  });

  it('a counter check-in fulfils it too, in the check-in’s transaction', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m2 = await memberOf('m2');
    const made = await json<{ expected: ExpectedVisit }>(await m2.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's1' } }));
    const ack = await a1.command('checkin', { checkinId: randomUUID(), memberCode: 'M0002' });
    expect(ack.status).toBe('ok');
    await waitFor(() => eventsOf(a1, 'arrival').length === 1);
    const ev = eventsOf(a1, 'arrival')[0]!.data as { visit: { id: string }; expected?: ExpectedVisit; opId?: string };
    expect(ev.opId).toBe(ack.opId);
    expect(ev.expected).toMatchObject({ id: made.body.expected.id, status: 'arrived', visitId: ev.visit.id, size: null });
  });

  it('an expectation for a day lasts to the end of that day in the store’s zone, then the sweep lapses it once', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m1 = await memberOf('m1');
    // The store's zone is UTC+8 (the default): tomorrow there.
    const local = new Date(Date.now() + 8 * 3600_000 + DAY);
    const on = local.toISOString().slice(0, 10);
    const made = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body: { clientId: clientId(), on, source: { kind: 'member_page', id: null } } }));
    expect(made.status).toBe(201);
    const endOfDay = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1) - 8 * 3600_000 - 1;
    expect(made.body.expected.until).toBe(endOfDay);
    expect(await t.hq.sweepLapsedExpectations(endOfDay - 1)).toBe(0);
    expect(await t.hq.sweepLapsedExpectations(endOfDay)).toBe(1);
    expect(await t.hq.sweepLapsedExpectations(endOfDay + 1000)).toBe(0);
    await waitFor(() => expectedOf(a1).length === 2);
    expect(expectedOf(a1)[1]).toMatchObject({ id: made.body.expected.id, status: 'lapsed' });
    // A lapsed one is not fulfilled by a later arrival.
    await t.arrival('store-a', 'm1');
    await waitFor(() => eventsOf(a1, 'arrival').length === 1);
    expect((eventsOf(a1, 'arrival')[0]!.data as { expected?: unknown }).expected).toBeUndefined();
    // A day already over, a day too far ahead, and a non-date are refused.
    for (const bad of ['2020-01-01', '2999-01-01', '2026-02-30', `${new Date().getUTCFullYear()}-13-01`]) {
      expect((await m1.http('/v1/member/expected', { body: { clientId: clientId(), on: bad } })).status).toBe(422);
    }
  });

  it('a resend under one clientId is one expectation; only its member may cancel it; cancelling twice answers the same', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const m1 = await memberOf('m1');
    const m2 = await memberOf('m2');
    const body = { clientId: clientId(), styleId: 's3', size: 39 };
    const made = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body }));
    const again = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body }));
    expect([made.status, again.status]).toEqual([201, 200]);
    expect(again.body.expected.id).toBe(made.body.expected.id);
    const id = made.body.expected.id;
    // Another member: as if it did not exist.
    expect((await json(await m2.http(`/v1/member/expected/${id}`, { method: 'DELETE' }))).status).toBe(404);
    expect((await m1.http(`/v1/member/expected/nope`, { method: 'DELETE' })).status).toBe(404);
    const cancelled = await json<{ expected: ExpectedVisit }>(await m1.http(`/v1/member/expected/${id}`, { method: 'DELETE' }));
    expect(cancelled).toMatchObject({ status: 200, body: { expected: { id, status: 'cancelled' } } });
    expect((await m1.http(`/v1/member/expected/${id}`, { method: 'DELETE' })).status).toBe(200);
    await waitFor(() => expectedOf(a1).length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(expectedOf(a1).map((e) => e.status)).toEqual(['expected', 'cancelled']);
    // A cancelled one is not fulfilled by an arrival.
    await t.arrival('store-a', 'm1');
    await waitFor(() => eventsOf(a1, 'arrival').length === 1);
    expect((eventsOf(a1, 'arrival')[0]!.data as { expected?: unknown }).expected).toBeUndefined();
    // Bad input: a size without a style, a style not in the catalog, a size the style lacks.
    expect((await m1.http('/v1/member/expected', { body: { clientId: clientId(), size: 38 } })).status).toBe(422);
    expect((await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 'nope' } })).status).toBe(422);
    expect((await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's1', size: 45 } })).status).toBe(422);
    expect((await m1.http('/v1/member/expected', { method: 'PUT', body: {} })).status).toBe(405);
  });

  it('erasing a member drops their expectations', async () => {
    const m1 = await memberOf('m1');
    const made = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body: { clientId: clientId() } }));
    const res = await fetch(`${t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    expect(await t.hq.store.read((r) => r.expected.getExpected(made.body.expected.id))).toBeNull();
  });

  it('on two HQ nodes over one PostgreSQL: a member on one node and a clerk on the other after the last pair — one wins; four sweeps at once lapse each expectation once', async () => {
    const pgT = await TestHq.start({ adapter: 'postgres', seed: 'storesAB', unservedSweepMs: 0 });
    const [, pgUrl, , pgSchema] = pgT.adminArgs;
    const node2 = await startHq({ pgUrl, pgSchema, port: 0, log: () => {}, unservedSweepMs: 0 });
    const { token } = await pgT.enroll('store-a', 'A1');
    const d = new ProtocolDesk({ urls: [pgT.url], token, resume: await pgT.position('store-a') });
    try {
      await d.start();
      // The member talks to node 2, the clerk's desk to node 1; one pair of s3 is left after the clerk's first hold.
      const m1 = await MemberClient.viaIntegration(node2.url, pgT.hq.integrationKey, 'store-a', 'm1');
      expect((await d.command('hold.place', { holdId: randomUUID(), memberId: 'm2', styleId: 's3', color: 'BLK', size: 38, days: 3 })).status).toBe('ok');
      const [byMember, byClerk] = await Promise.all([
        m1.http('/v1/member/holds', { body: { clientId: clientId(), styleId: 's3', color: 'BLK', size: 38 } }),
        d.command('hold.place', { holdId: randomUUID(), memberId: 'm2', styleId: 's3', color: 'BLK', size: 38, days: 3 }),
      ]);
      expect([byMember.status === 201, byClerk.status === 'ok'].filter(Boolean)).toHaveLength(1);
      expect(await pgT.hq.store.read((r) => r.holds.heldQty('store-a', 's3', 'BLK', 38))).toBe(2);
      // Three expectations, made on node 2; four sweeps at once on both nodes lapse each once.
      for (let i = 0; i < 3; i++) expect((await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's1' } })).status).toBe(201);
      const later = Date.now() + 8 * DAY;
      const swept = await Promise.all([pgT.hq.sweepLapsedExpectations(later), node2.sweepLapsedExpectations(later), pgT.hq.sweepLapsedExpectations(later), node2.sweepLapsedExpectations(later)]);
      const expectedMade = byMember.status === 201 ? 4 : 3; // the member's hold made one too
      expect(swept.reduce((a, b) => a + b, 0)).toBe(expectedMade);
      const lapsed = (await pgT.readLog('store-a')).filter((e) => e.type === 'expect.updated' && (e.data as { expected: ExpectedVisit }).expected.status === 'lapsed');
      expect(lapsed).toHaveLength(expectedMade);
    } finally {
      await d.close();
      await node2.close();
      await pgT.dispose();
    }
  });

  it("a group source is titled with the group's name (this store's or a chain group), and '' for another store's group", async () => {
    const at = Date.now();
    const group = (id: string, storeId: string, scope: 'store' | 'chain', name: string): Group => ({
      id,
      storeId,
      scope,
      name,
      topic: '',
      notice: '',
      noticeAt: null,
      welcome: '',
      slowModeSec: 0,
      hosts: [{ clerkId: 'c1', clerkName: 'Host' }],
      memberCount: 0,
      lastN: 0,
      lastAt: null,
      storeReadN: 0,
      createdAt: at,
      createdBy: { deviceId: 'd1', deviceName: 'Desk' },
      closedAt: null,
    });
    await t.hq.store.withTx(async (tx) => {
      await tx.groups.putGroup(group('g-here', 'store-a', 'store', '南京路跑团'));
      await tx.groups.putGroup(group('g-chain', 'store-b', 'chain', '复古球鞋收藏'));
      await tx.groups.putGroup(group('g-other', 'store-b', 'store', 'B 店内部群'));
    });
    const m1 = await memberOf('m1');
    const titles: string[] = [];
    for (const id of ['g-here', 'g-chain', 'g-other']) {
      const res = await json<{ expected: ExpectedVisit }>(await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's1', source: { kind: 'group', id } } }));
      expect(res.status).toBe(201);
      expect(res.body.expected.source).toMatchObject({ kind: 'group', id });
      titles.push(res.body.expected.source.title);
    }
    // Another store's own group is not named to this store's desks.
    expect(titles).toEqual(['南京路跑团', '复古球鞋收藏', '']);
  });
});
