// A desk given several HQ addresses against real HQs: it connects through a dead address to a
// live one, and when its node goes away it fails over to another node on the same database and
// resumes by (epoch, seq) — no reset, no lost or doubled event, its offline outbox delivered once.
//
// Two HQ processes cannot share one SQLite file for writes, so "another node" is simulated: node B
// is started on node A's database only after A is closed, at an address the desk was given from
// the start (on PostgreSQL too, so the test is the same on every adapter). A chain's nodes share
// PostgreSQL at the same time; the desk sees the same thing.
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeskCore, enroll } from '../../electron/desk/deskCore.ts';
import { FAST, FAST_HQ, TestHq } from '../support/hq.ts';
import { STORE_A } from '../support/seeds.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'nanjingSanlitun' });
});
afterEach(async () => {
  await t.dispose();
});

/** A free port: bound, then released (nothing listens there until a test starts something). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const online = async (desk: DeskCore) => (await desk.getConnection()).status === 'online';

/** Enroll at `t`'s HQ and open a desk on the given addresses (not started); `random: () => 0` starts at the first one. */
async function deskAt(hqUrls: string[], lines: string[] = []): Promise<{ desk: DeskCore; token: string }> {
  // `await`: createEnrollmentCode answers a string, or a Promise of one on the async store.
  const e = await enroll([t.url], await t.hq.createEnrollmentCode(STORE_A), 'Counter 1');
  const desk = DeskCore.open({ dbPath: join(t.dir, `desk-${t.desks.length}.db`), hqUrls, token: e.token, ...FAST, random: () => 0, log: (l) => lines.push(l) });
  t.desks.push(desk);
  return { desk, token: e.token };
}

describe('desk with several HQ addresses', () => {
  it('connects through a dead address to the live one', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const { desk } = await deskAt([dead, t.url], lines);
    desk.start();
    await waitFor(() => online(desk), 5000, 'online via the second address');
    expect(lines.some((l) => l.startsWith(`link: ${dead} closed`))).toBe(true);
    const { visitId } = await t.arrival(STORE_A, 'm1');
    await waitFor(async () => (await desk.getVisit(visitId)) !== null, 5000, 'arrival');
    expect((await desk.getIdentity())?.hqUrls).toEqual([dead, t.url]);
  });

  it('fails over to another node on the same database and resumes with no loss', async () => {
    const urlA = t.url;
    const urlB = `http://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    const { desk, token } = await deskAt([urlA, urlB], lines);
    const alerts: string[] = [];
    desk.on('arrival', ({ visit }) => alerts.push(visit.id));
    desk.start();
    await waitFor(() => online(desk), 5000, 'online at node A');
    const first = await t.arrival(STORE_A, 'm1');
    const second = await t.arrival(STORE_A, 'm3');
    await waitFor(async () => (await desk.getVisit(second.visitId)) !== null, 5000, 'arrivals at node A');
    await desk.claimVisit(first.visitId);
    await waitFor(async () => (await desk.getConnection()).queued === 0, 5000, 'claim confirmed by node A');
    const resetsBefore = desk.stats.resets;
    const epochBefore = desk.position.epoch;

    // Node A goes away; the desk keeps working offline (its claim waits in the outbox).
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'offline');
    await desk.claimVisit(second.visitId);
    expect((await desk.getConnection()).queued).toBe(1);
    // A while with no node at all: the desk goes round its list (A, B, backoff, A, B…).
    await new Promise((r) => setTimeout(r, 300));

    // Node B comes up on the same data; the desk, already given its address, moves there.
    await t.up({ port: Number(new URL(urlB).port) });
    await waitFor(() => online(desk), 10_000, 'online at node B');
    await waitFor(async () => (await desk.getConnection()).queued === 0, 5000, 'offline claim delivered by node B');
    // It was dropped by A, tried B while B was not there yet and A again, and found B when B came.
    expect(lines.some((l) => l.startsWith(`link: ${urlA} closed code=1001`))).toBe(true);
    expect(lines.some((l) => l.startsWith(`link: ${urlB} closed`))).toBe(true);
    expect(lines.filter((l) => l.startsWith(`link: ${urlA} closed`)).length).toBeGreaterThan(1);

    // Resumed, not rebuilt: same epoch, no second snapshot.
    expect(desk.position.epoch).toBe(epochBefore);
    expect(desk.stats.resets).toBe(resetsBefore);

    // New arrivals at node B reach the desk; HQ's log and the desk agree on everything.
    const third = await t.arrival(STORE_A, 'm5');
    await waitFor(async () => (await desk.getVisit(third.visitId)) !== null, 5000, 'arrival at node B');
    const snap = await t.snapshot(token);
    await waitFor(() => desk.position.seq === snap.position.seq, 5000, 'desk caught up with node B');
    expect(desk.position).toEqual(snap.position);
    expect(desk.stats.gaps).toBe(0);
    const atHq = new Map(snap.visits.map((v) => [v.id, v]));
    for (const id of [first.visitId, second.visitId, third.visitId]) {
      const mine = await desk.getVisit(id);
      expect(mine, id).toMatchObject({ status: atHq.get(id)!.status, pendingAction: null, rejection: null });
    }
    expect(atHq.get(first.visitId)!.claimedBy?.deviceName).toBe('Counter 1');
    expect(atHq.get(second.visitId)!.claimedBy?.deviceName).toBe('Counter 1');
    // One alert per visit across the failover (the replay raised none twice).
    expect(alerts.sort()).toEqual([first.visitId, second.visitId, third.visitId].sort());
  });
});
