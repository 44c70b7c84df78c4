// Restock matches on a real desk core against a real HQ (7/8): the match HQ makes lands in the
// cache and the list; sending the card queues one chat product card and the record, once; offline,
// a follow-up task and a pass are shown at once as pending, flushed on reconnect and settled by
// HQ's events; a desk enrolled later gets the match and what was done by snapshot.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { restockSeed } from '../support/restockSeed.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ });
  await t.seed(restockSeed(Date.now()));
  expect((await t.ingestRaw('clerks', [{ id: 'ann', storeId: STORE_A, name: 'Ann', role: 'clerk', pin: '1111' }])).status).toBe(200);
});
afterEach(async () => {
  await t.dispose();
});

const online = (desk: DeskCore) => waitFor(async () => (await desk.getConnection()).status === 'online', 10_000, 'online');

describe('desk restock matches', () => {
  it('lists the match HQ made, sends the card once, sets the task and passes offline, and settles on reconnect', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await online(desk);
    await waitFor(async () => (await desk.listClerks()).length === 1, 5000, 'clerks cached');
    expect((await desk.signIn('ann', '1111')).ok).toBe(true);
    let told = 0;
    desk.on('restock', () => told++);
    await t.arrival(STORE_A, 'r8');

    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 3 }]);
    await waitFor(async () => (await desk.listRestockMatches()).length === 1, 5000, 'match cached');
    const [match] = await desk.listRestockMatches();
    expect(match).toMatchObject({ styleId: 'st-new', styleName: 'Cloud Runner 2', size: 40, qty: 3 });
    expect(match!.members.map((m) => [m.memberId, m.why, m.done, m.refused])).toEqual([
      ['r2', 'bought', null, null],
      ['r8', 'preference', null, null],
      ['r1', 'preference', null, null],
    ]);
    expect(told).toBeGreaterThan(0);

    // Online: the card to r2, once (a second click is refused while queued and after).
    await desk.actOnRestock({ matchId: match!.id, memberId: 'r2', how: 'message' });
    await expect(desk.actOnRestock({ matchId: match!.id, memberId: 'r2', how: 'message' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await waitFor(async () => (await desk.listRestockMatches())[0]!.members[0]!.done?.pending === false, 5000, 'card settled');
    await expect(desk.actOnRestock({ matchId: match!.id, memberId: 'r2', how: 'message' })).rejects.toMatchObject({ code: 'invalid_argument' });
    const cards = await t.hq.store.read((r) => r.chat.messages(STORE_A, 'r2', null, 10));
    expect(cards.map((m) => [m.from, m.kind, m.product?.styleId ?? null])).toEqual([['clerk', 'product', 'st-new']]);
    // Unknown match or member: not_found, nothing queued.
    await expect(desk.actOnRestock({ matchId: match!.id, memberId: 'r3', how: 'task' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(desk.actOnRestock({ matchId: 'rsm:none', memberId: 'r1', how: 'task' })).rejects.toMatchObject({ code: 'not_found' });

    // Offline: a task for r1 and a pass on r8, shown at once as pending.
    await desk.stop();
    await waitFor(async () => (await desk.getConnection()).status === 'offline', 5000, 'offline');
    await desk.actOnRestock({ matchId: match!.id, memberId: 'r1', how: 'task' });
    await desk.actOnRestock({ matchId: match!.id, memberId: 'r8', how: 'dismissed' });
    const pending = (await desk.listRestockMatches())[0]!.members;
    expect(pending.map((m) => [m.memberId, m.done?.how, m.done?.pending])).toEqual([
      ['r2', 'message', false],
      ['r8', 'dismissed', true],
      ['r1', 'task', true],
    ]);
    const queuedTask = (await desk.listTasks({ scope: 'store' })).find((x) => x.memberId === 'r1');
    expect(queuedTask).toMatchObject({ kind: 'call_back', text: '', sync: 'pending', want: { styleId: 'st-new', size: 40 } });

    desk.start();
    await online(desk);
    await waitFor(async () => (await desk.listRestockMatches())[0]!.members.every((m) => m.done && !m.done.pending), 10_000, 'settled');
    const atHq = await t.hq.store.read((r) => r.restock.getMatch(match!.id));
    expect(atHq!.done.map((d) => [d.memberId, d.how, d.by?.clerkId])).toEqual([
      ['r2', 'message', 'ann'],
      ['r1', 'task', 'ann'],
      ['r8', 'dismissed', 'ann'],
    ]);
    const tasks = (await t.hq.store.read((r) => r.tasks.tasksOfStore(STORE_A, 0, 100))).filter((x) => x.memberId === 'r1');
    expect(tasks.map((x) => [x.kind, x.want?.styleId, x.want?.size])).toEqual([['call_back', 'st-new', 40]]);
    expect(desk.outbox()).toEqual([]);

    // A desk enrolled now gets the match and what was done by snapshot.
    const later = await t.desk(STORE_A, 'Counter 2');
    later.desk.start();
    await online(later.desk);
    await waitFor(async () => (await later.desk.listRestockMatches()).length === 1, 5000, 'snapshot');
    expect((await later.desk.listRestockMatches())[0]!.members.map((m) => m.done?.how)).toEqual(['message', 'dismissed', 'task']);
    await later.desk.close();
    await desk.close();
  });
});
