// Child processes for benchmarks: HQ and every load generator run in processes of their own
// (forked with tsx, or from a bundle: HQ always, as it ships (forkHq), and the desk where its start-up
// is measured (bundleChild)), driven over the IPC channel with a tiny request/response protocol.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Handler = (payload: never) => unknown;

/** Child side: answer `{id, type, payload}` requests with `{id, ok, result | error}`. */
export function serve(handlers: Record<string, Handler>): void {
  process.on('message', (msg: { id: number; type: string; payload: unknown }) => {
    void (async () => {
      try {
        const fn = handlers[msg.type];
        if (!fn) throw new Error(`no handler ${msg.type}`);
        const result = await fn(msg.payload as never);
        process.send!({ id: msg.id, ok: true, result });
        if (msg.type === 'exit') setTimeout(() => process.exit(0), 50);
      } catch (err) {
        process.send!({ id: msg.id, ok: false, error: (err as Error).stack ?? String(err) });
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
}

export class Child {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly exited: Promise<number | null>;

  constructor(readonly proc: ChildProcess, readonly name: string) {
    proc.on('message', (m: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code) => {
        for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code})`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  get pid(): number {
    return this.proc.pid!;
  }

  call<T = unknown>(type: string, payload: unknown = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, type, payload });
    });
  }

  /** SIGSTOP / SIGCONT: a frozen child uses no CPU and answers nothing until thawed. */
  freeze(on: boolean): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(on ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Ask the child to exit; kill it if it does not within 5 s. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    try {
      await this.call('exit');
    } catch {
      /* already gone */
    }
    await this.exited;
    clearTimeout(t);
  }
}

const here = (name: string, tree?: string) => (tree ? join(tree, 'bench', 'children', `${name}.ts`) : fileURLToPath(new URL(`../children/${name}.ts`, import.meta.url)));

/**
 * Forks bench/children/<name>.ts under tsx, or `bundle` (bundleChild's file) with plain Node.
 * `cpuProf` writes a .cpuprofile into that directory.
 * `tree`: another checkout of the project to fork the child from (the `sqliteBase` set-up: HQ as it
 * was before a change, measured in the same run as HQ now).
 */
export function forkChild(name: string, opts: { cpuProfDir?: string; maxOldSpaceMb?: number; tree?: string; bundle?: string; nodeFlags?: readonly string[] } = {}): Child {
  // A bundle (bundleChild) is plain JavaScript: no tsx.
  const execArgv = opts.bundle ? [] : ['--import', 'tsx'];
  if (opts.nodeFlags) execArgv.push(...opts.nodeFlags);
  if (opts.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  if (opts.maxOldSpaceMb) execArgv.push(`--max-old-space-size=${opts.maxOldSpaceMb}`);
  const proc = fork(opts.bundle ?? here(name, opts.tree), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return new Child(proc, name);
}

/**
 * bench/children/<name>.ts bundled into one file under `out/bench` of its tree, for forkChild's
 * `bundle`, the way the project ships that code:
 *  - `desk` (default): one CommonJS file as scripts/build-electron.ts bundles the desk's main process
 *    (esbuild; better-sqlite3, a native module, stays a require) — a child whose start-up is measured
 *    starts as the shipped desk does, not with tsx compiling each TypeScript file as it is imported
 *    (0.8 s against 0.3 s for the desk's modules on this box; docs/benchmarks.md, round 36);
 *  - `hq`: an ES module with the options of scripts/build-hq.ts (the npm packages left to
 *    node_modules) — HQ runs in production from that bundle (round 38).
 * `tree`: another checkout (a baseline set-up), bundled the same way from its own sources.
 */
export async function bundleChild(name: string, opts: { as?: 'desk' | 'hq'; tree?: string } = {}): Promise<string> {
  const { build } = await import('esbuild');
  const { hqBuildOptions, sourceUrlPlugin } = await import('../../scripts/bundles.ts');
  const outdir = opts.tree ? join(opts.tree, 'out', 'bench') : fileURLToPath(new URL('../../out/bench/', import.meta.url));
  if (opts.as === 'hq') {
    await build({ ...hqBuildOptions(outdir), entryPoints: { [name]: here(name, opts.tree) } });
    return join(outdir, `${name}.mjs`);
  }
  const outfile = join(outdir, `${name}.cjs`);
  await build({
    entryPoints: [here(name, opts.tree)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    external: ['better-sqlite3', 'esbuild'], // esbuild: only the bench process bundles
    // Each module's import.meta.url its source's (the children's path in `here`), which CommonJS lacks.
    plugins: [sourceUrlPlugin(outdir, 'cjs')],
    logLevel: 'warning',
  });
  return outfile;
}

const hqBundles = new Map<string, Promise<string>>();

/**
 * An HQ child (bench/children/hq.ts) forked from its bundle (bundleChild `hq`), made once per tree
 * and bench process, with the Node flags HQ runs with in production (scripts/bundles.ts
 * HQ_NODE_FLAGS). `tree`: a baseline checkout (bench/lib/setups.ts), run with Node's defaults;
 * BENCH_BASELINE_HQ=tsx runs that one from its sources under tsx instead, as every bench did before
 * round 38 (to measure the bundle against it). BENCH_HQ_NODE_FLAGS / BENCH_BASELINE_HQ_NODE_FLAGS
 * (space-separated) add flags for HQ from this tree / from the baseline tree: a runtime setting (a
 * GC flag) measured against the default side by side, the baseline a checkout of the same commit.
 */
export async function forkHq(opts: { cpuProfDir?: string; maxOldSpaceMb?: number; tree?: string } = {}): Promise<Child> {
  const { HQ_NODE_FLAGS } = await import('../../scripts/bundles.ts');
  const nodeFlags = opts.tree ? hqNodeFlags(process.env.BENCH_BASELINE_HQ_NODE_FLAGS) : [...HQ_NODE_FLAGS, ...hqNodeFlags(process.env.BENCH_HQ_NODE_FLAGS)];
  if (opts.tree && process.env.BENCH_BASELINE_HQ === 'tsx') return forkChild('hq', { ...opts, nodeFlags });
  const key = opts.tree ?? '';
  let bundle = hqBundles.get(key);
  if (!bundle) hqBundles.set(key, (bundle = bundleChild('hq', { as: 'hq', tree: opts.tree })));
  return forkChild('hq', { ...opts, nodeFlags, bundle: await bundle });
}

/** Node flags from an environment variable: words separated by spaces, each a `--flag`. */
export function hqNodeFlags(value: string | undefined): string[] {
  const flags = (value ?? '').split(' ').filter(Boolean);
  const bad = flags.filter((f) => !/^--[a-z0-9][a-z0-9-]*(=[^\s]*)?$/i.test(f));
  if (bad.length) throw new Error(`HQ node flags: not a --flag: ${bad.join(' ')}`);
  return flags;
}

/** Resident set size and its peak (VmHWM) of a process, in MiB, from /proc. */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let wallAnchor = Date.now() - performance.now();

/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable across processes and with
 * HQ's stamps (`Date.now()`). The monotonic clock is anchored to the wall clock and anchored again
 * when the wall clock steps (a paused VM's clock set right, NTP): anchored once at start, a peers
 * run whose box stepped ~6 s mid-run reported latencies of -6,000 ms for the servers measured after.
 */
export function nowMs(): number {
  const t = wallAnchor + performance.now();
  const wall = Date.now();
  if (Math.abs(wall - t) > 2) {
    wallAnchor = wall - performance.now();
    return wall;
  }
  return t;
}
