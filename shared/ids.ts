// UUIDv7 (RFC 9562): time-ordered ids, so opIds made on a desk sort in the order the clerk acted
// and index well in SQLite. Uses only Web Crypto, available in Node 20, browsers and Electron.

let lastMs = 0;
let counter = 0;

/**
 * Random bytes are drawn 4 KiB at a time and handed out 16 per id, each byte once (as Node's own
 * randomUUID caches its entropy): one getRandomValues call per id took ~8 µs on HQ's VM, most of
 * it the system call.
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function uuidv7(now: number = Date.now()): string {
  if (poolAt === POOL_BYTES) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const bytes = pool.subarray(poolAt, (poolAt += 16));
  // Keep ids monotonic within one process even when several are made in the same millisecond:
  // a 12-bit counter goes into rand_a (RFC 9562 §6.2, method 1).
  if (now <= lastMs) {
    now = lastMs;
    counter = (counter + 1) & 0xfff;
    if (counter === 0) now = ++lastMs;
  } else {
    lastMs = now;
    counter = bytes[7]! & 0x7f; // random start, leaving headroom before the counter wraps
  }
  bytes[0] = (now / 2 ** 40) & 0xff;
  bytes[1] = (now / 2 ** 32) & 0xff;
  bytes[2] = (now >>> 24) & 0xff;
  bytes[3] = (now >>> 16) & 0xff;
  bytes[4] = (now >>> 8) & 0xff;
  bytes[5] = now & 0xff;
  bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const h = (i: number) => HEX[bytes[i]!]!;
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
}
