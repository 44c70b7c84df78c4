// Resume: exact replay from a position, resets (stale epoch, too old, ahead), no loss or
// duplicates across replay → live, and an HQ restart on the same file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ResetFrame } from '../../shared/protocol.ts';
import { type Position, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

let t: TestHq;
/** Store A's position after the seed (its members' `member.updated` events): the test's events follow it. */
let A: Position;
beforeEach(async () => {
  t = await TestHq.start({ seed: 'storesAB' });
  A = await t.position('store-a');
});
afterEach(async () => {
  await t.dispose();
});

/** n arrivals at store A, alternating members far enough apart to be new visits. */
async function arrivals(n: number, start = Date.now() - 10 * 60 * 60 * 1000) {
  for (let i = 0; i < n; i++) await t.postArrival({ storeId: 'store-a', memberId: i % 2 ? 'm1' : 'm2', source: 'door', at: start + i * 31 * 60 * 1000 });
}

describe('resume', () => {
  it('replays exactly N+1..head, then goes live without gaps or repeats', async () => {
    await arrivals(6);
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 2 } });
    await desk.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 6);
    expect(desk.events().map((e) => e.seq)).toEqual([3, 4, 5, 6].map((n) => A.seq + n));
    expect(desk.frames.some((f) => f.t === 'reset')).toBe(false);
    await arrivals(2, Date.now() - 40 * 60 * 1000); // 31 minutes apart, neither after HQ's clock
    await desk.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 8);
    expect(desk.events().map((e) => e.seq)).toEqual([3, 4, 5, 6, 7, 8].map((n) => A.seq + n));
    desk.close();
  });

  it('hands over from a long replay to live events with none lost or doubled', async () => {
    // More than one replay page, with arrivals committed while the replay is in flight.
    const base = Date.now() - 400 * 60 * 60 * 1000;
    const posts: Promise<unknown>[] = [];
    for (let i = 0; i < 450; i++) posts.push(t.postArrival({ storeId: 'store-a', memberId: i % 2 ? 'm1' : 'm2', source: 'door', at: base + i * 31 * 60 * 1000 }));
    await Promise.all(posts.splice(0));
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq } });
    for (let i = 450; i < 480; i++) posts.push(t.postArrival({ storeId: 'store-a', memberId: i % 2 ? 'm1' : 'm2', source: 'door', at: base + i * 31 * 60 * 1000 }));
    await Promise.all(posts);
    await desk.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 480, 8000);
    expect(desk.events().map((e) => e.seq)).toEqual(Array.from({ length: 480 }, (_, i) => A.seq + i + 1));
    desk.close();
  });

  it('resets on a stale epoch, a position ahead of HQ, and a gap older than the retained log', async () => {
    await t.restart({ retainEvents: 3 });
    await arrivals(6);
    const { token } = await t.enroll('store-a');
    const reset = async (resume: { epoch: string; seq: number }) => {
      const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume });
      const frame = await desk.waitFor<ResetFrame>((f) => f.t === 'reset');
      desk.close();
      await desk.closed;
      return frame;
    };
    expect(await reset({ epoch: 'old-epoch', seq: A.seq + 6 })).toMatchObject({ reason: 'epoch_changed', epoch: A.epoch, head: A.seq + 6 });
    expect(await reset({ epoch: A.epoch, seq: A.seq + 9 })).toMatchObject({ reason: 'ahead_of_hq' });
    expect(await reset({ epoch: A.epoch, seq: A.seq + 1 })).toMatchObject({ reason: 'gap_too_old' });
    // Oldest retained is A.seq + 4, so resuming from A.seq + 3 still replays everything missed.
    const ok = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 3 } });
    await ok.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 6);
    expect(ok.events().map((e) => e.seq)).toEqual([4, 5, 6].map((n) => A.seq + n));
    ok.close();
  });

  it('rotateEpoch resets connected desks and later resumes', async () => {
    await arrivals(2);
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 2 } });
    const epoch = await t.hq.rotateEpoch('store-a');
    expect(await desk.waitFor<ResetFrame>((f) => f.t === 'reset')).toMatchObject({ epoch, head: A.seq + 2, reason: 'epoch_changed' });
    desk.close();
    await desk.closed;
    const again = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 2 } });
    expect(await again.waitFor<ResetFrame>((f) => f.t === 'reset')).toMatchObject({ epoch, reason: 'epoch_changed' });
    again.close();
    // The snapshot names the new epoch, and resuming from it works.
    const snap = (await (await fetch(`${t.hq.url}/v1/snapshot`, { headers: { authorization: `Bearer ${token}` } })).json()) as { position: { epoch: string; seq: number } };
    expect(snap.position).toEqual({ epoch, seq: A.seq + 2 });
    const resumed = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: snap.position });
    await arrivals(1, Date.now());
    await resumed.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 3);
    expect(resumed.frames.some((f) => f.t === 'reset')).toBe(false);
    resumed.close();
  });

  it('keeps seq, epoch, tokens and remembered ops across an HQ restart', async () => {
    await arrivals(3);
    const { token } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 3 } });
    const { body } = await t.postArrival({ storeId: 'store-a', memberId: 'm1', source: 'door' });
    desk.send({ t: 'cmd', opId: 'op-r', type: 'claim', data: { visitId: body.visitId } });
    await desk.waitFor((f) => f.t === 'cmdAck');
    const key = t.hq.integrationKey;
    await t.restart();
    expect((await desk.closed).code).toBe(1001);
    expect(t.hq.integrationKey).toBe(key);
    const back = await RecordingDesk.connect(t.hq, token, { t: 'hello', v: 1, resume: { epoch: A.epoch, seq: A.seq + 2 } });
    await back.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 5);
    expect(back.frames[0]).toMatchObject({ t: 'welcome', epoch: A.epoch, head: A.seq + 5 });
    expect(back.events().map((e) => e.seq)).toEqual([3, 4, 5].map((n) => A.seq + n));
    back.send({ t: 'cmd', opId: 'op-r', type: 'claim', data: { visitId: body.visitId } });
    expect(await back.waitFor((f) => f.t === 'cmdAck')).toMatchObject({ status: 'duplicate', seq: A.seq + 5 });
    await t.postArrival({ storeId: 'store-a', memberId: 'm2', source: 'door' });
    await back.waitFor((f) => f.t === 'ev' && f.seq === A.seq + 6);
    back.close();
  });
});
