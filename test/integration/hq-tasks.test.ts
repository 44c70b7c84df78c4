// Follow-up tasks at HQ over real desk sockets: create / done / snooze and their events, exactly
// once per opId and per taskId, store isolation, the restock trigger (once for 0 → 3, not again for
// 3 → 5), and the birthday-week sweep (one task per member and year, even from two HQ nodes on one
// PostgreSQL at once).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSystemTask } from '../../hq/app/tasks/system.ts';
import { startHq } from '../../hq/server.ts';
import { type CmdAckFrame, type EvFrame } from '../../shared/protocol.ts';
import { type Task } from '../../shared/tasks.ts';
import { TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

const ackFor = (desk: RecordingDesk, opId: string) => desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId);
const taskEvents = (desk: RecordingDesk) => desk.events().filter((e): e is Extract<EvFrame, { type: 'task.created' | 'task.updated' }> => e.type === 'task.created' || e.type === 'task.updated');
const create = (opId: string, taskId: string, over: Record<string, unknown> = {}) => ({
  t: 'cmd',
  opId,
  type: 'task.create',
  clerkId: 'ann',
  data: { taskId, memberId: 'm1', kind: 'call_back', text: '到货后回电', dueAt: Date.now() + 3600_000, assignee: 'ann', ...over },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('tasks over the desk socket', () => {
  let t: TestHq;
  beforeEach(async () => {
    t = await TestHq.start({ seed: 'storesAB' });
    const res = await t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'xu', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
    ]);
    expect(res.status).toBe(200);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('creates, snoozes and completes a task; every desk of the store hears it, naming the op and the clerk', async () => {
    const a = await t.enroll('store-a', 'A1');
    const a2 = await t.enroll('store-a', 'A2');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    const other = await RecordingDesk.connect(t.hq, a2.token);
    const due = Date.now() + 3600_000;
    desk.send(create('op-c', 'task-1', { dueAt: due, want: { styleId: 's1', size: 39 } }));
    expect(await ackFor(desk, 'op-c')).toMatchObject({ status: 'ok' });
    const created = await other.waitFor<EvFrame>((f) => f.t === 'ev' && f.type === 'task.created');
    if (created.t !== 'ev' || created.type !== 'task.created') throw new Error('type');
    expect(created.data.opId).toBe('op-c');
    expect(created.data.by).toMatchObject({ deviceId: a.deviceId, clerkId: 'ann', clerkName: 'Ann' });
    expect(created.data.task).toMatchObject({ id: 'task-1', storeId: 'store-a', memberId: 'm1', kind: 'call_back', status: 'open', dueAt: due, assignee: 'ann', want: { styleId: 's1', size: 39, styleName: 'Style s1' } });

    const until = Date.now() + 24 * 3600_000;
    desk.send({ t: 'cmd', opId: 'op-s', type: 'task.snooze', clerkId: 'ann', data: { taskId: 'task-1', until } });
    expect(await ackFor(desk, 'op-s')).toMatchObject({ status: 'ok' });
    desk.send({ t: 'cmd', opId: 'op-d', type: 'task.done', clerkId: 'ann', data: { taskId: 'task-1' } });
    expect(await ackFor(desk, 'op-d')).toMatchObject({ status: 'ok' });
    await other.waitFor((f) => f.t === 'ev' && f.type === 'task.updated' && f.data.opId === 'op-d');
    const updates = taskEvents(other).filter((e) => e.type === 'task.updated');
    expect(updates.map((e) => [e.data.opId, e.data.task.status, e.data.task.snoozedUntil])).toEqual([
      ['op-s', 'open', until],
      ['op-d', 'done', null],
    ]);
    expect(updates[1]!.data.task.doneBy).toMatchObject({ clerkId: 'ann' });
    const stored = await t.hq.store.read((r) => r.tasks.getTask('task-1'));
    expect(stored).toMatchObject({ status: 'done', doneBy: { clerkId: 'ann' } });
    // A snooze of a done task is refused and changes nothing.
    desk.send({ t: 'cmd', opId: 'op-s2', type: 'task.snooze', clerkId: 'ann', data: { taskId: 'task-1', until } });
    expect(await ackFor(desk, 'op-s2')).toMatchObject({ status: 'rejected', rejection: { code: 'invalid' } });
    desk.close();
    other.close();
  });

  it('is exactly once: a resent opId is a duplicate, the same taskId under a new opId is still one task, done twice is done once', async () => {
    const a = await t.enroll('store-a', 'A1');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    const before = (await t.position('store-a')).seq;
    const cmd = create('op-1', 'task-x');
    desk.send(cmd);
    const first = await ackFor(desk, 'op-1');
    expect(first).toMatchObject({ status: 'ok', seq: before + 1 });
    desk.frames.length = 0;
    desk.send(cmd);
    expect(await ackFor(desk, 'op-1')).toMatchObject({ status: 'duplicate', seq: before + 1 });
    desk.send(create('op-2', 'task-x', { text: 'another text' }));
    expect(await ackFor(desk, 'op-2')).toMatchObject({ status: 'ok', seq: null });
    desk.send({ t: 'cmd', opId: 'op-3', type: 'task.done', data: { taskId: 'task-x' } });
    desk.send({ t: 'cmd', opId: 'op-4', type: 'task.done', data: { taskId: 'task-x' } });
    expect(await ackFor(desk, 'op-3')).toMatchObject({ status: 'ok', seq: before + 2 });
    expect(await ackFor(desk, 'op-4')).toMatchObject({ status: 'ok', seq: null });
    await sleep(100);
    expect((await t.position('store-a')).seq).toBe(before + 2);
    expect(await t.hq.store.read((r) => r.tasks.getTask('task-x'))).toMatchObject({ text: '到货后回电', status: 'done' });
    desk.close();
  });

  it("keeps stores apart: another store's task is unknown, its clerks cannot be assigned, its desks hear nothing", async () => {
    const a = await t.enroll('store-a', 'A1');
    const b = await t.enroll('store-b', 'B1');
    const deskA = await RecordingDesk.connect(t.hq, a.token);
    const deskB = await RecordingDesk.connect(t.hq, b.token);
    deskA.send(create('op-a', 'task-a'));
    expect(await ackFor(deskA, 'op-a')).toMatchObject({ status: 'ok' });
    deskB.send({ t: 'cmd', opId: 'op-b1', type: 'task.done', data: { taskId: 'task-a' } });
    deskB.send({ t: 'cmd', opId: 'op-b2', type: 'task.snooze', data: { taskId: 'task-a', until: Date.now() + 60_000 } });
    deskB.send(create('op-b3', 'task-a', { assignee: null, memberId: 'm3' }));
    expect((await ackFor(deskB, 'op-b1')).rejection?.code).toBe('not_found');
    expect((await ackFor(deskB, 'op-b2')).rejection?.code).toBe('not_found');
    expect((await ackFor(deskB, 'op-b3')).rejection?.code).toBe('invalid');
    // Store A cannot give a task to store B's clerk, nor name an unknown member or style.
    deskA.send(create('op-a2', 'task-a2', { assignee: 'xu' }));
    deskA.send(create('op-a3', 'task-a3', { memberId: 'nobody' }));
    deskA.send(create('op-a4', 'task-a4', { want: { styleId: 'no-style', size: 39 } }));
    deskA.send({ t: 'cmd', opId: 'op-a5', type: 'task.create', clerkId: 'xu', data: create('x', 'task-a5').data });
    expect((await ackFor(deskA, 'op-a2')).rejection?.code).toBe('invalid');
    expect((await ackFor(deskA, 'op-a3')).rejection?.code).toBe('not_found');
    expect((await ackFor(deskA, 'op-a4')).rejection?.code).toBe('not_found');
    expect((await ackFor(deskA, 'op-a5')).rejection?.code).toBe('invalid');
    await sleep(100);
    expect(taskEvents(deskB)).toEqual([]);
    expect(await t.hq.store.read((r) => r.tasks.getTask('task-a'))).toMatchObject({ storeId: 'store-a', status: 'open' });
    // The snapshot of each store carries only its own tasks.
    expect((await t.snapshot(a.token)).tasks!.map((x) => x.id)).toEqual(['task-a']);
    expect((await t.snapshot(b.token)).tasks).toEqual([]);
    deskA.close();
    deskB.close();
  });

  it('refuses a bad task frame (unknown kind, a system kind, text too long) with 4000, applying nothing', async () => {
    const a = await t.enroll('store-a', 'A1');
    for (const data of [
      { ...create('x', 't1').data, kind: 'restock' },
      { ...create('x', 't2').data, kind: 'nonsense' },
      { ...create('x', 't3').data, text: 'x'.repeat(501) },
    ]) {
      const desk = await RecordingDesk.connect(t.hq, a.token);
      desk.send({ t: 'cmd', opId: 'bad', type: 'task.create', data });
      expect((await desk.closed).code).toBe(4000);
    }
    expect(await t.hq.store.read((r) => r.tasks.tasksOfStore('store-a', 0, 100))).toEqual([]);
  });

  it('makes a restock task once when a wanted size goes from 0 to 3, not again from 3 to 5, and closes the want', async () => {
    const a = await t.enroll('store-a', 'A1');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    desk.send(create('op-w', 'want-1', { want: { styleId: 's1', size: 39 }, assignee: null }));
    expect(await ackFor(desk, 'op-w')).toMatchObject({ status: 'ok' });
    // Another store's stock of that size, and another size here, trigger nothing.
    await t.ingest('stock', [
      { storeId: 'store-b', styleId: 's1', color: 'BLK', size: 39, qty: 4 },
      { storeId: 'store-a', styleId: 's1', color: 'BLK', size: 37, qty: 1 },
    ]);
    await sleep(150);
    expect(taskEvents(desk).filter((e) => e.type === 'task.created' && e.data.task.kind === 'restock')).toEqual([]);

    await t.ingest('stock', [{ storeId: 'store-a', styleId: 's1', color: 'BLK', size: 39, qty: 3 }]);
    const restock = await desk.waitFor<EvFrame>((f) => f.t === 'ev' && f.type === 'task.created' && f.data.task.kind === 'restock');
    if (restock.t !== 'ev' || restock.type !== 'task.created') throw new Error('type');
    expect(restock.data.by).toBeNull();
    expect(restock.data.task).toMatchObject({ storeId: 'store-a', memberId: 'm1', kind: 'restock', refId: 'want-1', assignee: 'ann', want: { styleId: 's1', size: 39, styleName: 'Style s1' } });
    const closed = await desk.waitFor<EvFrame>((f) => f.t === 'ev' && f.type === 'task.updated' && f.data.task.id === 'want-1');
    if (closed.t !== 'ev' || closed.type !== 'task.updated') throw new Error('type');
    expect(closed.data.task.status).toBe('done');

    const head = (await t.position('store-a')).seq;
    await t.ingest('stock', [{ storeId: 'store-a', styleId: 's1', color: 'BLK', size: 39, qty: 5 }]);
    await t.ingest('stock', [{ storeId: 'store-a', styleId: 's1', color: 'BLK', size: 39, qty: 0 }]);
    await t.ingest('stock', [{ storeId: 'store-a', styleId: 's1', color: 'BLK', size: 39, qty: 2 }]);
    await sleep(150);
    expect((await t.position('store-a')).seq).toBe(head);
    const tasks = await t.hq.store.read((r) => r.tasks.tasksOfStore('store-a', 0, 100));
    expect(tasks.filter((x) => x.kind === 'restock')).toHaveLength(1);
    desk.close();
  });
});

describe('a hold about to expire (the function part C calls)', () => {
  it('makes one hold_expiring task per hold, however often it is called, in the transaction of the caller', async () => {
    const t = await TestHq.start({ seed: 'storesAB' });
    try {
      const a = await t.enroll('store-a', 'A1');
      const desk = await RecordingDesk.connect(t.hq, a.token);
      const due = Date.now() + 3600_000;
      const call = () => t.hq.eventLog.write((tx, append) => createSystemTask(tx, append, { storeId: 'store-a', memberId: 'm1', kind: 'hold_expiring', refId: 'hold-42', dueAt: due }));
      const [first, second] = [await call(), await call()];
      expect(first.created).toBe(true);
      expect(second).toEqual({ task: first.task, created: false });
      expect(first.task).toMatchObject({ id: 'hold:store-a:hold-42', kind: 'hold_expiring', refId: 'hold-42', dueAt: due, assignee: null, createdBy: null });
      await desk.waitFor((f) => f.t === 'ev' && f.type === 'task.created' && f.data.task.id === 'hold:store-a:hold-42');
      await sleep(100);
      expect(taskEvents(desk)).toHaveLength(1);
      // A caller that fails after it leaves no task behind.
      await expect(
        t.hq.eventLog.write(async (tx, append) => {
          await createSystemTask(tx, append, { storeId: 'store-a', memberId: 'm1', kind: 'hold_expiring', refId: 'hold-43', dueAt: due });
          throw new Error('the hold change failed');
        }),
      ).rejects.toThrow('the hold change failed');
      expect(await t.hq.store.read((r) => r.tasks.getTask('hold:store-a:hold-43'))).toBeNull();
      desk.close();
    } finally {
      await t.dispose();
    }
  });
});

describe('birthday-week tasks', () => {
  // Two HQ nodes on one PostgreSQL schema, sweeping at the same moment.
  let t: TestHq;
  let second: Awaited<ReturnType<typeof startHq>>;
  const now = Date.now();
  /** "MM-DD" of the day `days` after today in China (the stores' default offset, UTC+8). */
  const monthDay = (days: number) => {
    const d = new Date(now + 8 * 3600_000 + days * 86_400_000);
    return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  };
  beforeAll(async () => {
    t = await TestHq.start({ adapter: 'postgres', seed: 'storesAB', birthdaySweepMs: 0 });
    const [, pgUrl, , pgSchema] = t.adminArgs;
    second = await startHq({ port: 0, log: () => {}, pgUrl, pgSchema, birthdaySweepMs: 0 });
    const member = (id: string, code: string, homeStoreId: string, birthday: string | null, contact: boolean) => ({
      id,
      code,
      name: `会员${id}`,
      homeStoreId,
      sizes: { eu: 40, cn: 250 },
      phone: '13900000000',
      birthday,
      consents: { marketing: false, personalization: true, contact },
    });
    await t.ingest('members', [
      member('b1', 'B0001', 'store-a', monthDay(0), true), // today
      member('b2', 'B0002', 'store-a', monthDay(6), true), // the 7th day
      member('b3', 'B0003', 'store-a', monthDay(7), true), // a day too late
      member('b4', 'B0004', 'store-a', monthDay(2), false), // no contact consent: PIPL
      member('b5', 'B0005', 'store-b', monthDay(1), true),
      member('b6', 'B0006', 'store-a', null, true),
    ]);
  }, 30_000);
  afterAll(async () => {
    await second?.close();
    await t?.dispose();
  });

  it('makes one task per member with a birthday in the coming 7 days and the contact consent, from two nodes at once', async () => {
    const made = await Promise.all([t.hq.sweepBirthdays(now), second.sweepBirthdays(now), t.hq.sweepBirthdays(now), second.sweepBirthdays(now)]);
    expect(made.reduce((a, b) => a + b, 0)).toBe(3);
    const all = async (storeId: string) => (await t.hq.store.read((r) => r.tasks.tasksOfStore(storeId, 0, 100))).filter((x: Task) => x.kind === 'birthday');
    const a = await all('store-a');
    const b = await all('store-b');
    expect(a.map((x) => x.memberId).sort()).toEqual(['b1', 'b2']);
    expect(b.map((x) => x.memberId)).toEqual(['b5']);
    const year = new Date(now + 8 * 3600_000).getUTCFullYear();
    expect(a.find((x) => x.memberId === 'b1')).toMatchObject({ id: `bday:store-a:b1:${year}`, birthday: monthDay(0), assignee: null, createdBy: null, status: 'open' });
    // One task.created event per task in each store's log.
    const logA = (await t.readLog('store-a')).filter((e) => e.type === 'task.created');
    expect(logA).toHaveLength(2);
    // Again, a day later on the other node: the same birthdays make nothing new; b3's is now in the week.
    expect(await second.sweepBirthdays(now + 86_400_000)).toBe(1);
    expect((await all('store-a')).map((x) => x.memberId).sort()).toEqual(['b1', 'b2', 'b3']);
  });
});
