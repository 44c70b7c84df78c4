// Expected visits on real desk cores (own cache files) against a real HQ (5/8): a member's "I'll
// come and try it" and "hold a pair for me" reach the store's desk as events; the member's arrival
// brings the "came to try" cue into the arrival's VisitView (what the renderer's arrival card
// shows), with the linked hold; a desk enrolled later gets them from its snapshot; erasure leaves
// none in the cache; the lapse sweep settles them on the desk.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { type VisitView } from '../../shared/deskApi.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB', unservedSweepMs: 0 });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
async function started(storeId: string, name: string) {
  const c = await t.desk(storeId, name);
  c.desk.start();
  await waitFor(() => online(c.desk), 5000, `${name} online`);
  return c;
}
const memberOf = (memberId: string) => MemberClient.viaIntegration(t.url, t.hq.integrationKey, 'store-a', memberId);
let n = 0;
const clientId = () => `desk-expected-${++n}-${Date.now()}`;

describe('expected visits on the desk', () => {
  it('an expectation reaches the Today list, and the arrival brings the cue (with the hold) to the arrival’s view', async () => {
    const { desk } = await started('store-a', 'A1');
    const changed: number[] = [];
    const arrivals: VisitView[] = [];
    desk.on('expected', (e) => changed.push(e.at));
    desk.on('arrival', (e) => arrivals.push(e.visit));
    const m1 = await memberOf('m1');
    const res = await m1.http('/v1/member/holds', { body: { clientId: clientId(), styleId: 's2', color: 'BLK', size: 38, source: { kind: 'chat', id: null } } });
    expect(res.status).toBe(201);
    const { hold, expected } = (await res.json()) as { hold: { id: string }; expected: ExpectedVisit };
    await waitFor(async () => (await desk.listExpected()).length === 1, 5000, 'expected on the desk');
    expect(changed.length).toBeGreaterThan(0);
    const [listed] = await desk.listExpected();
    expect(listed).toMatchObject({ id: expected.id, status: 'expected', member: { id: 'm1', name: '王芳' }, styleName: 'Style s2', size: 38, holdId: hold.id, source: { kind: 'chat' } });
    // The hold is on the desk's list too, placed by the member.
    await waitFor(async () => (await desk.listHolds()).some((h) => h.id === hold.id), 5000, 'hold on the desk');

    const { visitId } = await t.arrival('store-a', 'm1');
    await waitFor(() => arrivals.length === 1, 5000, 'arrival alert');
    // The alert's view carries the cue: what to try, from where, and the hold's id.
    expect(arrivals[0]!.id).toBe(visitId);
    expect(arrivals[0]!.expected).toMatchObject({ id: expected.id, status: 'arrived', visitId, styleName: 'Style s2', holdId: hold.id });
    expect((await desk.getVisit(visitId))!.expected).toMatchObject({ id: expected.id, status: 'arrived' });
    expect((await desk.listArrivals({}))[0]!.expected?.id).toBe(expected.id);
    // Today's list keeps it, now arrived.
    await waitFor(async () => (await desk.listExpected())[0]?.status === 'arrived', 5000, 'arrived on the list');
  });

  it('a desk enrolled later gets them from its snapshot; the sweep lapses one on the desk; erasure removes them', async () => {
    const m1 = await memberOf('m1');
    const m2 = await memberOf('m2');
    const first = (await (await m1.http('/v1/member/expected', { body: { clientId: clientId(), styleId: 's1', size: 38 } })).json()) as { expected: ExpectedVisit };
    const second = (await (await m2.http('/v1/member/expected', { body: { clientId: clientId() } })).json()) as { expected: ExpectedVisit };
    const { desk } = await started('store-a', 'A2');
    await waitFor(async () => (await desk.listExpected()).length === 2, 5000, 'snapshot expected');
    expect((await desk.listExpected()).map((e) => e.id).sort()).toEqual([first.expected.id, second.expected.id].sort());
    // Past their window, both lapse; the desk's Today list shows them lapsed (settled today).
    expect(await t.hq.sweepLapsedExpectations(Date.now() + 8 * 24 * 60 * 60 * 1000)).toBe(2);
    await waitFor(async () => (await desk.listExpected()).every((e) => e.status === 'lapsed'), 5000, 'lapsed on the desk');
    // m1 is erased at HQ: nothing of theirs stays in the cache.
    const res = await fetch(`${t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await desk.listExpected()).length === 1, 5000, 'erased');
    expect((await desk.listExpected())[0]!.member.id).toBe('m2');
  });
});
