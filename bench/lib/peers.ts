// The peers bench's pure parts (bench/peers.ts): which servers stand side by side, how an
// arrival frame is re-stamped without being re-serialised, the box's load from /proc/stat, the
// per-round ratios against Socket.IO, the targets of issue 18 and the side-by-side table.
//
// Invariant: every figure compared across servers is computed by the same function from the same
// kind of window (same generator, payload, client pool), and a ratio is the median of the rounds'
// ratios (round r of Footfall against round r of Socket.IO), never a ratio of medians taken apart.
import { median } from './stats.ts';

/** The peers, each one process (bench/children/peerServers.ts). */
export type PeerKind = 'sio' | 'sioRecovery' | 'floor' | 'floorSqlite';
/**
 * The Socket.IO servers' clients: `light` (a raw Engine.IO client that counts events by their first
 * bytes, as every other pool's clients do) or `full` (socket.io-client, which decodes each event).
 */
export type SioClient = 'light' | 'full';
export function sioClientFromEnv(env: string | undefined): SioClient {
  const v = (env ?? 'light').trim();
  if (v !== 'light' && v !== 'full') throw new Error(`PEERS_SIO_CLIENT: ${v} (known: light, full)`);
  return v;
}
export const ALL_PEERS: readonly PeerKind[] = ['sio', 'sioRecovery', 'floor', 'floorSqlite'];
export const PEER_LABEL: Record<PeerKind, string> = {
  sio: 'Socket.IO',
  sioRecovery: 'SIO + recovery',
  floor: 'floor',
  floorSqlite: 'floor + SQLite',
};

/** PEERS_PEERS (comma-separated), default all four, in the canonical order. */
export function peersFromEnv(env: string | undefined): PeerKind[] {
  const asked = env?.split(',').map((s) => s.trim()).filter(Boolean);
  if (!asked?.length) return [...ALL_PEERS];
  const unknown = asked.filter((s) => !ALL_PEERS.includes(s as PeerKind));
  if (unknown.length) throw new Error(`PEERS_PEERS: unknown peer(s) ${unknown.join(', ')} (known: ${ALL_PEERS.join(', ')})`);
  return ALL_PEERS.filter((s) => asked.includes(s));
}

/**
 * Where the 13 digits of the event's `at` sit in a serialised `ev` frame, so a peer can stamp a
 * fresh time into a copy of the bytes (same length, no JSON work) as HQ stamps its accept time.
 */
export function atSlot(frame: string): number {
  const i = frame.indexOf(',"at":');
  if (i < 0 || !/^\d{13}[,}]/.test(frame.slice(i + 6, i + 20))) throw new Error('frame has no 13-digit "at"');
  return i + 6;
}

/** A copy of `template` with `at` (ms since the epoch, 13 digits) written at `slot`. */
export function stampAt(template: Buffer, slot: number, at: number): Buffer {
  const buf = Buffer.from(template);
  buf.write(String(Math.trunc(at)).padStart(13, '0').slice(-13), slot, 'latin1');
  return buf;
}

/** The aggregate `cpu` line of /proc/stat: busy, stolen and total jiffies. */
export interface CpuTimes {
  busy: number;
  /** Time the hypervisor ran something else while this machine's virtual CPUs wanted to run. */
  steal: number;
  total: number;
}

export function parseProcStat(text: string): CpuTimes {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest, guest_nice are inside user and nice)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, steal: f[7] ?? 0, total };
}

/** The share of the box's CPU time (all cores) that was busy between two readings, 0–1. */
export function busyShare(a: CpuTimes, b: CpuTimes): number {
  const total = b.total - a.total;
  return total > 0 ? (b.busy - a.busy) / total : 0;
}

/**
 * The share of one core the hypervisor stole between two readings (0–1 per core; `cores` the
 * machine's): a window with much of it measured the host's other tenants, not the server.
 */
export function stealShare(a: CpuTimes, b: CpuTimes, cores: number): number {
  const total = b.total - a.total;
  return total > 0 ? ((b.steal - a.steal) / total) * cores : 0;
}

/** What one server's windows of one round gave. */
export interface RoundFigures {
  /** Delivered events/s at the clients, batches of 50. */
  eventsPerSec: number;
  /** Server CPU µs (HQ + its PostgreSQL backends) per delivered event, batches of 50. */
  cpuUsPerEvent: number;
  /** Client-side delivery latency (receive − accept time), single arrivals at 250/s and 500/s. */
  p50At250: number;
  p99At250: number;
  p50At500: number;
  p99At500: number;
  /** Server CPU in cores with every socket connected and nothing sent. */
  idleCores: number;
  /** The event loop's longest stall during the idle window (ms beyond the monitor's period). */
  stallMs: number;
  /**
   * The longest idle-window stall the server's own running explains (ms; loopWatch.ts): a stall
   * in which it used no CPU was the box's — its virtual CPU woken late —, not its periodic work.
   */
  ownStallMs: number;
}

export const MEASURES = ['eventsPerSec', 'cpuUsPerEvent', 'p50At250', 'p99At250', 'p50At500', 'p99At500', 'idleCores', 'stallMs', 'ownStallMs'] as const;
export type Measure = (typeof MEASURES)[number];

/** Median of each measure over the rounds. */
export function medians(rounds: readonly RoundFigures[]): RoundFigures {
  const out = {} as RoundFigures;
  for (const m of MEASURES) out[m] = median(rounds.map((r) => r[m]));
  return out;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Footfall ÷ Socket.IO per measure: the median over the rounds of round r's ratio. */
export function ratios(footfall: readonly RoundFigures[], sio: readonly RoundFigures[]): Record<Measure, number> {
  const out = {} as Record<Measure, number>;
  const n = Math.min(footfall.length, sio.length);
  for (const m of MEASURES) {
    const per = Array.from({ length: n }, (_, i) => footfall[i]![m] / sio[i]![m]).filter((x) => Number.isFinite(x));
    out[m] = per.length ? r2(median(per)) : NaN;
  }
  return out;
}

/** Issue 18's targets for a Footfall set-up, measured beside Socket.IO. */
export const PEERS_TARGET = {
  /** Delivered events/s at least Socket.IO's. */
  throughputVsSio: 1.0,
  /** CPU per delivered event at most Socket.IO's. */
  cpuPerEventVsSio: 1.0,
  /** p99 at 250/s and at 500/s single arrivals. */
  p99Ms: 50,
  /** Idle CPU at most twice Socket.IO's. */
  idleVsSio: 2.0,
  /** No event-loop stall from periodic work longer than this (the stall the server's own running explains). */
  stallMs: 20,
} as const;

export interface Verdict {
  throughput: boolean;
  cpuPerEvent: boolean;
  p99At250: boolean;
  p99At500: boolean;
  idle: boolean;
  stall: boolean;
  pass: boolean;
}

/** Pass/fail of one Footfall set-up: ratios against Socket.IO per round, absolute figures by median. */
export function verdict(footfall: readonly RoundFigures[], sio: readonly RoundFigures[]): Verdict {
  const r = ratios(footfall, sio);
  const m = medians(footfall);
  const v = {
    throughput: r.eventsPerSec >= PEERS_TARGET.throughputVsSio,
    cpuPerEvent: r.cpuUsPerEvent <= PEERS_TARGET.cpuPerEventVsSio,
    p99At250: m.p99At250 <= PEERS_TARGET.p99Ms,
    p99At500: m.p99At500 <= PEERS_TARGET.p99Ms,
    idle: r.idleCores <= PEERS_TARGET.idleVsSio,
    // The longest stall of any round, not the median: one long stall is a miss. The target is about
    // HQ's periodic work, so the stall counted is the one HQ's running explains (a GC pause
    // included); the raw stall stays in the table beside it.
    stall: Math.max(...footfall.map((f) => f.ownStallMs)) <= PEERS_TARGET.stallMs,
  };
  return { ...v, pass: Object.values(v).every(Boolean) };
}

const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–');
const one = (x: number) => (Number.isFinite(x) ? (x >= 100 ? Math.round(x).toString() : x.toFixed(1)) : '–');

/**
 * The side-by-side table (Markdown, as docs/benchmarks.md keeps it): rows are the measures, columns
 * the servers, each cell the median over the rounds.
 */
export function peersTable(columns: readonly { label: string; figures: RoundFigures }[], sockets: number): string {
  const rows: [string, (f: RoundFigures) => string][] = [
    ['max sustained delivered events/s (batches of 50)', (f) => int(f.eventsPerSec)],
    ['CPU µs per delivered event (batches of 50)', (f) => one(f.cpuUsPerEvent)],
    ['500 single POSTs/s: p50 / p99 ms', (f) => `${one(f.p50At500)} / ${one(f.p99At500)}`],
    ['250 single POSTs/s: p50 / p99 ms', (f) => `${one(f.p50At250)} / ${one(f.p99At250)}`],
    [`idle, ${int(sockets)} sockets: server CPU`, (f) => `${one(f.idleCores * 100)}%`],
    ['idle: longest event-loop stall ms', (f) => one(f.stallMs)],
    ['idle: longest stall of its own running ms', (f) => one(f.ownStallMs)],
  ];
  const out = [`| | ${columns.map((c) => c.label).join(' | ')} |`, `|---|${columns.map(() => '---').join('|')}|`];
  for (const [name, cell] of rows) out.push(`| ${name} | ${columns.map((c) => cell(c.figures)).join(' | ')} |`);
  return out.join('\n');
}
