import { describe, expect, it } from 'vitest';
import { backoffBase, backoffDelay, DEFAULT_BACKOFF } from '../../electron/desk/backoff.ts';

describe('desk reconnect backoff', () => {
  it('doubles from minMs and caps at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20, 1000].map((a) => backoffBase(a, DEFAULT_BACKOFF))).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000,
    ]);
  });

  it('jitters within [base/2, base] at the extremes of the random source', () => {
    for (let a = 0; a < 12; a++) {
      const base = backoffBase(a, DEFAULT_BACKOFF);
      expect(backoffDelay(a, DEFAULT_BACKOFF, () => 0)).toBe(base / 2);
      expect(backoffDelay(a, DEFAULT_BACKOFF, () => 0.999999)).toBeLessThanOrEqual(base);
      expect(backoffDelay(a, DEFAULT_BACKOFF, () => 0.999999)).toBeGreaterThan(base * 0.99);
    }
  });

  it('stays in bounds and actually spreads with Math.random', () => {
    const o = { minMs: 100, maxMs: 1000 };
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const d = backoffDelay(3, o);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
      seen.add(d);
    }
    expect(seen.size).toBeGreaterThan(50);
    expect(backoffDelay(50, o)).toBeLessThanOrEqual(1000);
  });
});
