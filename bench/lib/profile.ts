// Reading V8 .cpuprofile files (node --cpu-prof) of HQ processes: where the time of the measured
// windows went, by category (pg driver, JSON, socket writes, …) and by function (self time).
//
// A sample's category comes from its stack: a few V8 pseudo-frames and JSON builtins by name,
// otherwise the nearest frame (from the leaf up) with a script URL that a rule knows — so a native
// leaf (a socket `writev`, a better-sqlite3 `run`) counts for the JS that called it.
//
// HQ runs from a bundle (bench/lib/proc.ts, forkHq): its frames name the bundle's file and line, and
// are mapped back to the source file and line through the bundle's source map (mapToSources), so the
// rules and the function names read as they did when HQ ran from its sources.
import { SourceMap, type SourceMapPayload } from 'node:module';

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const PSEUDO: Record<string, string> = {
  '(garbage collector)': 'GC',
  '(idle)': 'idle',
  '(program)': 'V8/native (program)',
  '(root)': 'idle',
};

/** URL rules, first match wins. */
const URL_RULES: [RegExp, string][] = [
  [/\/node_modules\/(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|pgpass|postgres-[a-z]+)\//, 'pg driver'],
  [/\/hq\/adapters\/postgres\//, 'hq PostgreSQL adapter'],
  [/\/node_modules\/better-sqlite3\/|\/hq\/adapters\/sqlite\//, 'SQLite'],
  [/\/node_modules\/ws\//, 'ws (WebSocket)'],
  [/\/node_modules\/@nats-io\//, 'NATS client'],
  [/\/hq\/adapters\/(nats|memory)\//, 'hq bus/presence adapter'],
  [/\/node_modules\/zod\//, 'zod'],
  [/\/node_modules\/(tsx|esbuild)\//, 'tsx loader'],
  [/^node:(internal\/stream_base_commons|net|internal\/net|internal\/tcp_wrap)/, 'socket I/O (node net)'],
  [/^node:(_http_|http|internal\/http)/, 'node http'],
  [/^node:internal\/streams\//, 'node streams'],
  [/^node:internal\/(timers|process\/task_queues|process\/promises|async_hooks)/, 'node timers/promises'],
  [/^node:/, 'node (other)'],
  [/\/hq\/edge\/ws\//, 'hq ws edge (desk hub)'],
  [/\/hq\/edge\/storeFeeds/, 'hq store feeds'],
  [/\/hq\/edge\/http\//, 'hq http edge'],
  [/\/hq\/app\/(profiles|recommend)/, 'hq profiles + recommend'],
  [/\/hq\/app\//, 'hq use cases'],
  [/\/hq\//, 'hq (other)'],
  [/\/shared\//, 'shared (ids, protocol schemas)'],
  [/\/bench\//, 'bench harness'],
];

const JSON_NAMES = new Set(['stringify', 'parse', 'JSON.stringify', 'JSON.parse']);

/** Node's own plumbing: a sample there is also named after the code that called into it. */
const PLUMBING = new Set(['socket I/O (node net)', 'node streams', 'node timers/promises', 'node (other)']);

function ruleFor(url: string): string {
  for (const [re, name] of URL_RULES) if (re.test(url)) return name;
  return 'other JS';
}

/**
 * The category of one sample; `stack` is leaf first. Time in Node's plumbing (socket writes,
 * streams, crypto, …) is labelled with its caller too — `socket I/O (node net) ← ws (WebSocket)` —
 * so sends to desks and queries to PostgreSQL are told apart.
 */
export function categorize(stack: readonly CallFrame[]): string {
  const leaf = stack[0];
  if (!leaf) return 'idle';
  if (PSEUDO[leaf.functionName] && !leaf.url) return PSEUDO[leaf.functionName]!;
  if (!leaf.url && JSON_NAMES.has(leaf.functionName)) return 'JSON';
  let plumbing: string | null = null;
  for (const f of stack) {
    if (!f.url) continue;
    const name = ruleFor(f.url);
    if (!PLUMBING.has(name)) return plumbing ? `${plumbing} ← ${name}` : name;
    plumbing ??= name;
  }
  return plumbing ?? 'V8/native (program)';
}

const shortUrl = (url: string) => url.replace(/^file:\/\/.*?\/(node_modules|hq|shared|bench|electron)\//, '$1/').replace(/^.*\/node_modules\//, 'node_modules/');

export function frameName(f: CallFrame): string {
  if (!f.url) return f.functionName || '(native)';
  return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

/** A run of consecutive busy samples: how long, from when (profile clock, µs), its top functions by self time. */
export interface Stretch {
  us: number;
  atUs: number;
  functions: [string, number][];
}

/** A map's entries, largest value first. */
const byValueDesc = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]);

/** The longest of the runs fed to it: `add` a busy sample to the current run, `end` it. */
function longestRun() {
  let run = { us: 0, atUs: 0, fns: new Map<string, number>() };
  let best: Stretch = { us: 0, atUs: 0, functions: [] };
  return {
    add(t: number, fn: string, us: number): void {
      if (run.us === 0) run.atUs = t;
      run.us += us;
      run.fns.set(fn, (run.fns.get(fn) ?? 0) + us);
    },
    end(): void {
      if (run.us > best.us) best = { us: run.us, atUs: run.atUs, functions: byValueDesc(run.fns).slice(0, 3) };
      run = { us: 0, atUs: 0, fns: new Map() };
    },
    get best(): Stretch {
      return best;
    },
  };
}

export interface ProfileSummary {
  /** Microseconds of samples inside the windows. */
  totalUs: number;
  /** Microseconds not idle. */
  busyUs: number;
  categories: [string, number][];
  functions: [string, number][];
  /**
   * The longest run of consecutive busy samples inside one window: how long the thread ran without
   * going back to the event loop's idle wait (an upper bound on the longest turn), when it started
   * (profile clock, µs) and its top functions by self time. A stall of the loop longer than this
   * was not the thread's own work.
   */
  longestBusy: Stretch;
  /** The same with the garbage collector's samples ending a stretch: the longest the code itself ran. */
  longestBusyWithoutGc: Stretch;
  /** The longest time between two samples inside a window: the thread (or its sampler) was not running. */
  longestGapUs: number;
}

/**
 * Self time by category and by function over the samples whose timestamps fall in `windows`
 * ([startUs, endUs] on the profile's clock); all samples when `windows` is empty.
 */
export function summarizeProfile(p: CpuProfile, windows: readonly (readonly [number, number])[] = []): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const catOf = new Map<number, string>();
  const category = (id: number): string => {
    let c = catOf.get(id);
    if (c === undefined) {
      const stack: CallFrame[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!.callFrame);
      catOf.set(id, (c = categorize(stack)));
    }
    return c;
  };
  /** A native leaf (a socket write, a SQLite step) is named with the nearest JS frame that called it. */
  const sampleName = (id: number): string => {
    const leaf = byId.get(id)!.callFrame;
    if (leaf.url || PSEUDO[leaf.functionName]) return frameName(leaf);
    for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (f.url) return `${leaf.functionName || '(native)'} ← ${frameName(f)}`;
    }
    return frameName(leaf);
  };
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let totalUs = 0;
  let busyUs = 0;
  let t = p.startTime;
  const windowOf = (ts: number) => (windows.length === 0 ? 0 : windows.findIndex(([s, e]) => ts >= s && ts <= e));
  // The sampling interval, as the profile's own median delta: a delta far above it is a gap.
  const deltas = p.timeDeltas.filter((d) => d > 0).sort((a, b) => a - b);
  const interval = deltas[deltas.length >> 1] ?? 0;
  const busy = longestRun();
  const code = longestRun();
  let runWindow = -1;
  let longestGapUs = 0;
  const endRun = () => {
    busy.end();
    code.end();
  };
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dur = p.timeDeltas[i + 1] ?? 0;
    const w = windowOf(t);
    if (w < 0 || dur <= 0) {
      endRun();
      continue;
    }
    const id = p.samples[i]!;
    const cat = category(id);
    totalUs += dur;
    cats.set(cat, (cats.get(cat) ?? 0) + dur);
    // A gap is not counted as the sample's work: the thread was not seen running through it.
    const gap = interval > 0 && dur > 3 * interval;
    if (gap) longestGapUs = Math.max(longestGapUs, dur);
    if (cat === 'idle' || gap || runWindow !== w) endRun();
    runWindow = w;
    if (cat === 'idle') continue;
    busyUs += dur;
    const fn = sampleName(id);
    fns.set(fn, (fns.get(fn) ?? 0) + dur);
    if (gap) continue;
    busy.add(t, fn, dur);
    if (cat === 'GC') code.end();
    else code.add(t, fn, dur);
  }
  endRun();
  return { totalUs, busyUs, categories: byValueDesc(cats), functions: byValueDesc(fns), longestBusy: busy.best, longestBusyWithoutGc: code.best, longestGapUs };
}

/**
 * The profile with every frame of a bundle that has a source map (`sourceMapOf(url)`, null for none)
 * named by its source file's URL and line instead; frames without a map, or at a position the map
 * does not cover, are kept as they are.
 */
export function mapToSources(p: CpuProfile, sourceMapOf: (url: string) => SourceMapPayload | null): CpuProfile {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const payload = url ? sourceMapOf(url) : null;
      maps.set(url, payload ? new SourceMap(payload) : null);
    }
    return maps.get(url)!;
  };
  const nodes = p.nodes.map((n) => {
    const f = n.callFrame;
    const map = mapOf(f.url);
    if (!map) return n;
    const entry = map.findEntry(f.lineNumber, f.columnNumber ?? 0) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) return n;
    const callFrame: CallFrame = { functionName: f.functionName, url: new URL(entry.originalSource, f.url).href, lineNumber: entry.originalLine, columnNumber: entry.originalColumn ?? 0 };
    return { ...n, callFrame };
  });
  return { ...p, nodes };
}
