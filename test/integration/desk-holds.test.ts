// Holds on real desk cores (own cache files) against a real HQ: a hold placed offline is queued,
// shown pending and settled when HQ is back; two counters holding the last pair — the loser's desk
// shows the refusal until the clerk dismisses it; a cross-store request reaches a store whose desk
// was stopped once it comes back, and its answer reaches the asker; a snapshot carries holds; the
// other stores' stock is read from HQ online only; erasure leaves no hold in the cache.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB', unservedSweepMs: 0 });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
const line = { styleId: 's1', styleName: 'Style s1', color: 'BLK', colorName: 'Black', size: 38 };

async function started(storeId: string, name: string) {
  const c = await t.desk(storeId, name);
  c.desk.start();
  await waitFor(() => online(c.desk), 5000, `${name} online`);
  // The snapshot brought the store's home members (the hold form needs to know the member).
  await waitFor(async () => (await c.desk.getMember(storeId === 'store-a' ? 'm1' : 'm3')) !== null, 5000, 'members cached');
  return c;
}

describe('holds on the desk', () => {
  it('a hold placed offline is queued and shown pending, then settled by HQ when the link is back', async () => {
    const { desk } = await started('store-a', 'A1');
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'offline');
    const { holdId } = await desk.placeHold({ memberId: 'm1', ...line, days: 2 });
    const [pending] = await desk.listHolds();
    expect(pending).toMatchObject({ id: holdId, sync: 'pending', pendingAction: 'place', member: { id: 'm1', name: '王芳' }, styleName: 'Style s1', colorName: 'Black' });
    expect((await desk.getConnection()).queued).toBe(1);
    // Offline, HQ cannot tell other stores' stock.
    expect(await desk.getStyleStock('s1')).toBeNull();
    await t.up();
    await waitFor(async () => (await desk.listHolds())[0]?.sync === null, 8000, 'hold confirmed');
    const [confirmed] = await desk.listHolds();
    expect(confirmed).toMatchObject({ id: holdId, status: 'active', sync: null, pendingAction: null });
    expect(confirmed!.until - confirmed!.placedAt).toBe(2 * 24 * 60 * 60 * 1000);
    expect((await desk.getConnection()).queued).toBe(0);
    expect(await t.hq.store.read((r) => r.holds.getHold(holdId))).toMatchObject({ status: 'active', member: { id: 'm1' } });
    // Online, the stock read shows the held pair at this store.
    const stock = await desk.getStyleStock('s1');
    expect(stock!.stores.find((s) => s.mine)!.lines).toEqual([{ color: 'BLK', size: 38, qty: 2, held: 1, available: 1 }]);
    // Collected: gone from the list at once, and at HQ.
    await desk.releaseHold(holdId, 'collected');
    expect(await desk.listHolds()).toEqual([]);
    await waitFor(async () => (await t.hq.store.read((r) => r.holds.getHold(holdId)))?.status === 'collected', 5000, 'collected at HQ');
  });

  it('two counters holding the last pair: one wins, the other desk shows out_of_stock until dismissed', async () => {
    const a1 = await started('store-a', 'A1');
    const a2 = await started('store-a', 'A2');
    await a1.desk.placeHold({ memberId: 'm1', ...line });
    await waitFor(async () => (await a2.desk.listHolds()).length === 1, 5000, 'first hold on A2');
    const [x, y] = await Promise.all([a1.desk.placeHold({ memberId: 'm2', ...line }), a2.desk.placeHold({ memberId: 'm1', ...line })]);
    const settled = async () => {
      const all = [...(await a1.desk.listHolds()), ...(await a2.desk.listHolds())];
      return all.every((h) => h.sync === null || h.sync === 'rejected') && all.some((h) => h.sync === 'rejected');
    };
    await waitFor(settled, 8000, 'both answered');
    const views = [await a1.desk.listHolds(), await a2.desk.listHolds()];
    const refused = views.flat().filter((h) => h.sync === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.rejection).toMatchObject({ code: 'out_of_stock' });
    expect([x.holdId, y.holdId]).toContain(refused[0]!.id);
    expect(await t.hq.store.read((r) => r.holds.activeHolds('store-a'))).toHaveLength(2);
    const loser = refused[0]!.id === x.holdId ? a1.desk : a2.desk;
    await loser.dismissHold(refused[0]!.id);
    expect((await loser.listHolds()).filter((h) => h.sync === 'rejected')).toEqual([]);
    expect(await loser.listHolds()).toHaveLength(2);
  });

  it('a cross-store request waits for the stopped desk of the asked store; its answer, queued offline, reaches the asker', async () => {
    const a = await started('store-a', 'A1');
    const b = await started('store-b', 'B1');
    await b.desk.stop();
    const { requestId } = await a.desk.requestHold({ memberId: 'm1', ...line, styleId: 's2', styleName: 'Style s2', days: 4, toStoreId: 'store-b', toStoreName: 'Store B' });
    expect((await a.desk.listHoldRequests())[0]).toMatchObject({ id: requestId, direction: 'out', sync: 'pending', toStoreName: 'Store B', member: { name: '王芳' } });
    await waitFor(async () => (await a.desk.listHoldRequests())[0]?.sync === null, 5000, 'request confirmed');
    expect(await b.desk.listHoldRequests()).toEqual([]);

    b.desk.start();
    await waitFor(async () => (await b.desk.listHoldRequests()).length === 1, 8000, 'request at B');
    const [incoming] = await b.desk.listHoldRequests();
    expect(incoming).toMatchObject({ id: requestId, direction: 'in', status: 'pending', fromStoreName: 'Store A', member: { id: 'm1', name: '王芳', tier: 'basic' } });
    // Only what putting the pair aside needs of A's member.
    expect(Object.keys(incoming!.member).sort()).toEqual(['id', 'name', 'tier']);

    // B answers while its link is down again: the answer is queued and shown pending, then sent.
    await b.desk.stop();
    await b.desk.answerHoldRequest(requestId, true);
    expect((await b.desk.listHoldRequests())[0]).toMatchObject({ pendingAnswer: true, sync: 'pending' });
    expect((await b.desk.getConnection()).queued).toBe(1);
    expect(await t.hq.store.read((r) => r.holds.getRequest(requestId))).toMatchObject({ status: 'pending' });
    b.desk.start();
    await waitFor(async () => (await a.desk.listHoldRequests())[0]?.status === 'accepted', 8000, 'answer at A');
    const answered = (await a.desk.listHoldRequests())[0]!;
    expect(answered.holdId).toEqual(expect.any(String));
    await waitFor(async () => (await b.desk.listHolds()).length === 1, 5000, 'hold at B');
    expect((await b.desk.listHolds())[0]).toMatchObject({ id: answered.holdId, styleId: 's2', requestId, member: { name: '王芳' } });
    // A's own holds list has no hold of B's.
    expect(await a.desk.listHolds()).toEqual([]);

    // A desk of B enrolled now gets the hold and the request from its snapshot.
    const b2 = await started('store-b', 'B2');
    await waitFor(async () => (await b2.desk.listHolds()).length === 1, 5000, 'snapshot holds');
    expect((await b2.desk.listHoldRequests()).map((r) => [r.id, r.status])).toEqual([[requestId, 'accepted']]);
  });

  it('erasing a member drops their holds from every desk cache', async () => {
    const a = await started('store-a', 'A1');
    await a.desk.placeHold({ memberId: 'm2', ...line });
    await waitFor(async () => (await a.desk.listHolds())[0]?.sync === null, 5000, 'confirmed');
    const res = await fetch(`${t.url}/v1/ingest/members/m2`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    await waitFor(async () => (await a.desk.listHolds()).length === 0, 5000, 'erased');
  });
});
