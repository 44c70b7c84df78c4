// Many member sockets in one process for the groups bench (bench/groups.ts): a real WebSocket each
// on /v1/member/socket (hello with a member token → welcome), spread over the HQ nodes given. They
// do not parse what they get: a `group.message` frame is found by its first bytes, and the host's
// send time is read from the message text (`bench <i> <sentAtMs>`), so the latency is from the
// host's desk sending the command to this socket receiving the frame, with both clocks the same
// machine's (nowMs: sub-millisecond, shared by processes).
import WebSocket from 'ws';
import { nowMs, serve } from '../lib/proc.ts';
import { summarize } from '../lib/stats.ts';

let sockets: WebSocket[] = [];
let lat: number[] = [];
let received = 0;
let recording = false;
let closes = 0;
let opened = 0;
const PREFIX = Buffer.from('{"t":"group.message"');

/** A hello not answered within this is given up and the socket opened again (see connect). */
const WELCOME_TIMEOUT_MS = 15_000;
let retried = 0;

function openOne(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/member/socket`, { perMessageDeflate: false });
    let welcomed = false;
    const timer = setTimeout(() => {
      if (welcomed) return;
      reject(new Error('no welcome'));
      ws.terminate();
    }, WELCOME_TIMEOUT_MS);
    ws.on('open', () => {
      opened++;
      ws.send(JSON.stringify({ t: 'hello', v: 1, token }));
    });
    ws.on('message', (data: Buffer) => {
      if (!welcomed) {
        if (process.env.GROUPS_DEBUG) console.error(`member socket: ${data.toString().slice(0, 200)}`);
        if (data.toString().startsWith('{"t":"welcome"')) {
          welcomed = true;
          clearTimeout(timer);
          resolve(ws);
        }
        return;
      }
      if (!recording || data.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) !== 0) return;
      const text = data.toString('utf8');
      const at = text.indexOf('"body":"bench ');
      if (at < 0) return;
      const end = text.indexOf('"', at + 14);
      const sent = Number(text.slice(at + 14, end).split(' ')[1]);
      received++;
      lat.push(nowMs() - sent);
    });
    ws.on('close', () => {
      if (welcomed) closes++;
      if (!welcomed) reject(new Error('closed before welcome'));
    });
    ws.on('error', (err) => {
      if (process.env.GROUPS_DEBUG) console.error(`member socket error: ${err.message}`);
    });
  });
}

serve({
  /** Opens one socket per token (token i on urls[i mod N]), `parallel` handshakes at a time. */
  async connect({ urls, tokens, parallel = 100 }: { urls: string[]; tokens: string[]; parallel?: number }) {
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < tokens.length) {
        const i = next++;
        // Under the connect storm on PostgreSQL + NATS a few hellos go unanswered (seen at 100
        // handshakes at once on a loaded 2-core box, with or without groups): such a socket is
        // dropped and opened again, as the member page's backoff would; counted in `retried`.
        for (let attempt = 1; ; attempt++) {
          try {
            sockets.push(await openOne(urls[i % urls.length]!, tokens[i]!));
            break;
          } catch (err) {
            if (attempt >= 5) throw err;
            retried++;
          }
        }
      }
    };
    const progress = process.env.GROUPS_DEBUG ? setInterval(() => console.error(`member sockets: ${opened} open, ${sockets.length} welcomed`), 5000) : null;
    await Promise.all(Array.from({ length: parallel }, worker));
    if (progress) clearInterval(progress);
    return { connected: sockets.length, ms: Date.now() - t0, retried };
  },
  record({ on }: { on: boolean }) {
    if (on) {
      lat = [];
      received = 0;
    }
    recording = on;
    return null;
  },
  results() {
    return { received, closes, latency: summarize(lat) };
  },
  /** The raw latencies (ms), for a parent merging several of these processes. */
  samples() {
    return Float64Array.from(lat);
  },
  exit() {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    return null;
  },
});
