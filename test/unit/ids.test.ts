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
});
