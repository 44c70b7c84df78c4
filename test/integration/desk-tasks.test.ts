// Follow-up tasks on a real desk core against a real HQ: created, done and snoozed offline through
// the outbox, shown at once as pending, flushed when the link returns and settled by HQ's events;
// the Today lists (mine / store / a member's); another counter's task arriving live; a snapshot
// bringing the store's tasks; a refusal shown until dismissed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { type CmdAckFrame } from '../../shared/protocol.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB' });
  const res = await t.ingestRaw('clerks', [
    { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
    { id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' },
  ]);
  expect(res.status).toBe(200);
});
afterEach(async () => {
  await t.dispose();
});

const online = (desk: DeskCore) => waitFor(async () => (await desk.getConnection()).status === 'online', 10_000, 'online');
const HOUR = 3600_000;

async function signedInDesk(name = 'Counter 1'): Promise<DeskCore> {
  const { desk } = await t.desk('store-a', name);
  desk.start();
  await online(desk);
  await waitFor(async () => (await desk.listClerks()).length === 2, 5000, 'clerks cached');
  expect((await desk.signIn('ann', '1111')).ok).toBe(true);
  return desk;
}

describe('desk tasks', () => {
  it('creates, completes and snoozes offline: shown at once as pending, flushed on reconnect, settled by the events', async () => {
    const desk = await signedInDesk();
    let told = 0;
    desk.on('tasks', () => told++);
    // Online first: a confirmed task to act on later.
    const first = await desk.createTask({ memberId: 'm1', kind: 'call_back', text: '39 码到货后回电', dueAt: Date.now() - HOUR, assignee: 'ann', want: { styleId: 's1', size: 39 } });
    await waitFor(async () => (await desk.listTasks({ scope: 'mine' })).some((x) => x.id === first.taskId && x.sync === null), 5000, 'first confirmed');
    const confirmed = (await desk.listTasks({ scope: 'mine' }))[0]!;
    expect(confirmed).toMatchObject({ kind: 'call_back', status: 'open', member: { id: 'm1', name: '王芳' }, want: { styleId: 's1', size: 39, styleName: 'Style s1' }, createdBy: { clerkId: 'ann' } });
    expect(told).toBeGreaterThan(0);

    await desk.stop();
    await waitFor(async () => (await desk.getConnection()).status === 'offline', 5000, 'offline');
    const second = await desk.createTask({ memberId: 'm2', kind: 'other', text: '生日礼物准备好', dueAt: Date.now(), assignee: null });
    const third = await desk.createTask({ memberId: null, kind: 'other', text: '整理货架', dueAt: Date.now(), assignee: 'ann' });
    await desk.completeTask(first.taskId);
    await desk.snoozeTask(third.taskId, Date.now() + 24 * HOUR);
    // At once, offline: the done task left Today, the snoozed one too; the new store task is pending.
    const mine = await desk.listTasks({ scope: 'mine' });
    expect(mine.map((x) => x.id)).toEqual([]);
    const store = await desk.listTasks({ scope: 'store' });
    expect(store.map((x) => [x.id, x.sync, x.pendingAction])).toEqual([[second.taskId, 'pending', 'create']]);
    expect(store[0]!.member).toMatchObject({ id: 'm2', name: '李娜' });
    expect((await desk.listTasks({ scope: 'member', memberId: 'm1' })).map((x) => x.id)).toEqual([]);
    expect(desk.outbox().map((o) => o.type)).toEqual(['task.create', 'task.create', 'task.done', 'task.snooze']);
    expect((await desk.getConnection()).queued).toBe(4);
    expect(await t.hq.store.read((r) => r.tasks.getTask(second.taskId))).toBeNull();

    desk.start();
    await waitFor(() => desk.outbox().length === 0, 10_000, 'outbox drained');
    const after = await desk.listTasks({ scope: 'store' });
    expect(after.map((x) => [x.id, x.sync])).toEqual([[second.taskId, null]]);
    // HQ has them all once, as the clerk left them.
    const atHq = await t.hq.store.read(async (r) => Promise.all([first, second, third].map((x) => r.tasks.getTask(x.taskId))));
    expect(atHq.map((x) => [x?.status, x?.snoozedUntil !== null])).toEqual([
      ['done', false],
      ['open', false],
      ['open', true],
    ]);
    expect(atHq[0]!.doneBy).toMatchObject({ clerkId: 'ann', clerkName: 'Ann' });
  });

  it("shows another counter's task live, a snapshot's tasks to a new desk, and a refusal until dismissed", async () => {
    const desk = await signedInDesk('Counter 1');
    const { token } = await t.enroll('store-a', 'Counter 2');
    const other = await RecordingDesk.connect(t.hq, token);
    other.send({ t: 'cmd', opId: 'o1', type: 'task.create', clerkId: 'bo', data: { taskId: 'bo-task', memberId: 'm1', kind: 'birthday', text: '', dueAt: Date.now(), assignee: 'bo' } });
    await other.waitFor((f) => f.t === 'cmdAck' && f.opId === 'o1');
    await waitFor(async () => (await desk.listTasks({ scope: 'store' })).some((x) => x.id === 'bo-task'), 5000, 'live task');
    expect(await desk.listTasks({ scope: 'mine' })).toEqual([]); // it is Bo's
    expect((await desk.listTasks({ scope: 'member', memberId: 'm1' })).map((x) => x.id)).toEqual(['bo-task']);

    // A desk enrolled later gets it from its snapshot.
    const { desk: fresh } = await t.desk('store-a', 'Counter 3');
    fresh.start();
    await online(fresh);
    await waitFor(async () => (await fresh.listTasks({ scope: 'store' })).some((x) => x.id === 'bo-task'), 5000, 'snapshot task');

    // Counter 1 snoozes it offline while Counter 2 completes it: HQ refuses the snooze.
    await desk.stop();
    await waitFor(async () => (await desk.getConnection()).status === 'offline', 5000, 'offline');
    other.send({ t: 'cmd', opId: 'o2', type: 'task.done', data: { taskId: 'bo-task' } });
    expect((await other.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === 'o2')).status).toBe('ok');
    const snooze = await desk.snoozeTask('bo-task', Date.now() + HOUR);
    expect((await desk.listTasks({ scope: 'member', memberId: 'm1' }))[0]).toMatchObject({ id: 'bo-task', sync: 'pending', pendingAction: 'snooze' });
    expect(snooze.opId).toBeTruthy();
    desk.start();
    // HQ refused the snooze (the task is done): moot, so it leaves the outbox, and the task every list.
    await waitFor(() => desk.outbox().length === 0, 10_000, 'answered');
    expect(await desk.listTasks({ scope: 'store' })).toEqual([]);
    expect((await t.hq.store.read((r) => r.tasks.getTask('bo-task')))?.snoozedUntil).toBeNull();

    // A refusal that matters (a member HQ does not know) stays on the list until dismissed.
    const ghost = await desk.createTask({ memberId: 'ghost', kind: 'call_back', text: '回电', dueAt: Date.now(), assignee: 'ann' });
    await waitFor(async () => (await desk.listTasks({ scope: 'mine' })).some((x) => x.id === ghost.taskId && x.sync === 'rejected'), 10_000, 'refused create');
    expect((await desk.listTasks({ scope: 'mine' }))[0]).toMatchObject({ pendingAction: 'create', rejection: { code: 'not_found' } });
    expect((await desk.getConnection()).queued).toBe(0);
    await desk.dismissTaskRejection(ghost.taskId);
    expect(await desk.listTasks({ scope: 'mine' })).toEqual([]);
    expect(desk.outbox()).toEqual([]);
    other.close();
  });

  it('refuses bad arguments at the façade and an unknown task', async () => {
    const desk = await signedInDesk();
    await expect(desk.createTask({ memberId: null, kind: 'other', text: '', dueAt: Date.now(), assignee: null })).rejects.toThrow(/invalid_argument|text/);
    await expect(desk.createTask({ memberId: null, kind: 'restock' as 'other', text: 'x', dueAt: Date.now(), assignee: null })).rejects.toThrow(/createTask/);
    await expect(desk.completeTask('no-such-task')).rejects.toThrow(/no task/);
    await expect(desk.snoozeTask('no-such-task', -1)).rejects.toThrow(/snoozeTask/);
    expect(desk.outbox()).toEqual([]);
  });
});
