import { describe, expect, it, vi } from 'vitest';
import { nowMs } from '../../bench/lib/proc.ts';
import { median, percentile, summarize } from '../../bench/lib/stats.ts';

describe('bench stats', () => {
  it('uses nearest-rank percentiles', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(summarize([5, 1, 3])).toMatchObject({ n: 3, p50: 3, max: 5 });
  });
  it('takes the mean of the two middle values for an even count in median()', () => {
    expect(median([4, 1, 3])).toBe(3);
    expect(median([4, 1])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('bench clock (nowMs)', () => {
  it('follows the wall clock HQ stamps with, across a step of it', () => {
    expect(Math.abs(nowMs() - Date.now())).toBeLessThanOrEqual(2);
    const real = Date.now;
    const spy = vi.spyOn(Date, 'now').mockImplementation(() => real() + 6_000); // the wall clock stepped 6 s ahead
    try {
      expect(Math.abs(nowMs() - (real() + 6_000))).toBeLessThanOrEqual(2);
      // Anchored again: later readings keep following the stepped clock.
      const a = nowMs();
      const b = nowMs();
      expect(b).toBeGreaterThanOrEqual(a);
      expect(Math.abs(b - (real() + 6_000))).toBeLessThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
    expect(Math.abs(nowMs() - Date.now())).toBeLessThanOrEqual(2);
  });
});
