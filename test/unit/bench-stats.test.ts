import { describe, expect, it } from 'vitest';
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
