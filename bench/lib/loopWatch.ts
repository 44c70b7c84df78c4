// The event loop's stalls during a bench window, and the garbage collector's pauses beside them, so
// a long stall can be told apart: a GC pause as long as the stall is the heap's, not a loop of HQ's.
// Bench-only (the servers' child processes call it between the window's `loopStart` and
// `loopRead`); HQ itself carries no monitor.
import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';

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
  return {
    start(): void {
      loop.reset();
      loop.enable();
      gcMax = { ms: 0, kind: '' };
      gcOver10 = 0;
      gc.observe({ entryTypes: ['gc'] });
    },
    read(): LoopReading {
      loop.disable();
      gc.disconnect();
      const ms = (ns: number) => Math.max(0, round1(ns / 1e6 - LOOP_RESOLUTION_MS));
      return { stallMs: ms(loop.max), p99Ms: ms(loop.percentile(99)), gcMaxMs: round1(gcMax.ms), gcMaxKind: gcMax.kind, gcOver10Ms: gcOver10 };
    },
  };
}
