// tx.tasks on both storage adapters (SQLite file, PostgreSQL schema): the same answers from each —
// a task written whole and read back, the store's list (open ones and recently changed), open wants,
// the size quantity over colours, erasure with the member, and a rollback that leaves nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore, type MemberRecord } from '../../hq/ports/store.ts';
import { type Task } from '../../shared/tasks.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-tasks-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const { store, cleanup } = await freshPgStore({ poolSize: 2 });
      return { store, close: cleanup };
    },
  },
];

const task = (id: string, over: Partial<Task> = {}): Task => ({
  id,
  storeId: 's1',
  memberId: 'm1',
  kind: 'call_back',
  text: '39 码到货后回电',
  dueAt: 5_000,
  assignee: 'c1',
  status: 'open',
  snoozedUntil: null,
  want: null,
  birthday: null,
  refId: null,
  createdBy: { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' },
  createdAt: 1_000,
  doneBy: null,
  doneAt: null,
  updatedAt: 1_000,
  ...over,
});

const member = (id: string): MemberRecord => ({
  id,
  code: `code-${id}`,
  name: `Member ${id}`,
  nameEn: '',
  tier: 'basic',
  phone: '',
  homeStoreId: 's1',
  sizes: { eu: 39, cn: 245 },
  preferences: [],
  points: 0,
  joinedAt: 1_000,
  updatedAt: 1_000,
  birthday: null,
  consents: { marketing: false, personalization: false, contact: true },
});

for (const adapter of ADAPTERS) {
  describe(`tx.tasks on ${adapter.name}`, () => {
    let store: HqStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await adapter.open());
      await store.withTx(async (tx) => {
        await tx.upsertStore({ id: 's1', name: 'S1', city: '' }, 'e1');
        await tx.upsertStore({ id: 's2', name: 'S2', city: '' }, 'e2');
        await tx.upsertMember(member('m1'));
        await tx.upsertMember(member('m2'));
      });
    }, 30_000);
    afterAll(async () => {
      await close?.();
    });

    it('writes a task whole and reads it back; a second write replaces it', async () => {
      const t1 = task('t1', { want: { styleId: 'st', size: 39.5, styleName: 'Cloud' }, text: 'O’Brien “39½” 回电' });
      await store.withTx((tx) => tx.tasks.putTask(t1));
      expect(await store.read((r) => r.tasks.getTask('t1'))).toEqual(t1);
      const done = { ...t1, status: 'done' as const, doneAt: 9_000, doneBy: { deviceId: 'd2', deviceName: 'Counter 2' }, updatedAt: 9_000 };
      await store.withTx((tx) => tx.tasks.putTask(done));
      expect(await store.read((r) => r.tasks.getTask('t1'))).toEqual(done);
      expect(await store.read((r) => r.tasks.getTask('nope'))).toBeNull();
    });

    it("lists a store's open tasks and the ones changed since, by due time, never another store's", async () => {
      await store.withTx(async (tx) => {
        await tx.tasks.putTask(task('a-late', { dueAt: 8_000 }));
        await tx.tasks.putTask(task('a-early', { dueAt: 2_000 }));
        await tx.tasks.putTask(task('a-old-done', { status: 'done', updatedAt: 500, dueAt: 1 }));
        await tx.tasks.putTask(task('b-1', { storeId: 's2' }));
      });
      const ids = async (since: number, limit = 100) => (await store.read((r) => r.tasks.tasksOfStore('s1', since, limit))).map((t) => t.id);
      // t1 (done at 9,000) shows only while recent.
      expect(await ids(5_000)).toEqual(['a-early', 't1', 'a-late']);
      expect(await ids(0)).toEqual(['a-old-done', 'a-early', 't1', 'a-late']);
      expect(await ids(0, 2)).toEqual(['a-old-done', 'a-early']);
      expect((await store.read((r) => r.tasks.tasksOfStore('s2', 0, 100))).map((t) => t.id)).toEqual(['b-1']);
    });

    it('finds open wants of a store, and the quantity of a size over every colour', async () => {
      await store.withTx(async (tx) => {
        await tx.tasks.putTask(task('w1', { want: { styleId: 'st', size: 39 }, dueAt: 3 }));
        await tx.tasks.putTask(task('w2', { want: { styleId: 'st', size: 40 }, dueAt: 4, status: 'done' }));
        await tx.tasks.putTask(task('w3', { storeId: 's2', want: { styleId: 'st', size: 39 } }));
        await tx.setStock({ storeId: 's1', styleId: 'st', color: 'BLK', size: 39, qty: 2 });
        await tx.setStock({ storeId: 's1', styleId: 'st', color: 'WHT', size: 39, qty: 3 });
        await tx.setStock({ storeId: 's1', styleId: 'st', color: 'WHT', size: 39.5, qty: 7 });
        await tx.setStock({ storeId: 's2', styleId: 'st', color: 'BLK', size: 39, qty: 9 });
      });
      expect((await store.read((r) => r.tasks.openWants('s1'))).map((t) => t.id)).toEqual(['w1']);
      expect(await store.read((r) => r.tasks.sizeQty('s1', 'st', 39))).toBe(5);
      expect(await store.read((r) => r.tasks.sizeQty('s1', 'st', 39.5))).toBe(7);
      expect(await store.read((r) => r.tasks.sizeQty('s1', 'st', 41))).toBe(0);
      expect(await store.read((r) => r.tasks.sizeQty('s1', 'other', 39))).toBe(0);
    });

    it('rolls a task back with its transaction', async () => {
      await expect(
        store.withTx(async (tx) => {
          await tx.tasks.putTask(task('rolled'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.read((r) => r.tasks.getTask('rolled'))).toBeNull();
    });

    it("erases a member's tasks with the member", async () => {
      await store.withTx(async (tx) => {
        await tx.tasks.putTask(task('m2-task', { memberId: 'm2' }));
        await tx.tasks.putTask(task('no-member', { memberId: null }));
      });
      await store.withTx((tx) => tx.deleteMember('m2'));
      expect(await store.read((r) => r.tasks.getTask('m2-task'))).toBeNull();
      expect(await store.read((r) => r.tasks.getTask('no-member'))).not.toBeNull();
    });
  });
}
