// SpreadSweep (hq/edge/ws/spreadSweep.ts): periodic work over every socket in slices. Each item is
// visited once per round, rounds start a period apart however few the items, and no slice does
// more than its share — the property that keeps HQ's pings and head frames from stalling the loop.
import { describe, expect, it } from 'vitest';
import { SpreadSweep } from '../../hq/edge/ws/spreadSweep.ts';

function sweep(items: number[], periodMs = 1000, tickMs = 100) {
  const visits: Array<{ at: number; item: number }> = [];
  let slices = 0;
  let now = 0;
  const s = new SpreadSweep<number>({ periodMs, tickMs, items: () => items, visit: (item) => visits.push({ at: now, item }), beforeSlice: () => slices++ });
  s.stop(); // driven by hand below
  const runFor = (ms: number) => {
    for (const end = now + ms; now < end; now += tickMs) s.tick(now);
  };
  return { visits, runFor, slices: () => slices };
}

describe('SpreadSweep', () => {
  it('visits each of 1,000 items once per period, at most its share per tick', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const { visits, runFor } = sweep(items);
    runFor(1000);
    expect(visits.map((v) => v.item).sort((a, b) => a - b)).toEqual(items);
    const perTick = new Map<number, number>();
    for (const v of visits) perTick.set(v.at, (perTick.get(v.at) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBe(100); // 1,000 × 100 ms / 1,000 ms
    runFor(1000);
    expect(visits).toHaveLength(2000);
  });

  it('starts the next round a period after the last, however few the items (a ping is not resent early)', () => {
    const { visits, runFor } = sweep([7, 8]);
    runFor(3000);
    expect(visits.filter((v) => v.item === 7).map((v) => v.at)).toEqual([0, 1000, 2000]);
    expect(visits.filter((v) => v.item === 8).map((v) => v.at)).toEqual([100, 1100, 2100]); // its share: one per tick
  });

  it('sees items that joined at the next round, and runs no slice with nothing to do', () => {
    const items: number[] = [];
    const { visits, runFor, slices } = sweep(items);
    runFor(500);
    expect(slices()).toBe(0);
    items.push(1, 2, 3);
    runFor(1500);
    expect(visits.map((v) => v.item)).toEqual([1, 2, 3]);
  });
});
