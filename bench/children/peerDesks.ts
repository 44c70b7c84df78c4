// The peers' client pool (bench/peers.ts): many light clients in one process, the counterpart of
// lightDesks.ts for Footfall HQ. `floor` peers get raw `ws` sockets (GET /ws?store=…), Socket.IO
// peers light Engine.IO clients (openSioLight), or `socket.io-client` sockets with
// PEERS_SIO_CLIENT=full (WebSocket transport, the store in `auth`). Each counts the
// `ev` events it receives and, while recording, keeps receive time − the event's `at` (the peer's
// accept time), exactly what lightDesks.ts records for Footfall.
import { io as sio, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { atOf } from '../lib/frameScan.ts';
import { type PeerKind, type SioClient } from '../lib/peers.ts';
import { nowMs, serve } from '../lib/proc.ts';

let raw: WebSocket[] = [];
let sios: Socket[] = [];
let received = 0;
/** Every frame after the handshake, an event or not (Engine.IO pings), and their payload bytes (not counted by socket.io-client). */
let frames = 0;
let bytes = 0;
let lat: number[] = [];
let recording = false;
let disconnects = 0;

function onFloorFrame(data: Buffer): void {
  frames++;
  bytes += data.length;
  // Cheap scan, no JSON.parse (as lightDesks.ts): `{"t":"ev",…,"at":N,…}`.
  if (data[6] !== 0x65 || data[7] !== 0x76) return;
  received++;
  if (recording) lat.push(nowMs() - atOf(data, 8));
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
      frames++;
      received++;
      if (recording) lat.push(nowMs() - e.at);
    });
  });
}

/**
 * A Socket.IO client that does no more per message than the other pools' clients: a raw `ws` socket
 * speaking Engine.IO 4 just enough to be a client of the default namespace — the open packet (`0…`)
 * answered with a CONNECT carrying the store (`40{…}`), its acknowledgement (`40…`) or refusal
 * (`44…`), each ping (`2`) answered with a pong (`3`) — and its `ev` events (`42["ev",{…}]`)
 * counted by their first bytes, the latency read from the frame's `at` as the floor's clients read
 * it. socket.io-client decodes every packet (a JSON.parse of the whole event), where Footfall's
 * light desks and the floor's clients do not: on a 2-core box shared by the servers and their
 * clients, that work was the only difference between the pools, and it came out of the server's
 * core (docs/benchmarks.md, round 28).
 */
function onSioLightFrame(ws: WebSocket, data: Buffer): void {
  frames++;
  bytes += data.length;
  // 0x34 0x32 = "42" (an EVENT message), then `["ev",`
  if (data[0] === 0x34 && data[1] === 0x32) {
    if (data[4] !== 0x65 || data[5] !== 0x76) return;
    received++;
    if (recording) lat.push(nowMs() - atOf(data, 8));
  } else if (data.length === 1 && data[0] === 0x32) ws.send('3'); // ping → pong
}

function openSioLight(url: string, store: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    let connected = false;
    ws.on('message', (data: Buffer) => {
      if (connected) return void onSioLightFrame(ws, data);
      const text = data.toString();
      if (text.startsWith('0{')) ws.send(`40${JSON.stringify({ storeId: store })}`);
      else if (text.startsWith('40')) {
        connected = true;
        raw.push(ws);
        resolve();
      } else if (text.startsWith('44')) reject(new Error(`Socket.IO refused: ${text.slice(2)}`));
      else onSioLightFrame(ws, data);
    });
    ws.on('close', () => disconnects++);
    ws.on('error', reject);
  });
}

serve({
  async connect({ kind, url, stores, parallel = 50, sioClient = 'light' }: { kind: PeerKind; url: string; stores: string[]; parallel?: number; sioClient?: SioClient }) {
    const t0 = Date.now();
    let i = 0;
    const open = kind === 'sio' || kind === 'sioRecovery' ? (sioClient === 'light' ? openSioLight : openSio) : openFloor;
    const worker = async () => {
      while (i < stores.length) await open(url, stores[i++]!);
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    return { connected: raw.length + sios.length, ms: Date.now() - t0 };
  },
  /** Start recording; counters restart. */
  record() {
    received = 0;
    frames = 0;
    bytes = 0;
    lat = [];
    recording = true;
    return {};
  },
  stats() {
    const open = raw.filter((w) => w.readyState === WebSocket.OPEN).length + sios.filter((s) => s.connected).length;
    return { received, frames, bytes, open, lat, disconnects };
  },
  exit() {
    for (const ws of raw) ws.terminate();
    for (const s of sios) s.disconnect();
    raw = [];
    sios = [];
  },
});
