// Desks' newest acks waiting to be written to `devices.acked_seq`, spread over the write period.
//
// Invariant: a device's newest ack waits in one place only — its bucket (by a hash of its id), or
// `soon` once its desk left this node; the buckets are taken in turn, `soon` with each, so an ack
// is taken within `count` takes of coming (one period, at one take per period / count), a leaving
// desk's at the next take, and `takeAll` leaves nothing behind (the node closing). A period's rows
// go in `count` small writes, not one of every desk.

/** One device's newest ack. */
export interface PendingAck {
  deviceId: string;
  seq: number;
}

export class AckBuckets {
  private readonly buckets: Map<string, number>[];
  /** Acks of desks that left this node: taken with the next bucket, whatever theirs. */
  private readonly soon = new Map<string, number>();
  private next = 0;

  constructor(readonly count: number) {
    this.buckets = Array.from({ length: count }, () => new Map<string, number>());
  }

  /** `deviceId` acked `seq` (its newest): replaces what its bucket held for it. */
  set(deviceId: string, seq: number): void {
    this.soon.delete(deviceId);
    this.buckets[bucketOf(deviceId, this.count)]!.set(deviceId, seq);
  }

  /**
   * The device's waiting ack goes with the next take: its desk left this node, perhaps for another
   * node, whose write of a newer ack must not be followed, up to a period later, by this older one.
   */
  expedite(deviceId: string): void {
    const bucket = this.buckets[bucketOf(deviceId, this.count)]!;
    const seq = bucket.get(deviceId);
    if (seq === undefined) return;
    bucket.delete(deviceId);
    this.soon.set(deviceId, seq);
  }

  /** The next bucket's acks and those of desks that left, by device id, all emptied. */
  takeNext(): PendingAck[] {
    const bucket = this.buckets[this.next]!;
    this.next = (this.next + 1) % this.count;
    return drain([this.soon, bucket]);
  }

  /** Every bucket's acks, by device id, all emptied. */
  takeAll(): PendingAck[] {
    return drain([this.soon, ...this.buckets]);
  }

  get size(): number {
    let n = this.soon.size;
    for (const b of this.buckets) n += b.size;
    return n;
  }
}

/** The acks of `buckets` sorted by device id (writers update rows in one order), the buckets emptied. */
function drain(buckets: readonly Map<string, number>[]): PendingAck[] {
  const out: PendingAck[] = [];
  for (const b of buckets) {
    for (const [deviceId, seq] of b) out.push({ deviceId, seq });
    b.clear();
  }
  return out.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

/** FNV-1a over the id's UTF-16 units, mod `count`: ids (UUIDv7s, random in their tail) spread evenly. */
export function bucketOf(id: string, count: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % count;
}
