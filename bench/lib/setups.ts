// HQ set-ups the fan-out and capacity benches compare in one run, side by side:
//   sqlite — one node on a SQLite file, in-memory bus (the embedded default);
//   pg1    — one node on PostgreSQL, in-memory bus;
//   pg2    — two nodes on one PostgreSQL schema, NATS between them; the desks of every store are
//            split over the two nodes (desk d → node d mod 2) and ingest goes to both.
// Each PostgreSQL set-up gets a fresh schema (dropped at the end) and, for NATS, a subject prefix
// of its own. BENCH_SETUPS=sqlite,pg2 picks set-ups; BENCH_PG_URL / BENCH_NATS_URL point at the
// servers (default the local test ones).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Child, cpuSecondsOf, forkHq } from './proc.ts';
import { type BenchChainOptions } from './seed.ts';
import { allocProfileDir } from './env.ts';
import { quoteIdent } from '../../hq/adapters/postgres/migrations.ts';

export type SetupName = 'sqlite' | 'pg1' | 'pg2' | 'sqliteBase' | 'pg1Base' | 'pg2Base';
export const ALL_SETUPS: readonly SetupName[] = ['sqlite', 'pg1', 'pg2'];
/**
 * `sqliteBase`, `pg1Base`, `pg2Base`: the same set-ups with HQ run from another checkout of the
 * project (BENCH_BASELINE_TREE, e.g. a worktree of the commit before a fix), so a fix is measured
 * before and after in the same run. Never in the default list; ask for them by name.
 */
const OPTIONAL_SETUPS: readonly SetupName[] = ['sqliteBase', 'pg1Base', 'pg2Base'];
const isBaseline = (name: SetupName) => name.endsWith('Base');
export const SETUP_LABEL: Record<SetupName, string> = {
  sqlite: 'SQLite, 1 node',
  pg1: 'PostgreSQL, 1 node',
  pg2: 'PostgreSQL + NATS, 2 nodes',
  sqliteBase: 'SQLite, 1 node (baseline tree)',
  pg1Base: 'PostgreSQL, 1 node (baseline tree)',
  pg2Base: 'PostgreSQL + NATS, 2 nodes (baseline tree)',
};
const NODES: Record<SetupName, number> = { sqlite: 1, pg1: 1, pg2: 2, sqliteBase: 1, pg1Base: 1, pg2Base: 2 };
/** The checkout the `sqliteBase` set-up's HQ runs from. */
export function baselineTree(): string {
  const tree = process.env.BENCH_BASELINE_TREE;
  if (!tree) throw new Error('the *Base set-ups need BENCH_BASELINE_TREE: a checkout of the baseline commit (with node_modules)');
  return tree;
}

/** BENCH_SETUPS (comma-separated), default all three, in the canonical order. */
export function setupsFromEnv(env = process.env.BENCH_SETUPS): SetupName[] {
  const asked = env?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!asked?.length) return [...ALL_SETUPS];
  const known = [...ALL_SETUPS, ...OPTIONAL_SETUPS];
  const unknown = asked.filter((s) => !known.includes(s as SetupName));
  if (unknown.length) throw new Error(`BENCH_SETUPS: unknown set-up(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return known.filter((s) => asked.includes(s));
}

export const benchPgUrl = () => process.env.BENCH_PG_URL ?? process.env.FOOTFALL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const benchNatsUrl = () => process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * Measurement order of the set-ups in round `r`: forward in even rounds, backward in odd ones
 * (A B C, C B A, …), so a drift in the machine's load over the run falls on every set-up alike.
 */
export function roundOrder<T>(items: readonly T[], r: number): T[] {
  return r % 2 === 0 ? [...items] : [...items].reverse();
}

async function withPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: benchPgUrl() });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** CPU seconds of a process so far, or null when it is gone. */
function cpuOrNull(pid: number): number | null {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return null;
  }
}

/** The NATS server's pid on this machine (to read its CPU), or null. */
function natsServerPid(): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'nats-server') return Number(entry);
    } catch {
      /* gone */
    }
  }
  return null;
}

export interface CpuSnapshot {
  at: number;
  nodes: number[];
  backends: Map<number, number>;
  nats: number | null;
}

/** CPU used between two snapshots, as cores (CPU seconds per second). */
export interface CpuUse {
  /** Per HQ node. */
  nodes: number[];
  /** This set-up's PostgreSQL backends (the connections of its nodes' pools). */
  pg: number;
  /** The NATS server (shared with anything else using it). */
  nats: number | null;
}

export class HqSetup {
  readonly nodes: Child[] = [];
  urls: string[] = [];
  key = '';
  seedMs = 0;
  private backendPids: number[] = [];
  private natsPid: number | null = null;

  private constructor(
    readonly name: SetupName,
    readonly schema: string | null,
  ) {}

  get label(): string {
    return SETUP_LABEL[this.name];
  }

  /** Starts the set-up's nodes (the first one seeds `chain`). */
  static async start(name: SetupName, chain: BenchChainOptions, opts: { cpuProfDir?: string } = {}): Promise<HqSetup> {
    const tag = randomBytes(4).toString('hex');
    const setup = new HqSetup(name, name === 'sqlite' || name === 'sqliteBase' ? null : `bench_${name}_${tag}`);
    const cluster = NODES[name] > 1;
    try {
      for (let i = 0; i < NODES[name]; i++) {
        const node = await forkHq(isBaseline(name) ? { ...opts, tree: baselineTree() } : opts);
        setup.nodes.push(node);
        const info = await node.call<{ url: string; integrationKey: string; seedMs: number }>('init', {
          ...chain,
          seedChain: i === 0,
          nodeId: `${name}-node${i + 1}`,
          ...(setup.schema ? { pgUrl: benchPgUrl(), pgSchema: setup.schema } : {}),
          ...(cluster ? { natsUrl: benchNatsUrl(), natsPrefix: `bench${tag}` } : {}),
        });
        setup.urls.push(info.url);
        if (i === 0) {
          setup.key = info.integrationKey;
          setup.seedMs = info.seedMs;
        }
      }
      if (cluster) setup.natsPid = natsServerPid();
      await setup.cpuSnapshot(); // learns the pool's backends
    } catch (err) {
      await setup.stop();
      throw err;
    }
    return setup;
  }

  get pids(): number[] {
    return this.nodes.map((n) => n.pid);
  }

  /** The node a desk connects to: desk d of every store → node d mod N (a store's desks are split). */
  nodeOfDesk(_store: number, desk: number): number {
    return desk % this.urls.length;
  }

  /** The node single arrivals of a store are posted to (the arrivals child's rule). */
  nodeOfStore(store: number): number {
    return store % this.urls.length;
  }

  /** `refresh` asks the nodes for their pool's backends (not while they are frozen). */
  async cpuSnapshot(refresh = true): Promise<CpuSnapshot> {
    if (this.schema && refresh) this.backendPids = (await Promise.all(this.nodes.map((n) => n.call<number[]>('backendPids')))).flat();
    const backends = new Map<number, number>();
    for (const pid of this.backendPids) {
      const s = cpuOrNull(pid);
      if (s !== null) backends.set(pid, s);
    }
    return { at: performance.now(), nodes: this.pids.map((p) => cpuOrNull(p) ?? 0), backends, nats: this.natsPid ? cpuOrNull(this.natsPid) : null };
  }

  /**
   * Samples the nodes' allocations while `window` runs, when BENCH_ALLOC_PROFILE names a folder
   * (bench/allocProfile.ts); otherwise just runs it.
   */
  async allocWindow<T>(bench: string, window: () => Promise<T>): Promise<T> {
    const dir = allocProfileDir();
    if (!dir) return window();
    await Promise.all(this.nodes.map((n) => n.call('allocStart')));
    try {
      return await window();
    } finally {
      await Promise.all(this.nodes.map((n) => n.call('allocStop', { dir, tag: `${bench}.${this.name}` })));
    }
  }

  /**
   * Waits (up to `maxMs`) until the set-up's HQ nodes and PostgreSQL backends use less than
   * `cores` of CPU over half a second: a set-up that fell behind in its window must not work off
   * its backlog in the next set-up's window. Returns the milliseconds waited.
   */
  async settle(maxMs = 3_000, cores = 0.15): Promise<number> {
    const t0 = performance.now();
    let a = await this.cpuSnapshot();
    while (performance.now() - t0 < maxMs) {
      await new Promise((r) => setTimeout(r, 500));
      const b = await this.cpuSnapshot();
      const use = HqSetup.cpuUse(a, b);
      if (use.nodes.reduce((x, y) => x + y, 0) + use.pg < cores) break;
      a = b;
    }
    return Math.round(performance.now() - t0);
  }

  static cpuUse(a: CpuSnapshot, b: CpuSnapshot): CpuUse {
    const secs = (b.at - a.at) / 1000;
    let pgSecs = 0;
    // A backend opened during the window counts from zero (its CPU is nearly all inside it).
    for (const [pid, s] of b.backends) pgSecs += s - (a.backends.get(pid) ?? 0);
    return {
      nodes: b.nodes.map((s, i) => (s - a.nodes[i]!) / secs),
      pg: pgSecs / secs,
      nats: a.nats !== null && b.nats !== null ? (b.nats - a.nats) / secs : null,
    };
  }

  /**
   * Samples the nodes' PostgreSQL pools every `everyMs` until the returned function is called, which
   * gives the mean and the largest number of transactions waiting for a connection (per node).
   */
  samplePools(everyMs = 250): () => { meanWaiting: number[]; maxWaiting: number[] } {
    const sums = this.nodes.map(() => 0);
    const maxes = this.nodes.map(() => 0);
    let n = 0;
    let busy = false;
    const timer = setInterval(() => {
      if (!this.schema || busy) return;
      busy = true;
      void Promise.all(this.nodes.map((node) => node.call<{ waiting: number } | null>('pool')))
        .then((pools) => {
          n++;
          pools.forEach((p, i) => {
            sums[i]! += p?.waiting ?? 0;
            maxes[i] = Math.max(maxes[i]!, p?.waiting ?? 0);
          });
        })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, everyMs);
    return () => {
      clearInterval(timer);
      return { meanWaiting: sums.map((s) => Math.round((s / Math.max(1, n)) * 10) / 10), maxWaiting: maxes };
    };
  }

  /** HQ nodes + PostgreSQL backends, in cores. */
  static cores(use: CpuUse): number {
    return use.nodes.reduce((a, b) => a + b, 0) + use.pg;
  }

  /** Stops every node (the first last: it seeded), then drops the schema. */
  async stop(): Promise<void> {
    for (const n of [...this.nodes].reverse()) await n.stop();
    // Quoted as HQ created it (migrations.ts): unquoted, `bench_pg1Base_…` named another schema and
    // IF EXISTS let a baseline set-up's schema stay behind.
    const schema = this.schema;
    if (schema) await withPg((c) => c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)).catch(() => undefined);
  }
}

/**
 * Set-ups not being measured are frozen (SIGSTOP on their HQ nodes and desk processes; BENCH_FREEZE=0
 * keeps them running): 10,000 idle desks still cost their HQ heads, pings and presence refreshes,
 * a fifth to a half of a core on this box, which would land in the measured set-up's window. A
 * frozen set-up resumes where it stopped; the windows are short enough (< 40 s frozen) that no
 * desk's silence timeout fires.
 */
export const freezeIdle = () => process.env.BENCH_FREEZE !== '0';

/**
 * CPU of the set-ups that sit idle while another one is measured (their desks' heads, pings and
 * presence refreshes go on): call before the window, then the result after it, in cores.
 */
export async function background(others: readonly HqSetup[]): Promise<() => Promise<number>> {
  const before = await Promise.all(others.map((s) => s.cpuSnapshot(false)));
  return async () => {
    const after = await Promise.all(others.map((s) => s.cpuSnapshot(false)));
    return others.reduce((sum, _, i) => sum + HqSetup.cores(HqSetup.cpuUse(before[i]!, after[i]!)), 0);
  };
}

/**
 * Measured windows for the profile summary (bench/profile.ts): with BENCH_PROFILE set, each bench
 * writes `<dir>/<bench>-windows.json` naming every set-up's HQ pids and the CLOCK_MONOTONIC
 * microseconds (the clock of V8's .cpuprofile timestamps) of its measured windows.
 */
export class WindowLog {
  private readonly setups: Record<string, { pids: number[]; windows: [number, number][] }> = {};

  constructor(
    private readonly bench: string,
    private readonly dir: string | undefined,
  ) {}

  static nowUs(): number {
    return Number(process.hrtime.bigint() / 1000n);
  }

  /** `label`: the entry's name, when a bench keeps kinds of window apart (the peers bench: idle, capacity). */
  add(setup: HqSetup, startUs: number, endUs: number, label: string = setup.name): void {
    const s = (this.setups[label] ??= { pids: setup.pids, windows: [] });
    s.windows.push([startUs, endUs]);
  }

  write(): void {
    if (!this.dir) return;
    // The profiles land there only when the HQ processes exit, after this: the folder may not exist yet.
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, `${this.bench}-windows.json`), JSON.stringify({ bench: this.bench, setups: this.setups }, null, 1));
  }
}
