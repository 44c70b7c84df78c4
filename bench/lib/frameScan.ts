// What the benches' light clients read off an event frame without decoding it: its `seq` and its
// `at` (the server's accept time), as the decimal digits after the key's first occurrence — the
// envelope's, which comes before the event's `data` (hq/app/eventLog.ts writes
// `{"t":"ev","epoch":…,"seq":N,"id":…,"type":…,"at":N,"data":…}`; the peers send those bytes).
//
// Why one reader for every pool: the client processes share the box with the server they measure,
// so a pool that spends more per frame takes CPU from its server's throughput. Each pool cut a
// string out of every frame and searched it, Footfall's on every frame (the others only while
// recording) and it kept each desk's seq in a map besides. Every pool now reads the same bytes the
// same way, without a string. (Footfall's pool still spends more per event than Socket.IO's: its
// acks, reading the seq it acks and the type — docs/benchmarks.md, rounds 33 and 34.)

const SEQ = Buffer.from('"seq":');
const AT = Buffer.from(',"at":');
const TYPE = Buffer.from('"type":');
const ARRIVAL = Buffer.from('"arrival"');
/** The envelope's keys come within this many bytes of the frame's start. */
const HEAD_BYTES = 256;

/** The non-negative integer whose decimal digits start at `at`; NaN when none does. */
export function digitsAt(data: Buffer, at: number): number {
  let n = 0;
  let i = at;
  for (; i < data.length; i++) {
    const c = data[i]! - 0x30;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  return i === at ? NaN : n;
}

/** The integer after the first `key` in the frame's head, or NaN. */
function after(data: Buffer, key: Buffer, from: number): number {
  const k = data.indexOf(key, from);
  return k < 0 || k > HEAD_BYTES ? NaN : digitsAt(data, k + key.length);
}

/** The event's seq, or NaN. */
export const seqOf = (data: Buffer, from = 0): number => after(data, SEQ, from);

/** The event's `at` (ms), or NaN. */
export const atOf = (data: Buffer, from = 0): number => after(data, AT, from);

/**
 * Whether the event's type is `arrival`: the value of the first `"type":` (a key: inside a JSON
 * string its quotes would be escaped), which is the envelope's, before the data.
 */
export function isArrival(data: Buffer): boolean {
  const k = data.indexOf(TYPE);
  if (k < 0 || k > HEAD_BYTES) return false;
  const v = k + TYPE.length;
  return data.length >= v + ARRIVAL.length && ARRIVAL.compare(data, v, v + ARRIVAL.length) === 0;
}
