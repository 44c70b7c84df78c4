// HQ in a process of its own, seeded with a synthetic chain. Answers stats requests with its own
// memory figures; the parent also reads /proc/<pid>/status for RSS and its peak.
//
// One node of a set-up (bench/lib/setups.ts): SQLite on a fresh file (the default), or a node on
// PostgreSQL (`pgUrl` + `pgSchema`) and, for a cluster, NATS (`natsUrl` + `natsPrefix`). `seedChain`
// (default true) seeds the chain; the other nodes of a cluster start on the seeded schema.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PgStore } from '../../hq/adapters/postgres/pgStore.ts';
import { seedDemoClerks } from '../../hq/demo/clerks.ts';
import { startHq, type HqHandle } from '../../hq/server.ts';
import { serve } from '../lib/proc.ts';
import { createLoopWatch } from '../lib/loopWatch.ts';
import { type BenchChainOptions, seedBenchChain, seedBenchChainPg } from '../lib/seed.ts';
import { invalidateCatalog } from '../../hq/app/catalogCache.ts';

let hq: HqHandle | null = null;
let dir = '';
/** PostgreSQL backend processes of this node's pool (their CPU is this node's database work). */
const backendPids = new Set<number>();

interface InitOptions extends Partial<BenchChainOptions> {
  maxFramesPerSecond?: number;
  retainEvents?: number;
  clerks?: boolean;
  pgUrl?: string;
  pgSchema?: string;
  natsUrl?: string;
  natsPrefix?: string;
  nodeId?: string;
  /** Seed the chain (default true); the other nodes of a cluster start on the seeded schema. */
  seedChain?: boolean;
}

/**
 * The event loop's delays, watched only between `loopStart` and `loopRead` (the peers bench's idle
 * windows: the longest stall HQ's own running explains is its periodic work — heads, pings,
 * sweeps; loopWatch.ts tells it from the box's). Bench-only: HQ itself carries no monitor.
 */
const loop = createLoopWatch();

let allocSession: Session | null = null;
let allocWindows = 0;

const processId = (client: unknown) => (client as { processID?: number | null }).processID;

serve({
  async init(o: InitOptions) {
    if (!o.pgUrl) dir = mkdtempSync(join(tmpdir(), 'footfall-bench-hq-'));
    hq = await startHq({
      ...(o.pgUrl ? { pgUrl: o.pgUrl, pgSchema: o.pgSchema } : { dbPath: join(dir, 'hq.db') }),
      ...(o.natsUrl ? { natsUrl: o.natsUrl, natsPrefix: o.natsPrefix } : {}),
      ...(o.nodeId ? { nodeId: o.nodeId } : {}),
      // BENCH_HQ_LOG=1: HQ's log lines on stderr (they are off so as not to disturb the figures).
      log: process.env.BENCH_HQ_LOG ? (line) => console.error(`[${o.nodeId ?? 'hq'}] ${line}`) : () => {},
      ...(o.maxFramesPerSecond ? { maxFramesPerSecond: o.maxFramesPerSecond } : {}),
      ...(o.retainEvents ? { retainEvents: o.retainEvents } : {}),
    });
    let pool: PgStore['pool'] | null = null;
    if (hq.store.kind === 'postgres') {
      pool = (hq.store as PgStore).pool;
      pool.on('connect', (client) => {
        const pid = processId(client);
        if (pid) backendPids.add(pid);
      });
    }
    const t0 = Date.now();
    let storeIds: string[] = [];
    if (o.seedChain !== false) {
      const chain = pool ? await seedBenchChainPg(pool, o as BenchChainOptions) : await seedBenchChain(hq.store, o as BenchChainOptions);
      storeIds = chain.storeIds;
      // Seeded through the port, past catalog ingest: told as ingest tells this node and the others
      // (the bus), so each node loads every store's catalog off the arrivals' path as after a real
      // catalog change (hq/app/catalogCache.ts), not at each store's first measured arrival.
      invalidateCatalog(hq.store);
      hq.bus.publishControl({ origin: hq.nodeId, kind: 'catalog.changed' });
      // The demo clerks (manager PIN 9000, clerks 1001–1003) for benches that open the desk UI.
      if (o.clerks) await seedDemoClerks(hq.eventLog, chain.storeIds);
    }
    if (pool) {
      // Open the whole pool now, so its backends are known before the first measurement.
      const clients = await Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => pool.connect()));
      for (const c of clients) {
        const pid = processId(c);
        if (pid) backendPids.add(pid);
        c.release();
      }
    }
    return { url: hq.url, integrationKey: hq.integrationKey, storeIds, seedMs: Date.now() - t0, pid: process.pid };
  },
  stats() {
    const m = process.memoryUsage();
    return { rssMb: Math.round(m.rss / 1048576), heapUsedMb: Math.round(m.heapUsed / 1048576) };
  },
  backendPids() {
    return [...backendPids];
  },
  /** PostgreSQL pool: connections open, idle, and transactions waiting for one. */
  pool() {
    if (hq?.store.kind !== 'postgres') return null;
    const pool = (hq.store as PgStore).pool;
    return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
  },
  /**
   * The groups bench (bench/groups.ts): `members` bench members of store 0 (bm-0-0…) become active
   * members of the group — written straight to the store in batches, as a seed, not as 5,000
   * joins — and each gets a member token (what /v1/integration/member-token issues).
   */
  async groupMembers({ storeId, groupId, members }: { storeId: string; groupId: string; members: number }) {
    const ids = Array.from({ length: members }, (_, m) => `bm-0-${m}`);
    const now = Date.now();
    for (let i = 0; i < ids.length; i += 500) {
      await hq!.store.withTx(async (tx) => {
        for (const memberId of ids.slice(i, i + 500))
          await tx.groups.putMembership({ groupId, memberId, nickname: `跑友${memberId.slice(5)}`, status: 'active', joinedAt: now, inviteId: null, mutedUntil: null, readN: 0, endedAt: null });
      });
    }
    await hq!.store.withTx(async (tx) => {
      const g = (await tx.groups.getGroup(groupId))!;
      await tx.groups.putGroup({ ...g, memberCount: ids.length });
    });
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const batch = await Promise.all(
        ids.slice(i, i + 100).map(async (id) => {
          const member = (await hq!.store.read((r) => r.getMember(id)))!;
          return (await hq!.memberAuth.issue(member, storeId)).token;
        }),
      );
      tokens.push(...batch);
    }
    return { tokens };
  },
  async head({ storeId }: { storeId: string }) {
    const s = (await hq!.store.read((r) => r.getStore(storeId)))!;
    return { epoch: s.epoch, head: s.head };
  },
  /** Live rooms (6/8): a room of `storeId`, live now, written as a host's command writes it (state + `live.updated`). */
  async liveRoom({ storeId, roomId }: { storeId: string; roomId: string }) {
    const now = Date.now();
    const room = {
      id: roomId,
      storeId,
      title: '基准直播',
      description: '',
      streamUrl: 'https://live.example.com/bench',
      scheduledAt: now,
      state: 'live' as const,
      startedAt: now,
      endedAt: null,
      createdAt: now,
      createdBy: { deviceId: 'bench', deviceName: 'bench' },
      slowModeSec: 0,
      pinnedMessage: null,
      pinnedStyleId: null,
      peakViewers: 0,
    };
    await hq!.eventLog.write(async (tx, append) => {
      await tx.live.putRoom(room, randomBytes(16).toString('hex'));
      await append(storeId, 'live.updated', { room, by: null, opId: null });
    });
    return { roomId };
  },
  /**
   * Allocation sampling over one measured window (BENCH_ALLOC_PROFILE): V8's sampling heap
   * profiler keeping the objects that were collected too, so the profile says what a window
   * allocated — its garbage included — not what it left alive. One file per window.
   */
  async allocStart() {
    allocSession = new Session();
    allocSession.connect();
    // The two `include…` options are newer than @types/node's protocol types.
    const post = allocSession.post.bind(allocSession) as (method: string, params: object) => Promise<unknown>;
    await post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  },
  async allocStop({ dir: out, tag }: { dir: string; tag: string }) {
    if (!allocSession) return;
    const { profile } = (await allocSession.post('HeapProfiler.stopSampling')) as { profile: unknown };
    allocSession.disconnect();
    allocSession = null;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${tag}.${process.pid}.${++allocWindows}.heapprofile`), JSON.stringify(profile));
  },
  loopStart() {
    loop.start();
    return {};
  },
  /** The longest stall and the p99 delay since loopStart, in ms beyond the monitor's period. */
  loopRead() {
    return loop.read();
  },
  /** This node's CPU (process.cpuUsage, µs) and memory, read by the node itself. */
  usage() {
    const c = process.cpuUsage();
    return { cpuUs: c.user + c.system, rssMb: Math.round(process.memoryUsage().rss / 1048576) };
  },
  /** What the single arrivals' group commit has done (hq/app/arrivalBatches.ts). */
  arrivalGroups() {
    return hq!.arrivals.stats;
  },
  async exit() {
    await hq?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});
