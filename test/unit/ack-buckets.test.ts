// The desks' acks waiting to be written (hq/edge/ws/ackBuckets.ts): each device's newest ack comes
// out within one round of the buckets, once; all of them at close; spread evenly over the round.
import { describe, expect, it } from 'vitest';
import { AckBuckets, bucketOf } from '../../hq/edge/ws/ackBuckets.ts';
import { uuidv7 } from '../../shared/ids.ts';

describe('AckBuckets', () => {
  it("gives each device's newest ack once within one round of takes", () => {
    const acks = new AckBuckets(60);
    const ids = Array.from({ length: 500 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    ids.forEach((id, i) => acks.set(id, i));
    ids.forEach((id, i) => acks.set(id, i + 1000)); // a newer ack replaces the older
    const taken = Array.from({ length: 60 }, () => acks.takeNext()).flat();
    expect(taken.map((a) => a.deviceId).sort()).toEqual([...ids].sort());
    expect(taken.every((a) => a.seq === ids.indexOf(a.deviceId) + 1000)).toBe(true);
    expect(acks.size).toBe(0);
    expect(Array.from({ length: 60 }, () => acks.takeNext()).flat()).toEqual([]);
  });

  it('takes a device in its own bucket only, sorted by id within a take', () => {
    const acks = new AckBuckets(4);
    const ids = ['d-a', 'd-b', 'd-c', 'd-d', 'd-e', 'd-f', 'd-g', 'd-h'];
    for (const id of ids) acks.set(id, 1);
    for (let k = 0; k < 4; k++) {
      const take = acks.takeNext();
      expect(take.every((a) => bucketOf(a.deviceId, 4) === k)).toBe(true);
      expect(take.map((a) => a.deviceId)).toEqual(ids.filter((id) => bucketOf(id, 4) === k));
    }
  });

  it('takeAll empties every bucket, sorted by id', () => {
    const acks = new AckBuckets(60);
    for (const id of ['z', 'a', 'm']) acks.set(id, 7);
    acks.takeNext();
    const rest = acks.takeAll();
    expect(rest.map((a) => a.deviceId)).toEqual(['z', 'a', 'm'].filter((id) => bucketOf(id, 60) !== 0).sort());
    expect(acks.size).toBe(0);
    expect(acks.takeAll()).toEqual([]);
  });

  it('gives an expedited ack with the next take, and a newer ack replaces it', () => {
    const acks = new AckBuckets(60);
    const id = ['d-1', 'd-2', 'd-3', 'd-4'].find((x) => bucketOf(x, 60) !== 0)!;
    acks.set(id, 5);
    acks.expedite(id);
    expect(acks.takeNext()).toEqual([{ deviceId: id, seq: 5 }]); // bucket 0's take, not its own
    expect(acks.size).toBe(0);
    acks.set(id, 6);
    acks.expedite(id);
    acks.set(id, 7); // acked again on this node: back in its bucket, the older one gone
    expect(acks.size).toBe(1);
    expect(acks.takeAll()).toEqual([{ deviceId: id, seq: 7 }]);
    acks.expedite('never-acked');
    expect(acks.size).toBe(0);
  });

  it("spreads 10,000 devices' ids evenly (no bucket over 1.5× the mean)", () => {
    const counts = new Array<number>(60).fill(0);
    for (let i = 0; i < 10_000; i++) counts[bucketOf(uuidv7(1_700_000_000_000 + (i >> 4)), 60)]!++;
    expect(Math.max(...counts)).toBeLessThan((10_000 / 60) * 1.5);
    expect(Math.min(...counts)).toBeGreaterThan((10_000 / 60) * 0.5);
  });
});
