import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';

describe('uuidv7', () => {
  it('is version 7, RFC variant, and sorts in creation order within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => uuidv7(1_700_000_000_000));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('encodes the timestamp in the first 48 bits', () => {
    const id = uuidv7(Date.UTC(2030, 0, 1));
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(Date.UTC(2030, 0, 1));
  });
  it('never hands out the same random bits twice across pool refills', () => {
    // Thousands of ids in one millisecond cross the 4 KiB pool many times: the random tail
    // (bytes 10–15, after the counter) must differ between every two of them.
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
