// Many viewers of one live room in one process (6/8): a real WebSocket each on /v1/live/socket.
// Most are read-only viewers; the first `writers` carry a member token and send the comments.
// Receiving is kept cheap, as a phone's would be (one frame per batch): every socket counts its
// frames; one socket in `sampleEvery` parses them and records, per comment, receive time − the
// send time the writer stamped into the text (`b <ms>`; one machine, one clock).
import WebSocket from 'ws';
import { nowMs, serve, sleep } from '../lib/proc.ts';

let sockets: WebSocket[] = [];
let writers: WebSocket[] = [];
let frames = 0;
let closes = 0;
let refused = 0;
let lat: number[] = [];
/** The writer's send → HQ accepted it (the comment's `at`): the inbound part of the latency. */
let inbound: number[] = [];
let recording = false;
let sent = 0;

function openOne(url: string, roomId: string, token: string | null, sample: boolean, nickname: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/live/socket`, { perMessageDeflate: false });
    let welcomed = false;
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, roomId, ...(token ? { token, nickname } : {}) })));
    ws.on('message', (data: Buffer) => {
      if (!welcomed) {
        welcomed = true;
        resolve(ws);
        return;
      }
      frames++;
      // Writers see their refusals (should be none: they stay inside the rate).
      if (token && data.toString('utf8', 0, 12).startsWith('{"t":"refus')) refused++;
      if (!sample || !recording) return;
      const text = data.toString();
      if (!text.startsWith('{"t":"comments"')) return;
      const now = nowMs();
      for (const c of (JSON.parse(text) as { items: Array<{ text: string; at: number }> }).items) {
        if (!c.text.startsWith('b ')) continue;
        const sentAt = Number(c.text.slice(2));
        lat.push(now - sentAt);
        inbound.push(c.at - sentAt);
      }
    });
    ws.on('close', () => {
      closes++;
      if (!welcomed) reject(new Error('closed before welcome'));
    });
    ws.on('error', () => undefined);
  });
}

serve({
  /** Opens `n` sockets on `url` (the first tokens.length of them as writing members), 200 at a time. */
  async connect({ url, roomId, n, tokens, sampleEvery }: { url: string; roomId: string; n: number; tokens: string[]; sampleEvery: number }) {
    const t0 = Date.now();
    for (let i = 0; i < n; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, n - i) }, (_, k) => {
          const j = i + k;
          return openOne(url, roomId, tokens[j] ?? null, j % sampleEvery === 0, `观众${j}`);
        }),
      );
      sockets.push(...batch);
    }
    writers = sockets.slice(0, tokens.length);
    return { connected: sockets.length, ms: Date.now() - t0 };
  },
  record({ on }: { on: boolean }) {
    recording = on;
    return null;
  },
  /** Sends `rate` comments per second for `seconds`, round robin over the writers (each under the per-viewer rate). */
  async blast({ rate, seconds }: { rate: number; seconds: number }) {
    const count = Math.round(rate * seconds);
    const start = nowMs();
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / rate - nowMs();
      if (wait > 0) await sleep(wait);
      const ws = writers[i % writers.length]!;
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(JSON.stringify({ t: 'comment', clientId: `bench-${process.pid}-${sent}`, text: `b ${nowMs().toFixed(1)}` }));
      sent++;
    }
    return { sent };
  },
  results() {
    return { frames, closes, refused, sent, samples: lat.length };
  },
  samples() {
    const out = Float64Array.from(lat);
    lat = [];
    return out;
  },
  inbound() {
    const out = Float64Array.from(inbound);
    inbound = [];
    return out;
  },
  async exit() {
    for (const ws of sockets) ws.terminate();
    sockets = [];
    return null;
  },
});
