import { describe, expect, it } from 'vitest';
import { createLoopWatch, LOOP_RESOLUTION_MS, type LoopReading, ownStall } from '../../bench/lib/loopWatch.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs on this thread until it has used `ms` of CPU: a stall of the process's own running. */
function spinCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

/** Blocks this thread for `ms` without running (as a process the box does not wake in time). */
function blockWithoutCpu(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A watch's reading of a window in which `stall` runs between two quiet stretches. */
async function watchAround(stall: () => void): Promise<LoopReading> {
  const watch = createLoopWatch();
  watch.start();
  await sleep(50);
  stall();
  await sleep(50);
  return watch.read();
}

describe('bench loop watch', () => {
  it('counts of a late tick only what the process ran through: at most the lateness, at most the CPU', () => {
    expect(ownStall(LOOP_RESOLUTION_MS + 33.5, 0)).toBe(0);
    expect(ownStall(LOOP_RESOLUTION_MS + 33.5, 50)).toBe(33.5);
    expect(ownStall(LOOP_RESOLUTION_MS + 33.5, 12)).toBe(12);
    expect(ownStall(LOOP_RESOLUTION_MS / 2, 3)).toBe(0);
  });

  it('tells a stall of its own running from one it sat through', async () => {
    const blocked = await watchAround(() => blockWithoutCpu(120));
    expect(blocked.stallMs).toBeGreaterThanOrEqual(80);
    expect(blocked.ownStallMs).toBeLessThan(blocked.stallMs / 2);

    const busy = await watchAround(() => spinCpu(120));
    expect(busy.stallMs).toBeGreaterThanOrEqual(80);
    expect(busy.ownStallMs).toBeGreaterThanOrEqual(80);
  });
});
