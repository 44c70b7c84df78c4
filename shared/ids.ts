// UUIDv7 (RFC 9562): time-ordered ids, so opIds made on a desk sort in the order the clerk acted
// and index well in SQLite. Uses only Web Crypto, available in Node 20, browsers and Electron.

let lastMs = 0;
let counter = 0;

export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
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
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
