// Restock matches at a real HQ (7/8), on SQLite and on PostgreSQL: a shoe style's size going from 0
// to 3 at a store makes one match of the store's members who consented to personalisation and
// contact, wear the size and like the category (a preference or a purchase), minus those who own
// the style and another store's members; the same line again and an accessory make none;
// `restock.done` over a real desk socket (ok, replace, resend, not_found for another store's match
// and for a member not in it); the snapshot; erasure.
import { afterEach, describe, expect, it } from 'vitest';
import { type RestockMatch } from '../../shared/assist.ts';
import { type CmdAckFrame, type EvFrame } from '../../shared/protocol.ts';
import { TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { restockSeed } from '../support/restockSeed.ts';
import { STORE_A, STORE_B } from '../support/seeds.ts';

const ackFor = (desk: RecordingDesk, opId: string) => desk.waitFor<CmdAckFrame>((f) => f.t === 'cmdAck' && f.opId === opId);
const restockEvents = (log: EvFrame[]) => log.filter((e): e is Extract<EvFrame, { type: 'restock.matched' | 'restock.updated' }> => e.type === 'restock.matched' || e.type === 'restock.updated');

describe.each(['sqlite', 'postgres'] as const)('restock matches on %s', (adapter) => {
  let t: TestHq;
  afterEach(async () => {
    await t?.dispose();
  });

  it('matches the store’s consenting members of that size and category once, acts on them per store, and forgets an erased member', async () => {
    const now = Date.now();
    t = await TestHq.start({ adapter });
    await t.seed(restockSeed(now));
    await t.ingestRaw('clerks', [{ id: 'ann', storeId: STORE_A, name: 'Ann', role: 'clerk', pin: '1111' }]);
    await t.arrival(STORE_A, 'r8'); // r8 (home B) visits A
    const headA = (await t.position(STORE_A)).seq;

    // 0 → 3 of a shoe size: one match; an accessory of the same size: none.
    await t.ingest('stock', [
      { storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 2 },
      { storeId: STORE_A, styleId: 'st-new', color: 'WHT', size: 40, qty: 1 },
      { storeId: STORE_A, styleId: 'sock-run', color: 'BLK', size: 40, qty: 5 },
    ]);
    const log = restockEvents(await t.readLog(STORE_A));
    expect(log.map((e) => e.type)).toEqual(['restock.matched']);
    const match = log[0]!.data.match as RestockMatch;
    expect(match).toMatchObject({ storeId: STORE_A, styleId: 'st-new', styleName: 'Cloud Runner 2', category: 'running', size: 40, qty: 3, done: [] });
    // Platinum first, then most recently seen (r8 was seen here; r1 never).
    expect(match.members.map((m) => [m.memberId, m.tier, m.why])).toEqual([
      ['r2', 'platinum', 'bought'],
      ['r8', 'gold', 'preference'],
      ['r1', 'gold', 'preference'],
    ]);
    expect(match.members[1]!.lastVisitAt).toBeGreaterThanOrEqual(now);
    expect(match.members[2]!.lastVisitAt).toBeNull();
    expect(JSON.stringify(match)).not.toMatch(/phone|1380/);
    expect((await t.position(STORE_A)).seq).toBe(headA + 1);

    // The same write again, more pairs, and 0 → 2 again the same day: no new match.
    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 2 }]);
    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 4 }]);
    await t.ingest('stock', [
      { storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 0 },
      { storeId: STORE_A, styleId: 'st-new', color: 'WHT', size: 40, qty: 0 },
    ]);
    await t.ingest('stock', [{ storeId: STORE_A, styleId: 'st-new', color: 'BLK', size: 40, qty: 2 }]);
    expect((await t.position(STORE_A)).seq).toBe(headA + 1);

    // Store B gets the size too: its own match, of its own members (r7, r8).
    await t.ingest('stock', [{ storeId: STORE_B, styleId: 'st-new', color: 'BLK', size: 40, qty: 1 }]);
    const matchB = restockEvents(await t.readLog(STORE_B))[0]!.data.match;
    expect(matchB.members.map((m) => m.memberId).sort()).toEqual(['r7', 'r8']);

    // restock.done from a desk of store A.
    const a = await t.enroll(STORE_A, 'A1');
    const desk = await RecordingDesk.connect(t.hq, a.token);
    const done = (opId: string, data: Record<string, unknown>) => {
      desk.send({ t: 'cmd', opId, type: 'restock.done', clerkId: 'ann', data });
      return ackFor(desk, opId);
    };
    expect(await done('op-1', { matchId: match.id, memberId: 'r2', how: 'dismissed' })).toMatchObject({ status: 'ok' });
    expect(await done('op-2', { matchId: match.id, memberId: 'r2', how: 'message' })).toMatchObject({ status: 'ok' });
    expect(await done('op-3', { matchId: match.id, memberId: 'r8', how: 'task' })).toMatchObject({ status: 'ok' });
    const head = (await t.position(STORE_A)).seq;
    desk.send({ t: 'cmd', opId: 'op-2', type: 'restock.done', clerkId: 'ann', data: { matchId: match.id, memberId: 'r2', how: 'message' } });
    const acks = () => desk.frames.filter((f) => f.t === 'cmdAck' && f.opId === 'op-2');
    await desk.waitFor(() => acks().length === 2);
    expect(acks()[1]).toMatchObject({ status: 'duplicate' });
    // Another store's match is unknown here; so is a member not in the match.
    const foreign = await done('op-4', { matchId: matchB.id, memberId: 'r8', how: 'message' });
    const unknown = await done('op-5', { matchId: 'rsm:nope', memberId: 'r8', how: 'message' });
    expect(foreign).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    expect(foreign.rejection!.message).toBe(unknown.rejection!.message);
    expect(await done('op-6', { matchId: match.id, memberId: 'r3', how: 'message' })).toMatchObject({ status: 'rejected', rejection: { code: 'not_found' } });
    // A malformed command is refused by the frame schema (an error frame), changing nothing.
    desk.send({ t: 'cmd', opId: 'op-7', type: 'restock.done', clerkId: 'ann', data: { matchId: match.id, memberId: 'r2', how: 'bogus' } });
    expect(await desk.waitFor((f) => f.t === 'error')).toBeTruthy();
    expect((await t.position(STORE_A)).seq).toBe(head);

    const updated = await desk.waitFor<EvFrame>((f) => f.t === 'ev' && f.type === 'restock.updated' && f.data.opId === 'op-3');
    if (updated.t !== 'ev' || updated.type !== 'restock.updated') throw new Error('type');
    expect(updated.data.by).toMatchObject({ deviceId: a.deviceId, clerkId: 'ann' });
    expect(updated.data.match.done.map((d) => [d.memberId, d.how])).toEqual([
      ['r2', 'message'],
      ['r8', 'task'],
    ]);
    const stillB = await t.hq.store.read((r) => r.restock.getMatch(matchB.id));
    expect(stillB!.done).toEqual([]);

    // Snapshot: this store's matches, newest first, with what was done.
    const snap = await t.snapshot(a.token);
    expect(snap.restockMatches!.map((m) => m.id)).toEqual([match.id]);
    expect(snap.restockMatches![0]!.done).toHaveLength(2);

    // Erasure: r8 leaves both stores' matches (members and done); the others stay.
    const res = await fetch(`${t.url}/v1/ingest/members/r8`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    const [afterA, afterB] = await t.hq.store.read(async (r) => [await r.restock.getMatch(match.id), await r.restock.getMatch(matchB.id)]);
    expect(afterA!.members.map((m) => m.memberId)).toEqual(['r2', 'r1']);
    expect(afterA!.done.map((d) => d.memberId)).toEqual(['r2']);
    expect(afterB!.members.map((m) => m.memberId)).toEqual(['r7']);
    expect(await t.hq.store.read((r) => r.restock.matchesOfMember('r8'))).toEqual([]);
    expect(JSON.stringify(await t.snapshot(a.token))).not.toContain('"r8"');
    desk.close();
  });
});
