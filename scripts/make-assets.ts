// `npm run assets`: draws the app icons and the alert sounds, so the repository carries real files
// without binary tooling. Committed output (re-run only when the drawing or the sounds change):
//   build/icons/icon.png         512×512 app icon (electron-builder derives .ico/.icns from it)
//   build/icons/256x256.png …    Linux icon set (AppImage/deb pick sizes from the folder)
//   build/icons/tray.png         32×32 tray icon; trayTemplate.png black-on-transparent for macOS
//   renderer/public/sounds/*.wav chime, bell, knock (arrivals), message (chat), vip-gold and vip-platinum (VIP arrivals) — short 16-bit mono WAV files
// PNG is written by hand: signature, IHDR, one zlib-deflated IDAT of RGBA rows, IEND, with CRC32.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(size: number, pixel: (x: number, y: number) => Rgba): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Coverage (0–1) of the logo at unit coordinates (u, v in 0..1): a rounded square with a footprint "F". */
function logo(u: number, v: number): { inSquare: number; inMark: number } {
  const r = 0.2;
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0);
  const dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0);
  const inSquare = Math.hypot(dx, dy) <= r ? 1 : 0;
  // The "F": a stem and two bars, plus a round heel dot (a footprint's heel) at the bottom right.
  const stem = u >= 0.3 && u <= 0.42 && v >= 0.22 && v <= 0.78;
  const top = u >= 0.3 && u <= 0.72 && v >= 0.22 && v <= 0.33;
  const mid = u >= 0.3 && u <= 0.62 && v >= 0.45 && v <= 0.55;
  const heel = Math.hypot(u - 0.64, v - 0.71) <= 0.075;
  return { inSquare, inMark: stem || top || mid || heel ? 1 : 0 };
}

/** Supersampled icon: teal square, white mark (or black mark only, for the macOS template). */
function icon(size: number, template = false): Buffer {
  const ss = 4;
  return encodePng(size, (x, y) => {
    let sq = 0;
    let mark = 0;
    for (let i = 0; i < ss; i++) {
      for (let j = 0; j < ss; j++) {
        const l = logo((x + (i + 0.5) / ss) / size, (y + (j + 0.5) / ss) / size);
        sq += l.inSquare;
        mark += l.inSquare * l.inMark;
      }
    }
    sq /= ss * ss;
    mark /= ss * ss;
    if (template) return [0, 0, 0, Math.round(255 * mark)];
    // Mix teal (#0f766e) and white by mark coverage; alpha by square coverage.
    const teal = [15, 118, 110];
    const k = sq === 0 ? 0 : mark / sq;
    const c = teal.map((t) => Math.round(t * (1 - k) + 255 * k)) as [number, number, number];
    return [...c, Math.round(255 * sq)];
  });
}

/** 16-bit PCM mono WAV. */
export function encodeWav(samples: Float32Array, rate: number): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVE', 8, 'ascii');
  head.write('fmt ', 12, 'ascii');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20); // PCM
  head.writeUInt16LE(1, 22); // mono
  head.writeUInt32LE(rate, 24);
  head.writeUInt32LE(rate * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36, 'ascii');
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

function tone(rate: number, seconds: number, partials: Array<{ f: number; at: number; amp: number; decay: number }>): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    let s = 0;
    for (const p of partials) if (t >= p.at) s += p.amp * Math.sin(2 * Math.PI * p.f * (t - p.at)) * Math.exp(-(t - p.at) * p.decay);
    // 5 ms fade-in and fade-out against clicks.
    const edge = Math.min(1, t / 0.005, (seconds - t) / 0.005);
    out[i] = s * edge;
  }
  return out;
}

const RATE = 22_050;
export const SOUND_FILES = {
  // Two rising notes (E6, A6): "someone is here".
  chime: tone(RATE, 0.7, [
    { f: 1318.5, at: 0, amp: 0.45, decay: 6 },
    { f: 1760, at: 0.16, amp: 0.45, decay: 5 },
  ]),
  // A bell: a fundamental with inharmonic partials.
  bell: tone(RATE, 0.9, [
    { f: 880, at: 0, amp: 0.4, decay: 4 },
    { f: 880 * 2.76, at: 0, amp: 0.15, decay: 7 },
    { f: 880 * 5.4, at: 0, amp: 0.07, decay: 10 },
  ]),
  // Two soft low knocks.
  knock: tone(RATE, 0.45, [
    { f: 190, at: 0, amp: 0.7, decay: 30 },
    { f: 190, at: 0.18, amp: 0.7, decay: 30 },
  ]),
  // A member's chat message — never one of the arrival sounds above, so a clerk tells "someone
  // wrote" from "someone walked in" without looking: two quick falling plucks (B5, F♯5).
  message: tone(RATE, 0.4, [
    { f: 987.8, at: 0, amp: 0.45, decay: 16 },
    { f: 987.8 * 2, at: 0, amp: 0.08, decay: 30 },
    { f: 740, at: 0.09, amp: 0.45, decay: 14 },
  ]),
  // 4/8 part A, VIP arrivals: their own sounds, so the counter hears a Gold or Platinum member
  // without looking. Gold: a rising three-note arpeggio (C6, E6, G6).
  'vip-gold': tone(RATE, 0.9, [
    { f: 1046.5, at: 0, amp: 0.4, decay: 6 },
    { f: 1318.5, at: 0.12, amp: 0.4, decay: 6 },
    { f: 1568, at: 0.24, amp: 0.4, decay: 5 },
  ]),
  // Platinum: the same rise to a high C7 with a bell-like shimmer on top.
  'vip-platinum': tone(RATE, 1.1, [
    { f: 1046.5, at: 0, amp: 0.35, decay: 6 },
    { f: 1318.5, at: 0.11, amp: 0.35, decay: 6 },
    { f: 1568, at: 0.22, amp: 0.35, decay: 5 },
    { f: 2093, at: 0.33, amp: 0.35, decay: 4 },
    { f: 2093 * 2.76, at: 0.33, amp: 0.08, decay: 8 },
  ]),
};

function write(path: string, data: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  console.log(`wrote ${path} (${data.length} bytes)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  write('build/icons/icon.png', icon(512));
  for (const size of [16, 32, 48, 64, 128, 256]) write(`build/icons/${size}x${size}.png`, icon(size));
  write('build/icons/512x512.png', icon(512));
  write('build/icons/tray.png', icon(32));
  write('build/icons/trayTemplate.png', icon(22, true));
  for (const [name, samples] of Object.entries(SOUND_FILES)) write(`renderer/public/sounds/${name}.wav`, encodeWav(samples, RATE));
}
