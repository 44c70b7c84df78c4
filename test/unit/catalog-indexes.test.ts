// A catalog's indexes (hq/app/catalogCache.ts catalogIndexes) are made once per catalog object and
// kept by it — not by a WeakMap (their marking then fell in a full GC's pause) — never carried to
// a copy spread from it, and made again for another store.
import { describe, expect, it } from 'vitest';
import { catalogIndexes, type StoreCatalog } from '../../hq/app/catalogCache.ts';
import { type Style } from '../../shared/domain.ts';

const style = { id: 'st-1', name: 'Runner', category: 'running', price: 59900, colors: ['black'], sizes: [40, 41], releasedAt: 1 } as unknown as Style;
const catalog = (): StoreCatalog => ({
  styles: [style],
  stock: [{ storeId: 's1', styleId: 'st-1', color: 'black', size: 40, qty: 2 }],
  popularity: new Map(),
  images: new Map(),
});

describe('catalogIndexes', () => {
  it('makes them once per catalog and store', () => {
    const c = catalog();
    const first = catalogIndexes(c, 's1');
    expect(catalogIndexes(c, 's1')).toBe(first);
    expect(catalogIndexes(catalog(), 's1')).not.toBe(first);
  });

  it('keeps them out of sight: not a key, not carried by a spread, not in JSON', () => {
    const c = catalog();
    const first = catalogIndexes(c, 's1');
    expect(Object.keys(c).sort()).toEqual(['images', 'popularity', 'stock', 'styles']);
    expect(catalogIndexes({ ...c }, 's1')).not.toBe(first);
    expect(JSON.stringify(c)).toBe(JSON.stringify(catalog()));
    expect(catalogIndexes(c, 's1')).toBe(first);
  });

  it('makes them again for another store', () => {
    const c = catalog();
    const first = catalogIndexes(c, 's1');
    const other = catalogIndexes(c, 's2');
    expect(other).not.toBe(first);
    expect(catalogIndexes(c, 's2')).toBe(other);
  });
});
