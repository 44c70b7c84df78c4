// Many lightweight desks in one process: a real WebSocket each, speaking protocol v1 just enough
// to be a live desk (hello → welcome + reset → live; a cumulative ack at the cadence the
// desk core keeps). They do not keep a cache: they count `ev` frames and, for arrivals, record
// receive time − the event's `at` (HQ's accept time). Full DeskCore instances run elsewhere.
// Desks may be spread over several HQ nodes (`urls`, one per token) and carry a tag (`tags`, e.g.
// whether the arrival is ingested at the desk's own node); latencies are also kept per tag.
import WebSocket from 'ws';
import { ackWaitMs, DEFAULT_ACK_EVERY_MS } from '../../electron/desk/session.ts';
import { atOf, isArrival, seqOf } from '../lib/frameScan.ts';
import { nowMs, serve } from '../lib/proc.ts';

let sockets: WebSocket[] = [];
let received = 0;
/** Every frame after the welcome, `ev` or not (heads; ws answers HQ's pings itself, unseen here), and their payload bytes. */
let frames = 0;
let bytes = 0;
let closes = 0;
let errors = 0;
let lat: number[] = [];
let latByTag = new Map<string, number[]>();
let recording = false;
/** Each desk's newest seq, what it acked last and when it may ack next (the ack timer walks them). */
interface Desk {
  ws: WebSocket;
  seq: number;
  acked: number;
  due: number;
}
let desks: Desk[] = [];
let ackTimer: NodeJS.Timeout | null = null;
/** Upgrades answered 503 and tried again (see connect). */
let retried503 = 0;

function openOne(url: string, token: string, tag: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/desk`, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    let welcomed = false;
    const desk: Desk = { ws, seq: -1, acked: -1, due: 0 };
    desks.push(desk);
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
      frames++;
      bytes += data.length;
      // Cheap scan, no JSON.parse: an `ev` frame is `{"t":"ev","epoch":…,"seq":N,…,"type":…,"at":N,…}`.
      if (data[6] !== 0x65 || data[7] !== 0x76) return; // "ev"
      received++;
      const seq = seqOf(data, 8);
      if (seq === seq) desk.seq = seq; // not NaN
      if (recording && isArrival(data)) {
        const ms = nowMs() - atOf(data, 8);
        lat.push(ms);
        if (tag !== undefined) {
          let list = latByTag.get(tag);
          if (!list) latByTag.set(tag, (list = []));
          list.push(ms);
        }
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
  async connect({ url, urls, tokens, tags, parallel = 100 }: { url?: string; urls?: string[]; tokens: string[]; tags?: string[]; parallel?: number }) {
    const t0 = Date.now();
    let i = 0;
    const worker = async () => {
      while (i < tokens.length) {
        const k = i++;
        // A 503 at the upgrade (HQ's database pool busy under the connect storm) is retried with a
        // jittered pause, as a real desk's backoff does; anything else fails the bench.
        for (let attempt = 1; ; attempt++) {
          try {
            sockets.push(await openOne(urls?.[k] ?? url!, tokens[k]!, tags?.[k]));
            break;
          } catch (err) {
            if (attempt >= 20 || !/\b503\b/.test((err as Error).message)) throw err;
            retried503++;
            await new Promise((r) => setTimeout(r, 200 + Math.random() * 300 * attempt));
          }
        }
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    // A cumulative ack per desk at DeskCore's cadence: the first at once, then each after
    // ackWaitMs(DEFAULT_ACK_EVERY_MS) while events came (session.ts; the benches send no
    // member chat, after which a desk acks sooner). Checked every 100 ms, each desk on its own phase.
    ackTimer = setInterval(() => {
      const now = Date.now();
      for (const d of desks) {
        if (d.seq < 0 || d.acked === d.seq || d.due > now || d.ws.readyState !== WebSocket.OPEN) continue;
        d.ws.send(`{"t":"ack","seq":${d.seq}}`);
        d.acked = d.seq;
        d.due = now + ackWaitMs(DEFAULT_ACK_EVERY_MS);
      }
    }, 100);
    return { connected: sockets.length, ms: Date.now() - t0, retried503 };
  },
  /** Start recording; counters restart. */
  record() {
    received = 0;
    frames = 0;
    bytes = 0;
    lat = [];
    latByTag = new Map();
    recording = true;
    return { at: Date.now() };
  },
  /** Counters since `record`, and the latency samples (ms). */
  stats() {
    return { received, frames, bytes, closes, errors, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length, lat, latByTag: Object.fromEntries(latByTag) };
  },
  exit() {
    if (ackTimer) clearInterval(ackTimer);
    for (const ws of sockets) ws.terminate();
    sockets = [];
    desks = [];
  },
});
