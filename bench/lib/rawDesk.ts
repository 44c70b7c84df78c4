// The resume bench's floor: the least a client must do to resume from HQ, measured beside the real
// desk (bench/resume.ts). A plain `ws` client speaks to HQ as a desk of the same store does
// (hello with `resume`, docs/protocol.md), JSON.parses each frame and INSERTs each event's JSON text
// into a SQLite WAL file opened with the desk cache's own pragmas (applyCachePragmas), one
// transaction per burst of frames that arrived before the event loop turned (the desk's own
// batching: session.ts queue) — no schema, no views, no index. It stops when it reached the head
// HQ's welcome named.
//
// Invariant kept even here: events are taken in seq order, each once; a frame that is not the next
// seq fails the run (the floor must do the same work as the desk, not less by dropping any).
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { applyCachePragmas } from '../../electron/desk/cache/db.ts';
import { deskSocketUrl } from '../../electron/desk/link.ts';
import { PROTOCOL_VERSION, type Position } from '../../shared/protocol.ts';

export interface RawResume {
  /** From opening the socket until the commit that reached HQ's head. */
  ms: number;
  events: number;
  /** Transactions committed (bursts). */
  commits: number;
}

export class RawDesk {
  readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string, string]>;
  private readonly setPosition: Database.Statement<[string]>;
  /** The position this client holds; set by `prime` (a first hello without resume). */
  position: Position = { epoch: '', seq: 0 };

  constructor(
    private readonly url: string,
    private readonly token: string,
    dbPath: string,
  ) {
    this.db = new Database(dbPath);
    applyCachePragmas(this.db);
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, type TEXT NOT NULL, json TEXT NOT NULL);
                  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    this.insert = this.db.prepare('INSERT INTO events (seq, type, json) VALUES (?, ?, ?)');
    this.setPosition = this.db.prepare("INSERT INTO meta (key, value) VALUES ('position', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }

  private open(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(deskSocketUrl(this.url), { headers: { Authorization: `Bearer ${this.token}` } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  }

  /** A new client: hello without resume; takes the welcome's epoch and head as its position (no snapshot: the floor needs none). */
  async prime(): Promise<Position> {
    const ws = await this.open();
    const welcome = await new Promise<{ epoch: string; head: number }>((resolve, reject) => {
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { t: string; epoch: string; head: number };
        if (f.t === 'welcome') resolve(f);
      });
      ws.once('close', () => reject(new Error('closed before welcome')));
      ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, clock: Date.now() }));
    });
    ws.close();
    this.position = { epoch: welcome.epoch, seq: welcome.head };
    return this.position;
  }

  /** Resumes from `position` until HQ's head at welcome. */
  async resume(timeoutMs = 60_000): Promise<RawResume> {
    const t0 = performance.now();
    const ws = await this.open();
    let head = -1;
    let events = 0;
    let commits = 0;
    let queued: { seq: number; type: string; text: string }[] = [];
    let timer: NodeJS.Immediate | null = null;
    const store = this.db.transaction((batch: typeof queued) => {
      for (const e of batch) this.insert.run(e.seq, e.type, e.text);
      this.setPosition.run(JSON.stringify(this.position));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (err: Error) => {
          clearTimeout(guard);
          reject(err);
        };
        const guard = setTimeout(() => fail(new Error(`raw resume: timeout at ${this.position.seq}, head ${head}`)), timeoutMs);
        const flush = () => {
          timer = null;
          const batch = queued;
          queued = [];
          if (batch.length) {
            store(batch);
            commits++;
          }
          if (head >= 0 && this.position.seq >= head) {
            clearTimeout(guard);
            resolve();
          }
        };
        ws.on('message', (data) => {
          const text = data.toString();
          const f = JSON.parse(text) as { t: string; epoch?: string; seq?: number; type?: string; head?: number };
          if (f.t === 'welcome') {
            if (f.epoch !== this.position.epoch) return fail(new Error('raw resume: HQ is in another epoch'));
            head = f.head!;
          } else if (f.t === 'ev') {
            if (f.seq !== this.position.seq + 1) return fail(new Error(`raw resume: got seq ${f.seq} at ${this.position.seq}`));
            queued.push({ seq: f.seq, type: f.type!, text });
            this.position = { epoch: this.position.epoch, seq: f.seq };
            events++;
          } else if (f.t === 'reset') return fail(new Error('raw resume: HQ answered reset'));
          timer ??= setImmediate(flush);
        });
        ws.once('close', (code) => fail(new Error(`raw resume: closed ${code}`)));
        ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, resume: this.position, clock: Date.now() }));
      });
      const ms = performance.now() - t0;
      // Acked like a desk, so HQ's view of this device stays current.
      ws.send(JSON.stringify({ t: 'ack', seq: this.position.seq }));
      return { ms, events, commits };
    } finally {
      if (timer) clearImmediate(timer);
      ws.removeAllListeners('close');
      ws.on('error', () => undefined);
      ws.close();
    }
  }

  close(): void {
    this.db.close();
  }
}
