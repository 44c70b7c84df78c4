// The event log writer (hq/app/eventLog.ts) on both store adapters: trimming per step, and the
// optimistic batch — run without savepoints, rolled back and run again with them when a write
// fails — leaving exactly what a savepoint per write would have left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLog, trimStep } from '../../hq/app/eventLog.ts';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore, type StoredEvent } from '../../hq/ports/store.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-eventlog-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const { store, cleanup } = await freshPgStore({ poolSize: 4 });
      return { store, close: cleanup };
    },
  },
];

it('trims a tenth of the limit at a time, at most 64 events past it; small limits exactly', () => {
  expect(trimStep(100_000)).toBe(64);
  expect(trimStep(200)).toBe(20);
  expect(trimStep(3)).toBe(1);
  expect(trimStep(0)).toBe(1);
});

for (const adapter of ADAPTERS) {
  describe(`event log on ${adapter.name}`, () => {
    let store: HqStore;
    let close: () => Promise<void>;
    let n = 0;
    beforeAll(async () => ({ store, close } = await adapter.open()));
    afterAll(async () => close?.());

    const newStore = async () => {
      const id = `s${++n}`;
      await store.withTx((tx) => tx.upsertStore({ id, name: id, city: '' }, 'e1'));
      return id;
    };
    const seqs = (id: string) => store.read(async (r) => (await r.readEvents(id, 0, 1000)).map((e) => e.seq));

    it('keeps between the limit and limit + step − 1 events', async () => {
      const id = await newStore();
      const log = new EventLog(store, 200, () => undefined); // step 20
      for (let i = 1; i <= 259; i++) await log.write((_tx, append) => append(id, 'visit.updated', { visit: { id: `v${i}` } } as never));
      // Trimmed at 240 (to 41..240); 241..259 came after.
      expect((await seqs(id))[0]).toBe(41);
      expect((await seqs(id)).length).toBe(219);
      await log.write((_tx, append) => append(id, 'visit.updated', { visit: { id: 'v260' } } as never));
      expect(await seqs(id)).toEqual(Array.from({ length: 200 }, (_, i) => 61 + i));
    });

    it('a batch whose write fails (even when fn swallows the error) commits the others, seqs gap-free, once', async () => {
      const id = await newStore();
      const published: StoredEvent[][] = [];
      const log = new EventLog(store, 100_000, (evs) => published.push(evs));
      let runs = 0;
      const result = await log.batch(async (b) => {
        runs++;
        const outcomes: string[] = [];
        for (const k of [1, 2, 3, 4]) {
          try {
            await b.write(async (tx, append) => {
              await append(id, 'visit.updated', { visit: { id: `v${k}` } } as never);
              await tx.setMeta(`k${id}-${k}`, 'x');
              if (k === 2) throw new Error('item 2 fails after writing');
            });
            outcomes.push(`ok ${k}`);
          } catch (err) {
            outcomes.push(`failed ${k}: ${(err as Error).message}`);
          }
        }
        return outcomes;
      });
      expect(runs).toBe(2); // the optimistic run, then the one with savepoints
      expect(result).toEqual(['ok 1', 'failed 2: item 2 fails after writing', 'ok 3', 'ok 4']);
      expect(await seqs(id)).toEqual([1, 2, 3]);
      expect(await store.read((r) => r.getMeta(`k${id}-2`))).toBeNull();
      expect(await store.read((r) => r.getMeta(`k${id}-3`))).toBe('x');
      expect(published.flat().map((e) => e.seq)).toEqual([1, 2, 3]);
    });

    it('a batch with no failing write runs once', async () => {
      const id = await newStore();
      const log = new EventLog(store, 100_000, () => undefined);
      let runs = 0;
      await log.batch(async (b) => {
        runs++;
        for (const k of [1, 2, 3]) await b.write((_tx, append) => append(id, 'visit.updated', { visit: { id: `v${k}` } } as never));
      });
      expect(runs).toBe(1);
      expect(await seqs(id)).toEqual([1, 2, 3]);
    });
  });
}
