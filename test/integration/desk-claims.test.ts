// Claims against a real HQ with real desk cores on their own cache files: a claim lost while
// offline is told on the loser's desk until dismissed (a restart and later events included); the
// clerks' action times are what HQ records and reports, bounded, with an offline race settled by the
// earlier action whatever the reconnect order; a claim belongs to its clerk and changes hands only by
// an explicit, recorded take-over; arrivals nobody claims leave the queue as unserved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { applyCommand } from '../../hq/app/commands.ts';
import { startHq } from '../../hq/server.ts';
import { SWEEP_WRITES_PER_TURN } from '../../hq/app/storeSweep.ts';
import { type VisitView } from '../../shared/deskApi.ts';
import { type CmdAckFrame, type EvFrame, type VisitCmdFrame } from '../../shared/protocol.ts';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun', unservedSweepMs: 0 });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';
const offline = async (d: DeskCore) => (await d.getConnection()).status === 'offline';
const hqVisit = (id: string) => t.hq.store.read((r) => r.getVisit(id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** HQ corrects a desk's times by the clock offset it measured at hello: on one machine, within the hello's few milliseconds in flight. */
const near = (at: number) => expect.toSatisfy((x: number) => Math.abs(x - at) <= 25, `within 25 ms of ${at}`);

async function twoDesksWith(...members: string[]) {
  const c1 = await t.desk(STORE_A, 'Counter 1');
  const c2 = await t.desk(STORE_A, 'Counter 2');
  c1.desk.start();
  c2.desk.start();
  await waitFor(async () => (await online(c1.desk)) && (await online(c2.desk)), 5000, 'both online');
  const visits: string[] = [];
  for (const m of members) visits.push((await t.arrival(STORE_A, m)).visitId);
  await waitFor(async () => {
    for (const id of visits) if (!(await c1.desk.getVisit(id)) || !(await c2.desk.getVisit(id))) return false;
    return true;
  }, 5000, 'visits on both desks');
  return { c1, c2, visits };
}

describe('a lost claim is told', () => {
  it('two counters claim offline: the earlier claim wins whoever reconnects first, and the loser is told until a clerk dismisses it', async () => {
    const { c1, c2, visits } = await twoDesksWith('m3', 'm5');
    const [x, y] = visits as [string, string];
    await t.down();
    await waitFor(async () => (await offline(c1.desk)) && (await offline(c2.desk)), 5000, 'both offline');
    // X: Counter 1 acts first. Y: Counter 2 acts first.
    await c1.desk.claimVisit(x);
    await c2.desk.claimVisit(y);
    await sleep(40);
    await c2.desk.claimVisit(x);
    await c1.desk.claimVisit(y);
    const actedAt = (d: DeskCore, visitId: string) => d.outbox().find((op) => op.visitId === visitId)!.createdAt;
    const c1AtX = actedAt(c1.desk, x);
    const c2AtY = actedAt(c2.desk, y);

    // Counter 2 reconnects first and flushes both of its claims; Counter 1 follows.
    await c1.desk.stop();
    await t.up();
    await waitFor(async () => (await c2.desk.getConnection()).queued === 0 && (await online(c2.desk)), 8000, 'counter 2 synced');
    expect((await hqVisit(x))!.claimedBy?.deviceId).toBe(c2.deviceId); // first to reach HQ, for now
    c1.desk.start();
    await waitFor(async () => (await c1.desk.getConnection()).queued === 0 && (await online(c1.desk)), 8000, 'counter 1 synced');

    // The earlier action holds each visit, at its action time.
    expect(await hqVisit(x)).toMatchObject({ status: 'claimed', claimedBy: { deviceId: c1.deviceId }, claimedAt: near(c1AtX) });
    expect(await hqVisit(y)).toMatchObject({ status: 'claimed', claimedBy: { deviceId: c2.deviceId }, claimedAt: near(c2AtY) });
    // X was taken from Counter 2 by the earlier claim; Counter 1's claim of Y was refused. Both are told.
    await waitFor(async () => (await c2.desk.getVisit(x))?.notice != null && (await c1.desk.getVisit(y))?.notice != null, 5000, 'both losers told');
    expect(await c2.desk.getVisit(x)).toMatchObject({ claimedBy: { deviceId: c1.deviceId }, notice: { action: 'claim', code: 'already_claimed', by: { deviceName: 'Counter 1' } } });
    expect(await c1.desk.getVisit(y)).toMatchObject({ claimedBy: { deviceId: c2.deviceId }, notice: { action: 'claim', code: 'already_claimed', by: { deviceName: 'Counter 2' } } });
    expect((await c1.desk.getVisit(x))!.notice).toBeNull();
    expect((await c2.desk.getVisit(y))!.notice).toBeNull();

    // The visit's next events do not make it go: the winner notes, then closes.
    await c1.desk.addNote(x, '试了 42 码');
    await c1.desk.closeVisit(x, 'purchased');
    await waitFor(async () => (await c2.desk.getVisit(x))?.status === 'closed', 5000, 'close on counter 2');
    expect((await c2.desk.getVisit(x))!.notice).toMatchObject({ code: 'already_claimed' });

    // Nor does a restart of the desk: it is in the cache.
    await c2.desk.close();
    const reopened = DeskCore.open({ dbPath: c2.dbPath, hqUrls: [t.url], token: c2.token, ...FAST });
    t.desks.push(reopened);
    expect((await reopened.getVisit(x))!.notice).toMatchObject({ code: 'already_claimed', by: { deviceName: 'Counter 1' } });
    const shown: VisitView[] = [];
    reopened.on('visits', ({ visits: v }) => shown.push(...v));
    await reopened.dismissNotice(x);
    expect((await reopened.getVisit(x))!.notice).toBeNull();
    expect(shown.find((v) => v.id === x)?.notice).toBeNull();
    await reopened.close();
    const again = DeskCore.open({ dbPath: c2.dbPath, hqUrls: [t.url], token: c2.token, ...FAST });
    t.desks.push(again);
    expect((await again.getVisit(x))!.notice).toBeNull();
  });
});

describe('action time, not sync time', () => {
  it('claims, notes and closes made offline are recorded when the clerk acted, and the report’s time to claim uses it', async () => {
    const c = await t.desk(STORE_A, 'Counter 1');
    c.desk.start();
    await waitFor(() => online(c.desk), 5000, 'online');
    const { visitId } = await t.arrival(STORE_A, 'm7');
    await waitFor(async () => (await c.desk.getVisit(visitId)) !== null, 5000, 'visit');
    const arrivedAt = (await hqVisit(visitId))!.arrivedAt;

    await t.down();
    await waitFor(() => offline(c.desk), 5000, 'offline');
    await sleep(200);
    await c.desk.claimVisit(visitId);
    await sleep(100);
    await c.desk.addNote(visitId, '喜欢白色');
    await sleep(100);
    await c.desk.closeVisit(visitId, 'tried');
    const [claim, note, close] = c.desk.outbox();
    await sleep(1500); // the outage goes on after the clerk acted
    const upAt = Date.now();
    await t.up();
    await waitFor(async () => (await c.desk.getConnection()).queued === 0 && (await online(c.desk)), 8000, 'synced');

    const v = (await hqVisit(visitId))!;
    expect(v).toMatchObject({ status: 'closed', outcome: 'tried', claimedAt: near(claim!.createdAt), closedAt: near(close!.createdAt) });
    expect(v.notes.map((n) => n.at)).toEqual([near(note!.createdAt)]);
    expect(v.closedAt!).toBeLessThan(upAt);
    const figures = await t.hq.store.read((r) => r.clerks.figures([STORE_A], { from: arrivedAt - 1, to: arrivedAt + 1, tzOffsetMin: 480, limit: 10 }));
    expect(figures.kpis).toMatchObject({ arrivals: 1, served: 1, claimMedianMs: v.claimedAt! - arrivedAt });
    expect(figures.kpis.claimMedianMs!).toBeLessThan(upAt - arrivedAt - 1000);
  });

  it('corrects a desk’s clock by the offset of its hello and bounds the time to [arrival, HQ’s now]', async () => {
    const { token } = await t.enroll(STORE_A, 'Skewed till');
    const skew = -HOUR; // this desk's clock runs an hour behind HQ's
    const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, clock: Date.now() + skew });
    const ack = (opId: string) => desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId);
    const a = (await t.arrival(STORE_A, 'm9')).visitId;
    const b = (await t.arrival(STORE_A, 'm11')).visitId;
    const c = (await t.arrival(STORE_A, 'm13')).visitId;
    const arrivedB = (await hqVisit(b))!.arrivedAt;
    await sleep(300);

    // 200 ms ago by the desk's clock: HQ records 200 ms ago by its own.
    const before = Date.now();
    desk.send({ t: 'cmd', opId: 'claim-a', type: 'claim', data: { visitId: a }, at: before + skew - 200 });
    expect((await ack('claim-a')).status).toBe('ok');
    const claimedAt = (await hqVisit(a))!.claimedAt!;
    expect(claimedAt).toBeGreaterThanOrEqual(before - 200 - 100);
    expect(claimedAt).toBeLessThanOrEqual(before - 200 + 100);

    // Before the arrival (a wrong clock, or a lie): the arrival. In the future: HQ's now.
    desk.send({ t: 'cmd', opId: 'claim-b', type: 'claim', data: { visitId: b }, at: arrivedB + skew - 10 * MIN });
    desk.send({ t: 'cmd', opId: 'note-c', type: 'note', data: { visitId: c, noteId: 'n-c', text: 'later' }, at: Date.now() + skew + 5 * HOUR });
    expect((await ack('claim-b')).status).toBe('ok');
    expect((await ack('note-c')).status).toBe('ok');
    const after = Date.now();
    expect((await hqVisit(b))!.claimedAt).toBe(arrivedB);
    const noteAt = (await hqVisit(c))!.notes[0]!.at;
    expect(noteAt).toBeGreaterThanOrEqual(before);
    expect(noteAt).toBeLessThanOrEqual(after);
    desk.ws.close();
  });

  it('a claim without an action time (an older desk) never displaces a recorded one: HQ’s order settles it, whenever its clock was read', async () => {
    // Two nodes read their clocks as the frames arrive; the one that read it 5 ms earlier waited for
    // the store's lock and commits second. Its claim is HQ's now, not an earlier action of a clerk.
    const [e1, e2] = [await t.enroll(STORE_A, 'Old till 1'), await t.enroll(STORE_A, 'Old till 2')];
    const [d1, d2] = await t.hq.store.read(async (r) => [(await r.getDevice(e1.deviceId))!, (await r.getDevice(e2.deviceId))!]);
    const { visitId } = await t.arrival(STORE_A, 'm23');
    const received = Date.now();
    const claim = (opId: string): VisitCmdFrame => ({ t: 'cmd', opId, type: 'claim', data: { visitId } });
    expect((await applyCommand(t.hq.eventLog, d1, claim('old-1'), received)).status).toBe('ok');
    expect(await applyCommand(t.hq.eventLog, d2, claim('old-2'), received - 5)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'already_claimed', by: { deviceName: 'Old till 1' } },
    });
    expect(await hqVisit(visitId)).toMatchObject({ status: 'claimed', claimedBy: { deviceId: d1.id }, claimedAt: received });
  });
});

describe('claims belong to the clerk', () => {
  it('after a switch of clerk, the other clerk’s claim is theirs: closing it is refused until an explicit, recorded take-over', async () => {
    await t.ingest('clerks', [
      { id: 'li-na', storeId: STORE_A, name: '李娜', role: 'clerk', pin: '1111' },
      { id: 'wang-fang', storeId: STORE_A, name: '王芳', role: 'clerk', pin: '2222' },
    ]);
    const c = await t.desk(STORE_A, 'Counter 1');
    c.desk.start();
    await waitFor(async () => (await online(c.desk)) && (await c.desk.listClerks()).length === 2, 5000, 'online with clerks');
    const { visitId } = await t.arrival(STORE_A, 'm15');
    await waitFor(async () => (await c.desk.getVisit(visitId)) !== null, 5000, 'visit');

    expect((await c.desk.signIn('wang-fang', '2222')).ok).toBe(true);
    await c.desk.claimVisit(visitId);
    await waitFor(async () => (await hqVisit(visitId))?.claimedBy?.clerkId === 'wang-fang', 5000, 'claimed by 王芳');
    const claimedAt = (await hqVisit(visitId))!.claimedAt;

    // Switch clerk: the visit is still 王芳's, on this very counter.
    expect((await c.desk.signIn('li-na', '1111')).ok).toBe(true);
    expect(await c.desk.getVisit(visitId)).toMatchObject({ status: 'claimed', claimedBy: { deviceId: c.deviceId, clerkId: 'wang-fang', clerkName: '王芳' } });

    // 李娜 closes it (or releases it) under 王芳's claim: HQ refuses, and the desk says so until dismissed.
    await c.desk.closeVisit(visitId, 'purchased');
    await waitFor(async () => (await c.desk.getVisit(visitId))?.notice != null, 5000, 'close refused');
    expect(await c.desk.getVisit(visitId)).toMatchObject({ status: 'claimed', notice: { action: 'close', code: 'not_claimed_by_you', by: { clerkName: '王芳' } } });
    await c.desk.releaseVisit(visitId);
    await waitFor(async () => (await c.desk.getVisit(visitId))?.notice?.action === 'release', 5000, 'release refused');
    expect(await hqVisit(visitId)).toMatchObject({ status: 'claimed', claimedBy: { clerkId: 'wang-fang' }, outcome: null });
    await c.desk.dismissNotice(visitId);

    // Take over: explicit, on the visit, in the log and in the manager's timeline.
    await c.desk.takeOverVisit(visitId);
    await waitFor(async () => (await hqVisit(visitId))?.claimedBy?.clerkId === 'li-na', 5000, 'taken over');
    const taken = (await hqVisit(visitId))!;
    expect(taken).toMatchObject({ status: 'claimed', claimedAt, takeovers: [{ from: { clerkName: '王芳' }, by: { clerkName: '李娜' } }] });
    const log = (await t.readLog(STORE_A)).filter((e): e is Extract<EvFrame, { type: 'visit.takenOver' }> => e.type === 'visit.takenOver');
    expect(log.map((e) => [e.data.visit.id, e.data.from.clerkName, e.data.by?.clerkName])).toEqual([[visitId, '王芳', '李娜']]);
    await c.desk.closeVisit(visitId, 'tried');
    await waitFor(async () => (await hqVisit(visitId))?.status === 'closed', 5000, 'closed by 李娜');
    expect(await hqVisit(visitId)).toMatchObject({ outcome: 'tried', claimedBy: { clerkId: 'li-na' } });
    const timeline = await t.hq.store.read((r) => r.clerks.timeline(STORE_A, visitId));
    expect(timeline!.entries.map((e) => [e.kind, e.by, e.text])).toEqual([
      ['arrival', null, null],
      ['claim', '王芳', null],
      ['takeover', '李娜', '王芳'],
      ['close', '李娜', null],
    ]);
    expect(timeline!.visit).toMatchObject({ clerkName: '李娜', outcome: 'tried' });
  });
});

describe('arrivals leave the queue', () => {
  it('a visit nobody claims within the store’s wait is left unserved, once, on every desk; a clerk marks one left in one action; reports count them unserved', async () => {
    const c = await t.desk(STORE_A, 'Counter 1');
    c.desk.start();
    await waitFor(() => online(c.desk), 5000, 'online');
    const [waiting, served, left] = await Promise.all(['m17', 'm19', 'm21'].map(async (m) => (await t.arrival(STORE_A, m)).visitId));
    await waitFor(async () => (await c.desk.counts()).waiting === 3, 5000, 'three waiting');

    await c.desk.markLeft(left!);
    await c.desk.claimVisit(served!);
    await waitFor(async () => (await hqVisit(left!))?.status === 'closed' && (await hqVisit(served!))?.status === 'claimed', 5000, 'left and claimed');
    expect(await hqVisit(left!)).toMatchObject({ outcome: 'left', claimedBy: null, claimedAt: null });

    // Not yet: the default wait is 2 h after the member was last seen.
    expect(await t.hq.sweepUnserved(Date.now() + 2 * HOUR - MIN)).toBe(0);
    const seen = (await hqVisit(waiting!))!.lastSeenAt;
    const later = Date.now() + 2 * HOUR + MIN;
    expect(await t.hq.sweepUnserved(later)).toBe(1);
    expect(await t.hq.sweepUnserved(later)).toBe(0);
    expect(await hqVisit(waiting!)).toMatchObject({ status: 'closed', outcome: 'left', claimedBy: null, claimedAt: null, closedAt: seen + 2 * HOUR });
    const closes = (await t.readLog(STORE_A)).filter((e) => e.type === 'visit.closed' && (e.data as { visit: { id: string } }).visit.id === waiting);
    expect(closes).toHaveLength(1);
    expect(closes[0]!.data).toMatchObject({ by: null, opId: null, visit: { outcome: 'left' } });

    // The desk's queue converges: nothing waits.
    await waitFor(async () => (await c.desk.getVisit(waiting!))?.status === 'closed', 5000, 'left on the desk');
    expect(await c.desk.getVisit(waiting!)).toMatchObject({ outcome: 'left' });
    expect((await c.desk.counts()).waiting).toBe(0);

    // Reports: three arrivals, one served.
    const arrived = (await hqVisit(waiting!))!.arrivedAt;
    const q = { from: arrived - HOUR, to: arrived + HOUR, tzOffsetMin: 480, limit: 10 };
    const figures = await t.hq.store.read((r) => r.clerks.figures([STORE_A], q));
    expect(figures.kpis).toMatchObject({ arrivals: 3, served: 1 });
    const facts = await t.hq.store.read((r) => r.clerks.visitFacts([STORE_A], q));
    expect(facts.filter((v) => v.outcome === 'left').map((v) => v.claimedAt)).toEqual([null, null]);
    expect((await t.hq.store.read((r) => r.clerks.figures([STORE_A], { ...q, served: false }))).kpis.arrivals).toBe(2);
  });

  it('at closing time, the visits nobody claimed are left unserved even before their wait ran out', async () => {
    const now = Date.now();
    // Closing time 10 minutes ago, in the store's zone (UTC+8).
    const local = new Date(now - 10 * MIN + 8 * HOUR);
    const closesAt = `${String(local.getUTCHours()).padStart(2, '0')}:${String(local.getUTCMinutes()).padStart(2, '0')}`;
    await t.ingest('stores', [{ id: STORE_A, name: '上海南京路店', city: '上海', settings: { unservedAfterMin: 180, closesAt, utcOffsetMin: 480 } }]);
    expect((await t.hq.store.read((r) => r.getStore(STORE_A)))!.settings).toEqual({ unservedAfterMin: 180, closesAt, utcOffsetMin: 480, opensAt: null, assistant: true }); // 7/8: opensAt and assistant take their defaults
    const before = (await t.postArrival({ storeId: STORE_A, memberId: 'm23', source: 'door', at: now - 30 * MIN })).body.visitId;
    const after = (await t.postArrival({ storeId: STORE_A, memberId: 'm25', source: 'door', at: now - 5 * MIN })).body.visitId;
    expect(await t.hq.sweepUnserved(now)).toBe(1);
    const closing = Math.floor((now - 10 * MIN) / MIN) * MIN;
    expect(await hqVisit(before)).toMatchObject({ status: 'closed', outcome: 'left', closedAt: closing });
    expect(await hqVisit(after)).toMatchObject({ status: 'open' });
  });

  it('a sweep with many visits to close lets HQ’s event loop turn between its transactions, each visit closed once', async () => {
    // 120 members of the store arrive (one batch), and nobody claims them.
    const ids = Array.from({ length: 120 }, (_, i) => `sweep-m${i}`);
    const members = ids.map((id, i) => ({ id, code: `SW${String(i).padStart(6, '0')}`, name: `会员S${i}`, nameEn: `Member S${i}`, tier: 'basic', phone: `1390000${String(2000 + i)}`, homeStoreId: STORE_A, sizes: { eu: 41, cn: 255 }, preferences: [] }));
    expect(await t.ingest('members', members)).toMatchObject({ imported: 120, errors: [] });
    const batch = (await t.ingest('arrivals/batch', { items: ids.map((memberId) => ({ storeId: STORE_A, memberId, source: 'door' })) })) as { results: { status: string }[] };
    expect(batch.results.filter((r) => r.status === 'created')).toHaveLength(120);
    // SQLite's transactions never wait for I/O: without a deliberate turn between them, nothing
    // else (a door's POST, a desk's frame) would run until the sweep had closed all 120.
    let turns = 0;
    let tick: NodeJS.Immediate = setImmediate(function count() {
      turns++;
      tick = setImmediate(count);
    });
    let closed: number;
    let during: number;
    try {
      const before = turns;
      closed = await t.hq.sweepUnserved(Date.now() + 3 * HOUR);
      during = turns - before;
    } finally {
      clearImmediate(tick);
    }
    expect(closed).toBe(120);
    expect(during).toBeGreaterThanOrEqual(Math.ceil(120 / SWEEP_WRITES_PER_TURN) - 1);
    const closes = (await t.readLog(STORE_A)).filter((e) => e.type === 'visit.closed');
    expect(new Set(closes.map((e) => (e.data as { visit: { id: string } }).visit.id)).size).toBe(120);
    expect(closes).toHaveLength(120);
    expect(await t.hq.sweepUnserved(Date.now() + 3 * HOUR)).toBe(0);
  });

  it('two HQ nodes sweeping one PostgreSQL database at once close each visit once', async () => {
    const pgT = await TestHq.start({ adapter: 'postgres', seed: 'nanjingSanlitun', unservedSweepMs: 0 });
    const [, pgUrl, , pgSchema] = pgT.adminArgs;
    const node2 = await startHq({ pgUrl, pgSchema, port: 0, log: () => {}, unservedSweepMs: 0 });
    try {
      const ids = await Promise.all(['m1', 'm3', 'm5', 'm7', 'm9', 'm11'].map(async (m) => (await pgT.arrival(STORE_A, m)).visitId));
      const later = Date.now() + 3 * HOUR;
      const swept = await Promise.all([pgT.hq.sweepUnserved(later), node2.sweepUnserved(later), pgT.hq.sweepUnserved(later), node2.sweepUnserved(later)]);
      expect(swept.reduce((a, b) => a + b, 0)).toBe(ids.length);
      const closes = (await pgT.readLog(STORE_A)).filter((e) => e.type === 'visit.closed');
      expect(closes.map((e) => (e.data as { visit: { id: string } }).visit.id).sort()).toEqual([...ids].sort());
      for (const id of ids) expect(await pgT.hq.store.read((r) => r.getVisit(id))).toMatchObject({ status: 'closed', outcome: 'left' });
    } finally {
      await node2.close();
      await pgT.dispose();
    }
  });
});
