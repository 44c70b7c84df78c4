// The peers' client pool (bench/peers.ts): many light clients in one process, the counterpart of
// lightDesks.ts for Footfall HQ. `floor` peers get raw `ws` sockets (GET /ws?store=…), Socket.IO
// peers `socket.io-client` sockets (WebSocket transport, the store in `auth`). Each counts the
// `ev` events it receives and, while recording, keeps receive time − the event's `at` (the peer's
// accept time), exactly what lightDesks.ts records for Footfall.
import { io as sio, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { type PeerKind } from '../lib/peers.ts';
import { nowMs, serve } from '../lib/proc.ts';

let raw: WebSocket[] = [];
let sios: Socket[] = [];
let received = 0;
let lat: number[] = [];
let recording = false;
let disconnects = 0;

function onFloorFrame(data: Buffer): void {
  // Cheap scan, no JSON.parse (as lightDesks.ts): `{"t":"ev",…,"at":N,…}`.
  if (data[6] !== 0x65 || data[7] !== 0x76) return;
  received++;
  if (!recording) return;
  const text = data.toString('latin1', 0, 200);
  const a = text.indexOf(',"at":') + 6;
  lat.push(nowMs() - parseInt(text.slice(a, a + 16), 10));
}

function openFloor(url: string, store: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?store=${encodeURIComponent(store)}`, { perMessageDeflate: false });
    ws.on('open', () => {
      raw.push(ws);
      resolve();
    });
    ws.on('message', onFloorFrame);
    ws.on('close', () => disconnects++);
    ws.on('error', reject);
  });
}

function openSio(url: string, store: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = sio(url, { transports: ['websocket'], auth: { storeId: store }, forceNew: true });
    s.once('connect', () => {
      sios.push(s);
      resolve();
    });
    s.once('connect_error', reject);
    s.on('disconnect', () => disconnects++);
    // Socket.IO has parsed the event already (part of its client's cost, as a desk's would be).
    s.on('ev', (e: { at: number }) => {
      received++;
      if (recording) lat.push(nowMs() - e.at);
    });
  });
}

serve({
  async connect({ kind, url, stores, parallel = 50 }: { kind: PeerKind; url: string; stores: string[]; parallel?: number }) {
    const t0 = Date.now();
    let i = 0;
    const open = kind === 'sio' || kind === 'sioRecovery' ? openSio : openFloor;
    const worker = async () => {
      while (i < stores.length) await open(url, stores[i++]!);
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { connected: raw.length + sios.length, ms: Date.now() - t0 };
  },
  /** Start recording; counters restart. */
  record() {
    received = 0;
    lat = [];
    recording = true;
    return {};
  },
  stats() {
    const open = raw.filter((w) => w.readyState === WebSocket.OPEN).length + sios.filter((s) => s.connected).length;
    return { received, open, lat, disconnects };
  },
  exit() {
    for (const ws of raw) ws.terminate();
    for (const s of sios) s.disconnect();
    raw = [];
    sios = [];
  },
});
