// The event loop's stalls during a bench window, and the garbage collector's pauses beside them, so
// a long stall can be told apart: a GC pause as long as the stall is the heap's, not a loop of HQ's.
// Bench-only (the servers' child processes call it between the window's `loopStart` and
// `loopRead`); HQ itself carries no monitor.
//
// A stall is also told from the box's: beside the delay monitor a timer of the same period reads
// the process's CPU time at each tick, so a late tick shows whether the process ran through the
// lateness (its own work: a loop over desks, a GC pause, a parse) or sat waiting to be run. On this
// project's 2-core virtual machines an idle process's timer has been seen firing 30 ms late with
// no CPU used in between (docs/benchmarks.md, round 33) — the virtual CPU woken late, not a loop of
// the process; the floor and Socket.IO show such stalls too.
import { monitorEventLoopDelay, PerformanceObserver, constants, performance } from 'node:perf_hooks';

/** The loop-delay monitor's period: its max minus this is the longest stall. */
export const LOOP_RESOLUTION_MS = 10;

const GC_KIND: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export interface LoopReading {
  /** The longest delay of a loop turn beyond the monitor's period, ms. */
  stallMs: number;
  /**
   * The longest stall the process's own running explains, ms: over the ticks of a timer of the
   * monitor's period, the least of a tick's lateness and the CPU time the process used since the
   * tick before (all its threads: a GC helper's time counts against it, never for it).
   */
  ownStallMs: number;
  p99Ms: number;
  /** The longest GC pause in the window, ms, and its kind ('major', 'minor', …). */
  gcMaxMs: number;
  gcMaxKind: string;
  /** GC pauses of 10 ms or more in the window. */
  gcOver10Ms: number;
}

export function createLoopWatch() {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  let gcMax = { ms: 0, kind: '' };
  let gcOver10 = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration >= 10) gcOver10++;
      if (e.duration > gcMax.ms) gcMax = { ms: e.duration, kind: GC_KIND[((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other' };
    }
  });
  const round1 = (x: number) => Math.round(x * 10) / 10;
  let ownMax = 0;
  let ticker: NodeJS.Timeout | null = null;
  const startTicks = () => {
    let at = performance.now();
    let cpu = process.cpuUsage();
    ticker = setInterval(() => {
      const now = performance.now();
      const c = process.cpuUsage();
      ownMax = Math.max(ownMax, ownStall(now - at, (c.user - cpu.user + c.system - cpu.system) / 1000));
      at = now;
      cpu = c;
    }, LOOP_RESOLUTION_MS);
    ticker.unref();
  };
  return {
    start(): void {
      loop.reset();
      loop.enable();
      ownMax = 0;
      if (ticker) clearInterval(ticker);
      startTicks();
      gcMax = { ms: 0, kind: '' };
      gcOver10 = 0;
      gc.observe({ entryTypes: ['gc'] });
    },
    read(): LoopReading {
      loop.disable();
      gc.disconnect();
      if (ticker) clearInterval(ticker);
      ticker = null;
      const ms = (ns: number) => Math.max(0, round1(ns / 1e6 - LOOP_RESOLUTION_MS));
      return { stallMs: ms(loop.max), ownStallMs: round1(ownMax), p99Ms: ms(loop.percentile(99)), gcMaxMs: round1(gcMax.ms), gcMaxKind: gcMax.kind, gcOver10Ms: gcOver10 };
    },
  };
}

/**
 * The part of one tick's lateness the process's own running explains, ms: a tick due every
 * LOOP_RESOLUTION_MS came `gapMs` after the one before, and the process used `cpuMs` of CPU
 * between them — at most the lateness, at most the CPU.
 */
export function ownStall(gapMs: number, cpuMs: number): number {
  return Math.max(0, Math.min(gapMs - LOOP_RESOLUTION_MS, cpuMs));
}
