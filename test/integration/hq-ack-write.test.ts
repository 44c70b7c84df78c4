// Desks' acks reach `devices.acked_seq` together: within `ackWriteMs` (a minute by default), at the
// next write once the desk leaves the node, and when the node closes — not each ack, nor every
// second (deskHub.ts `pendingAcks`, ackBuckets.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

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
    const { deviceId, seq } = await oneDeskAcked();
    // Longer than the one-second write this replaced: the ack has reached HQ, its row is not written yet.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ackedSeq(t!, deviceId)).toBe(0);
    await t!.restart();
    expect(await ackedSeq(t!, deviceId)).toBe(seq);
  });

  it("writes a desk's ack at the next write when the desk leaves the node", async () => {
    const { desk, deviceId, seq } = await oneDeskAcked();
    await new Promise((r) => setTimeout(r, 300));
    desk.close();
    // The next write is within a second (a minute / 60 buckets); without the desk leaving, a minute.
    await expect.poll(() => ackedSeq(t!, deviceId), { timeout: 3_000, interval: 50 }).toBe(seq);
  });
});
