// One peer of the peers bench (bench/peers.ts) in a process of its own, so its CPU is read alone
// from /proc. `init` starts ONE of:
//   sio         — Socket.IO 4, a room per store; an arrival is `io.to(store).emit('ev', event)`;
//   sioRecovery — the same with `connectionStateRecovery` (every emit kept for a reconnect);
//   floor       — a raw `ws` server: an arrival's frame is built once (a captured Footfall
//                 `arrival` frame's bytes with a fresh `at`) and sent as that buffer to each of the
//                 store's sockets — the least a WebSocket server can do;
//   floorSqlite — the floor plus one better-sqlite3 INSERT of the frame per arrival, in a WAL file
//                 with HQ's pragmas, one transaction per request, sent after the commit — the cost
//                 of durability.
// Invariant: every peer accepts exactly Footfall's ingest requests (POST /v1/ingest/arrivals and
// /v1/ingest/arrivals/batch, the X-Integration-Key header, each arrival checked by HQ's own zod
// schema, an unknown store answered like HQ: 404 / an item error), stamps `at` when it accepts the
// request as HQ does, and sends the same event bytes (Socket.IO: the same JSON, serialised by
// Socket.IO once per emit, as an application would use it): the captured frames in turn, one per
// arrival, so its events are as large as Footfall's on average. Nothing else: no auth for
// sockets, no replay — a peer is a yardstick, not a product.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Server as SioServer } from 'socket.io';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { ArrivalRequest } from '../../hq/edge/http/ingest.ts';
import { atSlot, type PeerKind, stampAt } from '../lib/peers.ts';
import { serve } from '../lib/proc.ts';
import { createLoopWatch } from '../lib/loopWatch.ts';

const Batch = z.object({ items: z.array(z.unknown()).min(1).max(1000) }).strict();
const MAX_BODY = 1 << 20;

let kind: PeerKind = 'floor';
let key = '';
/** The captured frames: each one's bytes, where its `at` sits, and its event parsed (Socket.IO emits that). */
let templates: { bytes: Buffer; slot: number; event: Record<string, unknown> }[] = [];
/** The next arrival's frame, in turn. */
let next = 0;
const nextTemplate = () => templates[next++ % templates.length]!;
let stores = new Set<string>();
const rooms = new Map<string, Set<WebSocket>>();
let io: SioServer | null = null;
let wss: WebSocketServer | null = null;
let db: Database.Database | null = null;
let insert: Database.Statement | null = null;
let dir = '';
const http = createServer((req, res) => {
  handle(req, res).catch((err: unknown) => send(res, 500, { error: { code: 'internal', message: String(err) } }));
});
const loop = createLoopWatch();

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type Item = { index: number; storeId: string } | { index: number; error: { code: string; message: string } };

function check(raw: unknown, index: number): Item {
  const p = ArrivalRequest.safeParse(raw);
  if (!p.success) return { index, error: { code: 'invalid_body', message: p.error.message } };
  if (!stores.has(p.data.storeId)) return { index, error: { code: 'not_found', message: 'no such store' } };
  return { index, storeId: p.data.storeId };
}

/** Writes (floor + SQLite) and sends the accepted arrivals; returns each item's result. */
function deliver(items: Item[], at: number): unknown[] {
  const ok = items.filter((i): i is { index: number; storeId: string } => 'storeId' in i);
  if (kind === 'sio' || kind === 'sioRecovery') {
    for (const i of ok) io!.to(i.storeId).emit('ev', { ...nextTemplate().event, at });
  } else {
    const frames = ok.map(() => {
      const t = nextTemplate();
      return stampAt(t.bytes, t.slot, at);
    });
    if (insert) db!.transaction(() => ok.forEach((i, k) => insert!.run(i.storeId, at, frames[k]!)))();
    ok.forEach((i, k) => {
      for (const ws of rooms.get(i.storeId) ?? []) ws.send(frames[k]!, { binary: false });
    });
  }
  return items.map((i) => ('storeId' in i ? { index: i.index, status: 'created' } : i));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = req.url?.split('?')[0];
  if (req.method !== 'POST' || (path !== '/v1/ingest/arrivals' && path !== '/v1/ingest/arrivals/batch')) return send(res, 404, { error: { code: 'not_found' } });
  if (req.headers['x-integration-key'] !== key) return send(res, 401, { error: { code: 'unauthorized' } });
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return send(res, 400, { error: { code: 'invalid_json', message: (err as Error).message } });
  }
  const at = Date.now();
  if (path === '/v1/ingest/arrivals') {
    const [r] = deliver([check(body, 0)], at) as ({ error?: { code: string } } | undefined)[];
    if (r?.error) return send(res, r.error.code === 'not_found' ? 404 : 400, r);
    return send(res, 201, { status: 'created', at });
  }
  const b = Batch.safeParse(body);
  if (!b.success) return send(res, 400, { error: { code: 'invalid_body', message: b.error.message } });
  send(res, 200, { results: deliver(b.data.items.map(check), at) });
}

function attachFloor(): void {
  wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const store = new URL(req.url ?? '/', 'http://x').searchParams.get('store') ?? '';
    if (!stores.has(store)) return ws.close(1008, 'unknown store');
    let room = rooms.get(store);
    if (!room) rooms.set(store, (room = new Set()));
    room.add(ws);
    ws.on('close', () => room.delete(ws));
    ws.on('error', () => undefined);
  });
}

function attachSio(recovery: boolean): void {
  io = new SioServer(http, {
    serveClient: false,
    ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true } } : {}),
  });
  io.use((socket, next) => {
    const store = (socket.handshake.auth as { storeId?: unknown }).storeId;
    if (typeof store !== 'string' || !stores.has(store)) return next(new Error('unknown store'));
    void socket.join(store);
    next();
  });
}

serve({
  async init(o: { kind: PeerKind; key: string; frames: string[]; storeIds: string[] }) {
    kind = o.kind;
    key = o.key;
    if (o.frames.length === 0) throw new Error('no frame to send');
    templates = o.frames.map((f) => ({ bytes: Buffer.from(f, 'utf8'), slot: atSlot(f), event: JSON.parse(f) as Record<string, unknown> }));
    stores = new Set(o.storeIds);
    if (kind === 'floorSqlite') {
      dir = mkdtempSync(join(tmpdir(), 'footfall-bench-floor-'));
      db = new Database(join(dir, 'floor.db'));
      // HQ's pragmas (hq/adapters/sqlite/sqliteStorage.ts).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE events (seq INTEGER PRIMARY KEY, store_id TEXT NOT NULL, at INTEGER NOT NULL, data BLOB NOT NULL)');
      insert = db.prepare('INSERT INTO events (store_id, at, data) VALUES (?, ?, ?)');
    }
    if (kind === 'sio' || kind === 'sioRecovery') attachSio(kind === 'sioRecovery');
    else attachFloor();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, pid: process.pid };
  },
  /** Sockets connected now. */
  sockets() {
    if (io) return io.of('/').sockets.size;
    return [...rooms.values()].reduce((n, r) => n + r.size, 0);
  },
  /** Start watching the event loop (the idle window). */
  loopStart() {
    loop.start();
    return {};
  },
  /** The longest stall and the p99 delay since loopStart, in ms beyond the monitor's period. */
  loopRead() {
    return loop.read();
  },
  async exit() {
    for (const room of rooms.values()) for (const ws of room) ws.terminate();
    if (io) await io.close();
    wss?.close();
    http.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
