// Many lightweight desks in one process: a real WebSocket each, speaking protocol v1 just enough
// to be a live desk (hello → welcome + reset → live; a cumulative ack about once a second, as the
// desk core does). They do not keep a cache: they count `ev` frames and, for arrivals, record
// receive time − the event's `at` (HQ's accept time). Full DeskCore instances run elsewhere.
import WebSocket from 'ws';
import { nowMs, serve } from '../lib/proc.ts';

let sockets: WebSocket[] = [];
let received = 0;
let bytes = 0;
let closes = 0;
let errors = 0;
let lat: number[] = [];
let recording = false;
const lastSeq = new Map<WebSocket, number>();
let ackTimer: NodeJS.Timeout | null = null;

function openOne(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/desk`, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    let welcomed = false;
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1 })));
    ws.on('message', (data: Buffer) => {
      if (!welcomed) {
        const text = data.toString();
        if (text.startsWith('{"t":"welcome"')) {
          welcomed = true;
          resolve(ws);
        }
        return;
      }
      // Cheap scan, no JSON.parse: an `ev` frame is `{"t":"ev","epoch":…,"seq":N,…,"type":…,"at":N,…}`.
      if (data[6] !== 0x65 || data[7] !== 0x76) return; // "ev"
      received++;
      bytes += data.length;
      const text = data.toString('latin1', 0, 200);
      const s = text.indexOf('"seq":') + 6;
      lastSeq.set(ws, parseInt(text.slice(s, s + 12), 10));
      if (recording && text.includes('"type":"arrival"')) {
        const a = text.indexOf(',"at":') + 6;
        lat.push(nowMs() - parseInt(text.slice(a, a + 16), 10));
      }
    });
    ws.on('close', () => {
      closes++;
      if (!welcomed) reject(new Error('closed before welcome'));
    });
    ws.on('error', (err) => {
      errors++;
      if (!welcomed) reject(err);
    });
  });
}

serve({
  async connect({ url, tokens, parallel = 100 }: { url: string; tokens: string[]; parallel?: number }) {
    const t0 = Date.now();
    let i = 0;
    const worker = async () => {
      while (i < tokens.length) {
        const token = tokens[i++]!;
        sockets.push(await openOne(url, token));
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    // A cumulative ack per desk about once a second, like DeskCore (ackEveryMs 1000).
    const acked = new Map<WebSocket, number>();
    ackTimer = setInterval(() => {
      for (const [ws, seq] of lastSeq) {
        if (acked.get(ws) === seq || ws.readyState !== WebSocket.OPEN) continue;
        ws.send(`{"t":"ack","seq":${seq}}`);
        acked.set(ws, seq);
      }
    }, 1000);
    return { connected: sockets.length, ms: Date.now() - t0 };
  },
  /** Start recording; counters restart. */
  record() {
    received = 0;
    bytes = 0;
    lat = [];
    recording = true;
    return { at: Date.now() };
  },
  /** Counters since `record`, and the latency samples (ms). */
  stats() {
    return { received, bytes, closes, errors, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, lat };
  },
  exit() {
    if (ackTimer) clearInterval(ackTimer);
    for (const ws of sockets) ws.terminate();
    sockets = [];
  },
});
