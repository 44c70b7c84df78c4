// Desks' acks reach `devices.acked_seq` together: within `ackWriteMs` (a minute by default), at the
// next write once the desk leaves the node, and when the node closes — not each ack, nor every
// second (deskHub.ts `pendingAcks`, ackBuckets.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';
import { bucketOf } from '../../hq/edge/ws/ackBuckets.ts';
import { ACK_BUCKETS } from '../../hq/edge/ws/deskHub.ts';

let t: TestHq | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const ackedSeq = async (hq: TestHq, deviceId: string): Promise<number> => (await hq.hq.store.read((r) => r.getDevice(deviceId)))!.ackedSeq;

/** An HQ with its defaults and one desk of store A that received one arrival and acked it. */
async function oneDeskAcked(): Promise<{ desk: RecordingDesk; deviceId: string; seq: number }> {
  t = await TestHq.start({ seed: 'storesAB' });
  const { token, deviceId } = await t.enroll('store-a');
  const desk = await RecordingDesk.connect(t.hq, token);
  const { seq } = await t.arrival('store-a', 'm1');
  await desk.waitFor((f) => f.t === 'ev' && f.seq === seq);
  desk.send({ t: 'ack', seq });
  return { desk, deviceId, seq };
}

describe("desks' acks written to devices", () => {
  it("writes a desk's newest ack within ackWriteMs", async () => {
    t = await TestHq.start({ seed: 'storesAB', ackWriteMs: 600 });
    const { token, deviceId } = await t.enroll('store-a');
    const desk = await RecordingDesk.connect(t.hq, token);
    const first = await t.arrival('store-a', 'm1');
    expect(first.status).toBe('created');
    const second = await t.arrival('store-a', 'm2');
    await desk.waitFor((f) => f.t === 'ev' && f.seq === second.seq);
    desk.send({ t: 'ack', seq: first.seq });
    desk.send({ t: 'ack', seq: second.seq });
    await expect.poll(() => ackedSeq(t!, deviceId), { timeout: 5_000, interval: 50 }).toBe(second.seq);
    desk.close();
  });

  it('by default keeps acks for a minute, and writes them when the node closes', async () => {
    // Ten desks in ten different buckets ack one arrival. The buckets are taken one a second, so in
    // the 1.5 s waited at most two of them come round: a desk's ack may be written in that time
    // only if its bucket happened to be next (with one desk, about one run in thirty saw its row
    // written and failed). Written every second, as before the buckets, all ten would be.
    t = await TestHq.start({ seed: 'storesAB' });
    const desks: { desk: RecordingDesk; deviceId: string }[] = [];
    const buckets = new Set<number>();
    while (desks.length < 10) {
      const { token, deviceId } = await t.enroll('store-a', `Counter ${desks.length + 1}`);
      const bucket = bucketOf(deviceId, ACK_BUCKETS);
      if (buckets.has(bucket)) continue;
      buckets.add(bucket);
      desks.push({ desk: await RecordingDesk.connect(t.hq, token), deviceId });
    }
    const { seq } = await t.arrival('store-a', 'm1');
    for (const { desk } of desks) {
      await desk.waitFor((f) => f.t === 'ev' && f.seq === seq);
      desk.send({ t: 'ack', seq });
    }
    await new Promise((r) => setTimeout(r, 1_500));
    const written = await Promise.all(desks.map(({ deviceId }) => ackedSeq(t!, deviceId)));
    expect(written.every((s) => s === 0 || s === seq)).toBe(true);
    expect(written.filter((s) => s === 0).length).toBeGreaterThanOrEqual(8);
    await t.restart();
    for (const { deviceId } of desks) expect(await ackedSeq(t, deviceId)).toBe(seq);
  });

  it("writes a desk's ack at the next write when the desk leaves the node", async () => {
    const { desk, deviceId, seq } = await oneDeskAcked();
    await new Promise((r) => setTimeout(r, 300));
    desk.close();
    // The next write is within a second (a minute / 60 buckets); without the desk leaving, a minute.
    await expect.poll(() => ackedSeq(t!, deviceId), { timeout: 3_000, interval: 50 }).toBe(seq);
  });
});
