// A real HQ for integration tests (startHq in this process), on the storage adapter the test asks
// for: a temp SQLite file (the default) or a fresh PostgreSQL schema (test/support/pg.ts). With
// FOOTFALL_TEST_STORE=postgres every test that does not pin an adapter runs on PostgreSQL, so
// `FOOTFALL_TEST_STORE=postgres npx vitest run test/integration` is the HQ suite on PostgreSQL.
//
// Data goes in only as a chain's systems put it in — the HTTP ingest routes with the integration
// key (named sets in seeds.ts) — so a test means the same thing on every adapter. Around that:
// restarts on the same database and port, enrolled devices, desk cores on temp cache files, and a
// reader of a store's event log over the desk protocol itself.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHq, type HqHandle, type HqOptions } from '../../hq/server.ts';
import { DeskCore, type DeskOptions } from '../../electron/desk/deskCore.ts';
import { EnrollResponse, type EvFrame, HqToDesk, parseFrame, Snapshot } from '../../shared/protocol.ts';
import { freshPgSchema, type PgSchema } from './pg.ts';
import { deskSocketUrl } from './protocolClient.ts';
import { applySeed, type SeedName, type SeedSet } from './seeds.ts';

export type StoreAdapter = 'sqlite' | 'postgres';

/** The adapter a test gets when it names none: FOOTFALL_TEST_STORE, else SQLite. */
export function defaultAdapter(): StoreAdapter {
  const env = process.env.FOOTFALL_TEST_STORE;
  if (env === undefined || env === '' || env === 'sqlite') return 'sqlite';
  if (env === 'postgres') return 'postgres';
  throw new Error(`FOOTFALL_TEST_STORE=${env}: expected sqlite or postgres`);
}

/** Fast desk settings: a lost link is noticed and retried in tens of milliseconds. */
export const FAST = { reconnect: { minMs: 50, maxMs: 400 }, silenceMs: 2000, ackEveryMs: 50 } as const;

/** Fast HQ timers for desk tests: pings every 500 ms, `head` frames every 300 ms (HQ's defaults are 25 s and 10 s). */
export const FAST_HQ = { heartbeatMs: 500, headEveryMs: 300 } as const satisfies Partial<HqOptions>;

export interface TestHqOptions extends Partial<HqOptions> {
  /** Default: `defaultAdapter()`. A test that needs HQ's SQLite file itself pins 'sqlite'. */
  adapter?: StoreAdapter;
  /** A named data set (seeds.ts) loaded over HTTP after the first start. */
  seed?: SeedName;
}

export interface Position {
  epoch: string;
  seq: number;
}

export class TestHq {
  /** Temp folder of this HQ: its SQLite file, and the desks' cache files of the test. */
  readonly dir = mkdtempSync(join(tmpdir(), 'footfall-it-'));
  hq!: HqHandle;
  readonly desks: DeskCore[] = [];
  /** The data set loaded by `seed` (the last one, when several were). */
  seeded: SeedSet | null = null;
  private port = 0;
  private deskCount = 0;
  private readonly auditors = new Map<string, string>();

  private constructor(
    readonly adapter: StoreAdapter,
    /** startHq options of every (re)start, after the fixture's own. */
    private readonly options: Partial<HqOptions>,
    private readonly pg: PgSchema | null,
  ) {}

  static async start(opts: TestHqOptions = {}): Promise<TestHq> {
    const { adapter = defaultAdapter(), seed, ...hqOptions } = opts;
    const pg = adapter === 'postgres' ? await freshPgSchema() : null;
    // 7/8: the member-side assistant stays off unless a test asks for it — tests written before it count
    // the messages of a conversation, and an answer would be one more.
    const t = new TestHq(adapter, { assistant: false, ...hqOptions }, pg);
    try {
      await t.up();
      if (seed) await t.seed(seed);
    } catch (err) {
      await t.dispose();
      throw err;
    }
    return t;
  }

  get url(): string {
    return this.hq.url;
  }

  /** HQ's SQLite file. Only for tests that pin `adapter: 'sqlite'` (they need the file itself). */
  get dbPath(): string {
    if (this.adapter !== 'sqlite') throw new Error("this test uses HQ's SQLite file: start TestHq with adapter: 'sqlite'");
    return join(this.dir, 'hq.db');
  }

  /** Where `hq/admin.ts` finds this HQ's database: `--db FILE`, or `--pg URL --pg-schema S`. */
  get adminArgs(): string[] {
    return this.pg ? ['--pg', this.pg.url, '--pg-schema', this.pg.schema] : ['--db', this.dbPath];
  }

  private get database(): Pick<HqOptions, 'dbPath' | 'pgUrl' | 'pgSchema'> {
    return this.pg ? { pgUrl: this.pg.url, pgSchema: this.pg.schema } : { dbPath: this.dbPath };
  }

  /**
   * Starts HQ on this test's database and, after the first start, on the same port (desks given
   * its address find it again). `more` applies to this start only (e.g. `{ port }` for "another
   * node" at another address, or a smaller `retainEvents`).
   */
  async up(more: Partial<HqOptions> = {}): Promise<HqHandle> {
    this.hq = await startHq({ port: this.port, log: () => {}, ...this.options, ...more, ...this.database });
    this.port = this.hq.port;
    return this.hq;
  }

  /** Stops HQ (its sockets close with 1001); safe to call on an HQ already closed. */
  async down(): Promise<void> {
    await this.hq.close();
    // HQ and the test share this process: let its I/O phase see the sockets HQ just closed, so that
    // fetch drops its keep-alive sockets to this port before a restart on the same port could
    // reuse one ("other side closed").
    await new Promise((r) => setTimeout(r, 50));
  }

  /** `down` then `up(more)`: the same database, port and integration key. */
  async restart(more: Partial<HqOptions> = {}): Promise<HqHandle> {
    await this.down();
    return this.up(more);
  }

  /** Closes the desks and HQ, removes the temp folder and drops the PostgreSQL schema. */
  async dispose(): Promise<void> {
    await Promise.allSettled(this.desks.map((d) => d.close()));
    await this.hq?.close().catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
    await this.pg?.cleanup();
  }

  /** Loads a named data set (seeds.ts) over the ingest routes. */
  async seed(name: SeedName | SeedSet): Promise<SeedSet> {
    this.seeded = await applySeed((path, body) => this.ingest(path, body), name);
    return this.seeded;
  }

  /** This store's position now (after `seed`: where a test's own events start). */
  async position(storeId: string): Promise<Position> {
    const store = await this.hq.store.read((r) => r.getStore(storeId));
    if (!store) throw new Error(`unknown store ${storeId}`);
    return { epoch: store.epoch, seq: store.head };
  }

  /** POST /v1/ingest/<path> (JSON) with the integration key: the raw response. */
  ingestRaw(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.post(`/v1/ingest/${path}`, body, { 'x-integration-key': this.hq.integrationKey, ...headers });
  }

  /** POST /v1/ingest/<path> with the integration key: the JSON answer; throws unless 2xx. */
  async ingest(path: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const res = await this.ingestRaw(path, body, headers);
    const json = await res.json();
    if (!res.ok) throw new Error(`ingest ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** POST /v1/ingest/arrivals: status and answer, whatever they are (for tests of refusals too). */
  async postArrival(body: Record<string, unknown>, idempotencyKey?: string): Promise<{ status: number; body: { status: string; visitId: string; seq: number } }> {
    const res = await this.ingestRaw('arrivals', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
    return { status: res.status, body: (await res.json()) as { status: string; visitId: string; seq: number } };
  }

  /** A door arrival of a member (with an idempotency key, so a retry is one visit); throws unless 2xx. */
  async arrival(storeId: string, memberId: string, idempotencyKey: string = randomUUID()): Promise<{ status: string; visitId: string; seq: number }> {
    return (await this.ingest('arrivals', { storeId, memberId, source: 'door' }, { 'idempotency-key': idempotencyKey })) as {
      status: string;
      visitId: string;
      seq: number;
    };
  }

  /** Enrolls a device of the store through POST /v1/enroll with a fresh one-time code. */
  async enroll(storeId: string, deviceName = 'Counter 1'): Promise<EnrollResponse> {
    const code = await this.hq.createEnrollmentCode(storeId);
    const res = await this.post('/v1/enroll', { code, deviceName });
    if (res.status !== 200) throw new Error(`enroll failed: ${res.status} ${await res.text()}`);
    return EnrollResponse.parse(await res.json());
  }

  /** Enrolls a device of `storeId` and opens a desk core for it on its own cache file (not started). */
  async desk(storeId: string, deviceName: string, over: Partial<DeskOptions> = {}): Promise<{ desk: DeskCore; token: string; dbPath: string; deviceId: string }> {
    const e = await this.enroll(storeId, deviceName);
    const dbPath = join(this.dir, `desk-${++this.deskCount}.db`);
    const desk = DeskCore.open({ dbPath, hqUrls: [this.url], token: e.token, ...FAST, ...over });
    this.desks.push(desk);
    return { desk, token: e.token, dbPath, deviceId: e.deviceId };
  }

  async snapshot(token: string): Promise<Snapshot> {
    const res = await fetch(`${this.url}/v1/snapshot`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`snapshot: HTTP ${res.status}`);
    return Snapshot.parse(await res.json());
  }

  /**
   * HQ's event log of a store, read over the protocol itself (resume from seq 0) with a device of
   * its own: connecting with a desk's token would replace that desk's socket (4009).
   */
  async readLog(storeId: string): Promise<EvFrame[]> {
    let token = this.auditors.get(storeId);
    if (!token) this.auditors.set(storeId, (token = (await this.enroll(storeId, `auditor ${storeId}`)).token));
    const { position } = await this.snapshot(token);
    const ws = new WebSocket(deskSocketUrl(this.url), { headers: { authorization: `Bearer ${token}` } });
    const events: EvFrame[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`readLog: got ${events.length} of ${position.seq}`)), 5000);
        ws.on('error', reject);
        ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: 1, resume: { epoch: position.epoch, seq: 0 } })));
        ws.on('message', (data) => {
          const f = parseFrame(HqToDesk, data.toString());
          if (!f.ok) return reject(new Error(f.error));
          if (f.frame.t === 'reset') return reject(new Error('readLog: HQ answered reset'));
          if (f.frame.t === 'ev') events.push(f.frame);
          if (events.length >= position.seq) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } finally {
      ws.close();
    }
    return events;
  }

  /**
   * A JSON POST to this HQ, sent again the way a chain's integration would:
   * - 503 is HQ saying its database is busy or away right now, with nothing applied (e.g. the
   *   PostgreSQL pool has no connection free for a burst of parallel requests): retried shortly,
   *   for up to 20 s;
   * - fetch may pick a keep-alive socket to an HQ that has since restarted on the same port
   *   ("other side closed", a TypeError before the request was read): tried once more.
   */
  private async post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const send = async () => {
      const init = { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
      try {
        return await fetch(`${this.url}${path}`, init);
      } catch (err) {
        if (!(err instanceof TypeError)) throw err;
        return fetch(`${this.url}${path}`, init);
      }
    };
    const end = Date.now() + 20_000;
    for (let attempt = 1; ; attempt++) {
      const res = await send();
      if (res.status !== 503 || Date.now() > end) return res;
      await res.arrayBuffer();
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 500)));
    }
  }
}
