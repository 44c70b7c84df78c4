// The desk core against a real HQ: fan-out, resume without gap or duplicate, epoch reset,
// HQ restart mid-stream, and store isolation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { type VisitView } from '../../shared/deskApi.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

const online = async (desk: DeskCore) => (await desk.getConnection()).status === 'online';

/** The desk's cache, as HQ would describe it: comparable with the snapshot's visits. */
async function cachedVisits(desk: DeskCore) {
  const views = await desk.listVisits({ limit: 10_000 });
  return views.map(({ member: _m, sync: _s, pendingAction: _p, rejection: _r, notice: _n, notes, ...v }) => ({ ...v, notes: notes.map(({ sync: _x, ...n }) => n) })).sort(byId);
}
const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);

describe('desk ↔ HQ sync', () => {
  it('delivers an arrival to both desks of store A and no desk of store B', async () => {
    const a1 = await t.desk(STORE_A, 'Counter 1');
    const a2 = await t.desk(STORE_A, 'Counter 2');
    const b1 = await t.desk(STORE_B, 'Counter 1');
    const alerts = new Map<DeskCore, VisitView[]>();
    for (const { desk } of [a1, a2, b1]) {
      alerts.set(desk, []);
      desk.on('arrival', ({ visit }) => alerts.get(desk)!.push(visit));
      desk.start();
    }
    await waitFor(async () => (await online(a1.desk)) && (await online(a2.desk)) && (await online(b1.desk)), 5000, 'desks online');

    const { visitId } = await t.arrival(STORE_A, 'm1');
    await waitFor(() => alerts.get(a1.desk)!.length === 1 && alerts.get(a2.desk)!.length === 1, 5000, 'alerts on store A');
    expect(alerts.get(a1.desk)![0]).toMatchObject({ id: visitId, member: { name: '张伟', phoneMasked: expect.stringContaining('*') }, status: 'open', sync: null });
    expect((await a2.desk.getMember('m1'))?.member.name).toBe('张伟');
    // A repeat within 30 minutes updates the visit and raises no second alert.
    await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await a1.desk.getVisit(visitId))?.arrivals === 2, 5000, 'repeat arrival applied');
    expect(alerts.get(a1.desk)).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 150));
    expect(alerts.get(b1.desk)).toEqual([]);
    expect(await b1.desk.getVisit(visitId)).toBeNull();
    // Nothing of the arrival reached store B's cache (getMember would look the member up at HQ).
    expect(await b1.desk.searchMembers({ query: '张伟' })).toEqual([]);
    // Search works from the cache: by Chinese name part and by phone last 4.
    expect((await a1.desk.searchMembers({ query: '伟' })).map((h) => h.id)).toContain('m1');
  });

  it('resumes after missing N events with no gap and no duplicate', async () => {
    const { desk } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await t.arrival(STORE_A, 'm1');
    await waitFor(() => online(desk), 5000, 'online');
    await waitFor(() => desk.position.seq > 0 && desk.stats.applied + desk.stats.resets > 0, 5000, 'first state');
    const before = { ...desk.stats, seq: desk.position.seq };

    await desk.stop();
    const N = 12;
    for (let i = 0; i < N; i++) await t.arrival(STORE_A, `m${2 * i + 3}`);
    const log = await t.readLog(STORE_A);
    const head = log[log.length - 1]!.seq;
    expect(head).toBe(before.seq + N);

    desk.start();
    await waitFor(() => desk.position.seq === head, 5000, 'caught up');
    expect(desk.stats.applied - before.applied).toBe(N);
    expect(desk.stats.gaps).toBe(before.gaps);
    expect(desk.stats.resets).toBe(before.resets);
    // Every visit HQ logged is in the cache exactly as HQ has it.
    const snap = await t.snapshot((await t.enroll(STORE_A, 'checker')).token);
    expect(await cachedVisits(desk)).toEqual([...snap.visits].sort(byId));
    await new Promise((r) => setTimeout(r, 200));
    expect(desk.stats.duplicates).toBe(before.duplicates);
  });

  it('a desk in a stale epoch gets reset, loads the snapshot and converges', async () => {
    const { desk, token } = await t.desk(STORE_A, 'Counter 1', { log: (l) => process.env.DESK_LOG && console.log(l) });
    const resets: number[] = [];
    desk.on('reset', ({ at }) => resets.push(at));
    desk.start();
    await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await desk.listVisits({})).length === 1, 5000, 'first visit');
    await desk.stop();
    const oldEpoch = desk.position.epoch;

    const newEpoch = await t.hq.rotateEpoch(STORE_A);
    await t.arrival(STORE_A, 'm3');
    await t.arrival(STORE_A, 'm5');
    expect(newEpoch).not.toBe(oldEpoch);

    desk.start();
    const snap = () => t.snapshot(token);
    await waitFor(async () => desk.position.epoch === newEpoch && desk.position.seq === (await snap()).position.seq && (await online(desk)), 5000, 'converged');
    expect(resets.length).toBeGreaterThanOrEqual(1);
    expect(await cachedVisits(desk)).toEqual([...(await snap()).visits].sort(byId));

    // A connected desk is reset too when the epoch rotates under it, and stays live afterwards.
    const resetsBefore = desk.stats.resets;
    const e3 = await t.hq.rotateEpoch(STORE_A);
    await waitFor(() => desk.position.epoch === e3 && desk.stats.resets > resetsBefore, 5000, 'live reset');
    await t.arrival(STORE_A, 'm7');
    await waitFor(async () => (await desk.listVisits({})).length === 4, 5000, 'live after reset');
  });

  it('loses nothing when HQ restarts mid-stream', async () => {
    const { desk, token } = await t.desk(STORE_A, 'Counter 1');
    desk.start();
    await waitFor(() => online(desk), 5000, 'online');
    const member = (i: number) => `m${(2 * i + 1) % 30 || 1}`;
    for (let i = 0; i < 8; i++) await t.arrival(STORE_A, member(i));
    await t.down();
    await waitFor(async () => (await desk.getConnection()).status === 'offline', 5000, 'offline');
    await t.up();
    for (let i = 8; i < 15; i++) await t.arrival(STORE_A, member(i));

    const snap = await t.snapshot(token);
    await waitFor(() => desk.position.seq === snap.position.seq, 8000, 'caught up after restart');
    expect(desk.position.epoch).toBe(snap.position.epoch);
    expect(await cachedVisits(desk)).toEqual([...snap.visits].sort(byId));
    expect(desk.stats.gaps).toBe(0);
  });

  it('a token of store A cannot read store B', async () => {
    const a = await t.desk(STORE_A, 'Counter 1');
    a.desk.start();
    await waitFor(() => online(a.desk), 5000, 'online');
    const { visitId: bVisit } = await t.arrival(STORE_B, 'm2');
    const { visitId: aVisit } = await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await a.desk.getVisit(aVisit)) !== null, 5000, 'A visit');

    const snap = await t.snapshot(a.token);
    expect(snap.storeId).toBe(STORE_A);
    expect(snap.visits.map((v) => v.id)).toEqual([aVisit]);
    expect(snap.visits.every((v) => v.storeId === STORE_A)).toBe(true);
    expect(snap.members.concat(snap.profiles.map((p) => p.member)).every((m) => m.homeStoreId === STORE_A || m.id === 'm1')).toBe(true);
    expect(await a.desk.getVisit(bVisit)).toBeNull();
    const logA = await t.readLog(STORE_A);
    expect(logA.some((e) => JSON.stringify(e).includes(bVisit))).toBe(false);
    expect((await a.desk.getIdentity())?.storeId).toBe(STORE_A);
    // No full phone numbers reach the desk.
    expect(JSON.stringify(snap)).not.toMatch(/1380000\d{4}/);
    // A bad token gets nothing.
    const res = await fetch(`${t.url}/v1/snapshot`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });
});
