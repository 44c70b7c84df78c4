// The desk's bounded memory of alerted arrivals (electron/desk/recentIds.ts).
import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../electron/desk/recentIds.ts';

describe('RecentIds', () => {
  it('answers whether an id was added, once', () => {
    const r = new RecentIds(3);
    expect(r.add('a')).toBe(true);
    expect(r.add('a')).toBe(false);
    expect(r.has('a')).toBe(true);
    expect(r.has('b')).toBe(false);
  });

  it('remembers an id while fewer than `capacity` were added after it, forgets it before 2 × capacity, holds fewer than 2 × capacity', () => {
    const capacity = 50;
    const r = new RecentIds(capacity);
    const ids = Array.from({ length: 1000 }, (_, i) => `v${i}`);
    const wrong: string[] = [];
    let largest = 0;
    for (let i = 0; i < ids.length; i++) {
      if (!r.add(ids[i]!)) wrong.push(`${ids[i]} refused`);
      largest = Math.max(largest, r.size);
      // Every id with fewer than `capacity` adds after it is still known, none with 2 × capacity or more.
      for (let back = 0; back <= i; back++) {
        const known = r.has(ids[i - back]!);
        if (back < capacity && !known) wrong.push(`${ids[i - back]} forgotten after ${back}`);
        if (back >= 2 * capacity && known) wrong.push(`${ids[i - back]} kept after ${back}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(largest).toBeGreaterThanOrEqual(capacity);
    expect(largest).toBeLessThan(2 * capacity);
  });

  it('holds its bound over 200,000 adds into a memory of 5,000 (the size the desk uses)', () => {
    const r = new RecentIds(5000);
    for (let i = 0; i < 200_000; i++) r.add(`id-${i}`);
    expect(r.size).toBeLessThan(10_000);
    expect(r.has('id-199999')).toBe(true);
    expect(r.has('id-0')).toBe(false);
  });

  it('refuses a capacity below one', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
