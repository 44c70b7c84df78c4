// The member-history part of the store port (`tx.memberHistory`) on both adapters, the embedded
// SQLite file and PostgreSQL: member notes kept, read newest first with a limit, refused twice by
// id, rolled back with their transaction and erased with the member; a member's visits read across
// every store with their notes. (The store-conformance pattern, for this sub-surface.)
//
// PostgreSQL is required: when it is not reachable these tests fail (FOOTFALL_TEST_PG_URL).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore, type MemberRecord, type VisitRow } from '../../hq/ports/store.ts';
import { type Actor } from '../../shared/domain.ts';
import { type MemberNote } from '../../shared/memberHistory.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-history-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return {
        store,
        close: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
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

const by: Actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '王芳' };
const member = (id: string): MemberRecord => ({
  id,
  code: `code-${id}`,
  name: `Member ${id}`,
  nameEn: '',
  tier: 'gold',
  phone: '13900001111',
  homeStoreId: 'bj',
  sizes: { eu: 39, cn: 245 },
  preferences: [],
  points: 0,
  joinedAt: 1_000,
  updatedAt: 2_000,
  birthday: null,
  consents: { marketing: false, personalization: false, contact: false },
});
const note = (id: string, memberId: string, at: number, text = `note ${id}`): MemberNote => ({ id, memberId, storeId: 'sh', text, by, at });
const visit = (id: string, storeId: string, memberId: string, arrivedAt: number): VisitRow => ({
  id,
  storeId,
  memberId,
  source: 'door',
  status: 'closed',
  arrivedAt,
  lastSeenAt: arrivedAt,
  arrivals: 1,
  claimedBy: by,
  claimedAt: arrivedAt + 1,
  closedAt: arrivedAt + 2,
  outcome: 'purchased',
});

describe.each(ADAPTERS)('member history storage: $name', ({ open }) => {
  let store: HqStore;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
    await store.withTx(async (tx) => {
      await tx.upsertStore({ id: 'sh', name: 'Shanghai', city: '' }, 'e1');
      await tx.upsertStore({ id: 'bj', name: 'Beijing', city: '' }, 'e1');
    });
  });
  afterAll(async () => {
    await close?.();
  });

  it('keeps member notes, newest first with a limit, once per id, undone with their transaction', async () => {
    await store.withTx(async (tx) => {
      await tx.upsertMember(member('m1'));
      await tx.memberHistory.insertNote(note('n1', 'm1', 100, 'Prefers wide fit 宽楦'));
      await tx.memberHistory.insertNote(note('n2', 'm1', 300));
      await tx.memberHistory.insertNote(note('n3', 'm1', 200));
    });
    expect(await store.read((r) => r.memberHistory.getNote('n1'))).toEqual(note('n1', 'm1', 100, 'Prefers wide fit 宽楦'));
    expect(await store.read((r) => r.memberHistory.getNote('nope'))).toBeNull();
    expect((await store.read((r) => r.memberHistory.notesOf('m1', 10))).map((n) => n.id)).toEqual(['n2', 'n3', 'n1']);
    expect((await store.read((r) => r.memberHistory.notesOf('m1', 2))).map((n) => n.id)).toEqual(['n2', 'n3']);
    // The same id twice is refused by the table (the use case looks it up first).
    await expect(store.withTx((tx) => tx.memberHistory.insertNote(note('n1', 'm1', 400)))).rejects.toThrow();
    // A rolled-back transaction leaves no note.
    await expect(
      store.withTx(async (tx) => {
        await tx.memberHistory.insertNote(note('n4', 'm1', 500));
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await store.read((r) => r.memberHistory.getNote('n4'))).toBeNull();
  });

  it('reads a member’s visits across every store, newest first, with their notes', async () => {
    await store.withTx(async (tx) => {
      await tx.upsertMember(member('m2'));
      await tx.insertVisit(visit('v-bj', 'bj', 'm2', 10_000));
      await tx.insertVisit(visit('v-sh', 'sh', 'm2', 20_000));
      await tx.insertVisit(visit('v-other', 'sh', 'someone-else', 30_000));
      await tx.insertNote({ id: 'vn1', visitId: 'v-bj', memberId: 'm2', text: 'Tried size 39', by, at: 10_001 });
      await tx.insertNote({ id: 'vn2', visitId: 'v-bj', memberId: 'm2', text: 'Will come back', by, at: 10_002 });
    });
    const visits = await store.read((r) => r.memberHistory.visitsOf('m2', 10));
    expect(visits.map((v) => [v.id, v.storeId, v.notes.map((n) => n.text)])).toEqual([
      ['v-sh', 'sh', []],
      ['v-bj', 'bj', ['Tried size 39', 'Will come back']],
    ]);
    expect(visits[0]).toMatchObject({ claimedBy: by, outcome: 'purchased', closedAt: 20_002 });
    expect((await store.read((r) => r.memberHistory.visitsOf('m2', 1))).map((v) => v.id)).toEqual(['v-sh']);
  });

  it('7/8: when a member was last seen anywhere, not counting the visit a profile is for', async () => {
    await store.withTx(async (tx) => {
      await tx.upsertMember(member('m5'));
      await tx.insertVisit({ ...visit('v5-bj', 'bj', 'm5', 10_000), lastSeenAt: 12_000 }); // seen again 2 s later
      await tx.insertVisit(visit('v5-sh', 'sh', 'm5', 50_000));
      await tx.insertVisit(visit('v5-someone', 'sh', 'someone-else', 90_000));
    });
    expect(await store.read((r) => r.memberHistory.lastSeenAt('m5', null))).toBe(50_000);
    expect(await store.read((r) => r.memberHistory.lastSeenAt('m5', 'v5-sh'))).toBe(12_000);
    expect(await store.read((r) => r.memberHistory.lastSeenAt('m5', 'v5-unknown'))).toBe(50_000);
    expect(await store.read((r) => r.memberHistory.lastSeenAt('never-seen', null))).toBeNull();
  });

  it('erases a member’s notes with the member, and no one else’s', async () => {
    await store.withTx(async (tx) => {
      await tx.upsertMember(member('m3'));
      await tx.upsertMember(member('m4'));
      await tx.memberHistory.insertNote(note('n-m3', 'm3', 100));
      await tx.memberHistory.insertNote(note('n-m4', 'm4', 100));
    });
    expect(await store.withTx((tx) => tx.deleteMember('m3'))).toBe(true);
    expect(await store.read((r) => r.memberHistory.notesOf('m3', 10))).toEqual([]);
    expect((await store.read((r) => r.memberHistory.notesOf('m4', 10))).map((n) => n.id)).toEqual(['n-m4']);
  });
});
