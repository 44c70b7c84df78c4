// The groups part of the store port (`tx.groups`, 5/8), one suite on both adapters (SQLite file and
// a fresh PostgreSQL schema), as hold-storage.test.ts does for holds: what hq/app/groups/ relies on
// — the member count taken from active memberships, message numbering and paging, a resend found by
// its clientId, anonymising on leave, live invites, the monthly announcement cap counted once per
// member, the community settings, erasure — must come out the same on both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../hq/adapters/sqlite/sqliteStore.ts';
import { type HqStore } from '../../hq/ports/store.ts';
import { storedMember } from '../support/builders.ts';
import { type Group, type GroupInvite, type GroupMembership, type GroupMessage } from '../../shared/groups.ts';
import { freshPgStore } from '../support/pg.ts';

const ADAPTERS: Array<{ name: string; open: () => Promise<{ store: HqStore; close(): Promise<void> }> }> = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-groups-'));
      const store = openSqliteStore(join(dir, 'hq.db'));
      return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  },
  { name: 'postgres', open: async () => freshPgStore({ poolSize: 2 }).then(({ store, cleanup }) => ({ store, close: cleanup })) },
];

const actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' };
const group = (id: string, over: Partial<Group> = {}): Group => ({
  id,
  storeId: 'a',
  scope: 'store',
  name: `跑步俱乐部 ${id}`,
  topic: 'Weekend runs',
  notice: '',
  noticeAt: null,
  welcome: '欢迎 {nickname}',
  slowModeSec: 0,
  hosts: [{ clerkId: 'c1', clerkName: '李娜' }],
  memberCount: 0,
  lastN: 0,
  lastAt: null,
  storeReadN: 0,
  createdAt: 1_000,
  createdBy: actor,
  closedAt: null,
  ...over,
});
const membership = (groupId: string, memberId: string, over: Partial<GroupMembership> = {}): GroupMembership => ({
  groupId,
  memberId,
  nickname: `nick-${memberId}`,
  status: 'active',
  joinedAt: 2_000,
  inviteId: null,
  mutedUntil: null,
  readN: 0,
  endedAt: null,
  ...over,
});
const fromMember = (groupId: string, n: number, memberId: string, over: Partial<GroupMessage> = {}): GroupMessage => ({
  id: `${groupId}-m${n}`,
  groupId,
  storeId: 'a',
  n,
  clientId: `client-${n}`,
  from: 'member',
  memberId,
  nickname: `nick-${memberId}`,
  by: null,
  kind: 'text',
  body: `hello ${n}`,
  product: null,
  image: null,
  forMemberId: null,
  replyTo: null,
  reach: null,
  at: 10_000 + n * 1_000,
  recalledAt: null,
  deletedAt: null,
  deletedBy: null,
  ...over,
});
const fromHost = (groupId: string, n: number, over: Partial<GroupMessage> = {}): GroupMessage =>
  fromMember(groupId, n, 'x', { from: 'host', memberId: null, nickname: null, by: actor, ...over });
const invite = (id: string, over: Partial<GroupInvite> = {}): GroupInvite => ({
  id,
  groupId: 'g1',
  token: `token-${id}-0123456789abcdef`,
  createdAt: 1_000,
  createdBy: actor,
  expiresAt: 100_000,
  revokedAt: null,
  joins: 0,
  ...over,
});
const member = storedMember;
const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);

for (const adapter of ADAPTERS) {
  describe(`group storage on ${adapter.name}`, () => {
    it('keeps groups whole, counts active members on read, lists a store’s groups with the closed cut-off and the open chain groups', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          // memberCount given here is not kept: the count is the group's active memberships.
          await tx.groups.putGroup(group('g1', { memberCount: 99 }));
          await tx.groups.putGroup(group('g2', { scope: 'chain', createdAt: 2_000 }));
          await tx.groups.putGroup(group('g3', { createdAt: 3_000, closedAt: 5_000 }));
          await tx.groups.putGroup(group('g4', { scope: 'chain', createdAt: 4_000, closedAt: 6_000 }));
          await tx.groups.putGroup(group('g5', { storeId: 'b', scope: 'chain', createdAt: 5_000 }));
        });
        await store.read(async (r) => {
          expect(await r.groups.getGroup('g1')).toEqual(group('g1'));
          expect(await r.groups.getGroup('nope')).toBeNull();
          expect(ids(await r.groups.groupsOfStore('a', 5_500))).toEqual(['g4', 'g2', 'g1']);
          expect(ids(await r.groups.groupsOfStore('a', 5_000))).toEqual(['g4', 'g3', 'g2', 'g1']);
          expect(ids(await r.groups.groupsOfStore('a', 7_000))).toEqual(['g2', 'g1']);
          expect(ids(await r.groups.groupsOfStore('b', 0))).toEqual(['g5']);
          expect(ids(await r.groups.chainGroups(10))).toEqual(['g5', 'g2']);
          expect(ids(await r.groups.chainGroups(1))).toEqual(['g5']);
        });
        await store.withTx(async (tx) => {
          await tx.groups.putMembership(membership('g1', 'm1'));
          await tx.groups.putMembership(membership('g1', 'm2', { joinedAt: 1_500 }));
          await tx.groups.putMembership(membership('g1', 'm3', { status: 'left', endedAt: 3_000 }));
          await tx.groups.putMembership(membership('g2', 'm1'));
          // A change of the group's own fields (same id) replaces it; the count stays the computed one.
          await tx.groups.putGroup(group('g1', { notice: '周六 8 点', noticeAt: 3_000, lastN: 4, lastAt: 9_000, memberCount: 0 }));
        });
        await store.read(async (r) => {
          expect(await r.groups.getGroup('g1')).toEqual(group('g1', { notice: '周六 8 点', noticeAt: 3_000, lastN: 4, lastAt: 9_000, memberCount: 2 }));
          expect((await r.groups.groupsOfStore('a', 0)).map((g) => [g.id, g.memberCount])).toEqual([
            ['g4', 0],
            ['g3', 0],
            ['g2', 1],
            ['g1', 2],
          ]);
          expect((await r.groups.chainGroups(10)).map((g) => [g.id, g.memberCount])).toEqual([
            ['g5', 0],
            ['g2', 1],
          ]);
        });
        // Closing takes a chain group out of the joinable list.
        await store.withTx((tx) => tx.groups.putGroup(group('g2', { scope: 'chain', createdAt: 2_000, closedAt: 8_000 })));
        expect(ids(await store.read((r) => r.groups.chainGroups(10)))).toEqual(['g5']);
      } finally {
        await close();
      }
    });

    it('keeps memberships by status and join time, a member’s in every group, and pages active member ids', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.groups.putGroup(group('g1'));
          await tx.groups.putMembership(membership('g1', 'm3', { joinedAt: 3_000 }));
          await tx.groups.putMembership(membership('g1', 'm1', { joinedAt: 1_000 }));
          await tx.groups.putMembership(membership('g1', 'm2', { joinedAt: 2_000, status: 'removed', endedAt: 4_000 }));
          await tx.groups.putMembership(membership('g1', 'm4', { joinedAt: 4_000, status: 'left', endedAt: 5_000 }));
          await tx.groups.putMembership(membership('g1', 'm5', { joinedAt: 5_000 }));
          await tx.groups.putMembership(membership('g2', 'm1', { joinedAt: 500, status: 'left' }));
        });
        await store.read(async (r) => {
          expect(await r.groups.getMembership('g1', 'm1')).toEqual(membership('g1', 'm1', { joinedAt: 1_000 }));
          expect(await r.groups.getMembership('g1', 'm9')).toBeNull();
          const mids = (xs: GroupMembership[]) => xs.map((m) => m.memberId);
          expect(mids(await r.groups.memberships('g1', ['active'], 10))).toEqual(['m1', 'm3', 'm5']);
          expect(mids(await r.groups.memberships('g1', ['active'], 2))).toEqual(['m1', 'm3']);
          expect(mids(await r.groups.memberships('g1', ['left', 'removed'], 10))).toEqual(['m2', 'm4']);
          expect(mids(await r.groups.memberships('g1', ['active', 'left', 'removed'], 10))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
          expect(await r.groups.memberships('g1', [], 10)).toEqual([]);
          expect((await r.groups.membershipsOfMember('m1')).map((m) => [m.groupId, m.status])).toEqual([
            ['g2', 'left'],
            ['g1', 'active'],
          ]);
          expect(await r.groups.activeMemberIds('g1', '', 2)).toEqual(['m1', 'm3']);
          expect(await r.groups.activeMemberIds('g1', 'm3', 2)).toEqual(['m5']);
          expect(await r.groups.activeMemberIds('g1', 'm5', 2)).toEqual([]);
          expect(await r.groups.activeMemberIds('g2', '', 10)).toEqual([]);
        });
        // A mute, a read position and a rejoin replace the row.
        await store.withTx(async (tx) => {
          await tx.groups.putMembership(membership('g1', 'm1', { joinedAt: 1_000, mutedUntil: 50_000, readN: 7 }));
          await tx.groups.putMembership(membership('g1', 'm4', { joinedAt: 6_000, nickname: '小跑' }));
        });
        await store.read(async (r) => {
          expect(await r.groups.getMembership('g1', 'm1')).toMatchObject({ mutedUntil: 50_000, readN: 7 });
          expect(await r.groups.activeMemberIds('g1', '', 10)).toEqual(['m1', 'm3', 'm4', 'm5']);
          expect((await r.groups.getGroup('g1'))!.memberCount).toBe(4);
        });
      } finally {
        await close();
      }
    });

    it('stores messages by n, pages after and before, finds a resend by clientId, counts a member’s recent messages', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.groups.putGroup(group('g1'));
          for (let n = 1; n <= 7; n++) await tx.groups.insertMessage(n % 3 === 0 ? fromHost('g1', n) : fromMember('g1', n, n % 2 ? 'm1' : 'm2'));
          await tx.groups.insertMessage(fromMember('g2', 1, 'm1')); // another group, the same clientId
        });
        await store.read(async (r) => {
          const ns = (xs: GroupMessage[]) => xs.map((m) => m.n);
          expect(await r.groups.getMessage('g1-m2')).toEqual(fromMember('g1', 2, 'm2'));
          expect(await r.groups.getMessage('nope')).toBeNull();
          expect(await r.groups.getMessageByN('g1', 3)).toEqual(fromHost('g1', 3));
          expect(await r.groups.getMessageByN('g1', 8)).toBeNull();
          expect(ns(await r.groups.messagesAfter('g1', 0, 3))).toEqual([1, 2, 3]);
          expect(ns(await r.groups.messagesAfter('g1', 5, 10))).toEqual([6, 7]);
          expect(ns(await r.groups.messagesAfter('g1', 7, 10))).toEqual([]);
          // The newest `limit`, oldest first.
          expect(ns(await r.groups.messagesBefore('g1', null, 3))).toEqual([5, 6, 7]);
          expect(ns(await r.groups.messagesBefore('g1', 5, 3))).toEqual([2, 3, 4]);
          expect(ns(await r.groups.messagesBefore('g1', 3, 10))).toEqual([1, 2]);
          expect(ns(await r.groups.messagesBefore('g1', 1, 10))).toEqual([]);
          // A member's resend is found by (member, clientId); a host's by (desk, clientId).
          expect((await r.groups.findByClientId('g1', { memberId: 'm1' }, 'client-5'))?.id).toBe('g1-m5');
          expect(await r.groups.findByClientId('g1', { memberId: 'm2' }, 'client-5')).toBeNull();
          expect((await r.groups.findByClientId('g1', { deviceId: 'd1' }, 'client-6'))?.id).toBe('g1-m6');
          expect(await r.groups.findByClientId('g1', { deviceId: 'd2' }, 'client-6')).toBeNull();
          expect(await r.groups.findByClientId('g1', { deviceId: 'd1' }, 'client-5')).toBeNull();
          expect((await r.groups.findByClientId('g2', { memberId: 'm1' }, 'client-1'))?.id).toBe('g2-m1');
          // m1 sent n = 1, 5, 7 (at 11 000, 15 000, 17 000).
          expect(await r.groups.memberMessagesSince('g1', 'm1', 15_000)).toBe(2);
          expect(await r.groups.memberMessagesSince('g1', 'm1', 0)).toBe(3);
          expect(await r.groups.memberMessagesSince('g1', 'm1', 17_001)).toBe(0);
          expect(await r.groups.lastMemberMessageAt('g1', 'm1')).toBe(17_000);
          expect(await r.groups.lastMemberMessageAt('g1', 'm2')).toBe(14_000);
          expect(await r.groups.lastMemberMessageAt('g1', 'm9')).toBeNull();
        });
        // A second message at the same place, or a second under the same sender and clientId, is refused.
        await expect(store.withTx((tx) => tx.groups.insertMessage(fromMember('g1', 7, 'm1', { id: 'other', clientId: 'fresh' })))).rejects.toThrow();
        await expect(store.withTx((tx) => tx.groups.insertMessage(fromMember('g1', 8, 'm1', { clientId: 'client-5' })))).rejects.toThrow();
        await expect(store.withTx((tx) => tx.groups.insertMessage(fromHost('g1', 8, { clientId: 'client-6' })))).rejects.toThrow();
        // A recall keeps the message's place and loses its content.
        const recalled = fromMember('g1', 5, 'm1', { body: '', recalledAt: 16_000 });
        await store.withTx((tx) => tx.groups.updateMessage(recalled));
        await store.read(async (r) => {
          expect(await r.groups.getMessageByN('g1', 5)).toEqual(recalled);
          expect(await r.groups.getMessage('g1-m5')).toEqual(recalled);
        });
      } finally {
        await close();
      }
    });

    it('anonymises a leaving member’s messages (JSON and column), the quotes of them and the answers for them, in that group only', async () => {
      const { store, close } = await adapter.open();
      try {
        const reply = { n: 1, nickname: 'nick-m1', excerpt: 'hello 1' };
        await store.withTx(async (tx) => {
          await tx.groups.putGroup(group('g1'));
          await tx.groups.insertMessage(fromMember('g1', 1, 'm1'));
          await tx.groups.insertMessage(fromMember('g1', 2, 'm2'));
          await tx.groups.insertMessage(fromHost('g1', 3, { forMemberId: 'm1', replyTo: reply }));
          await tx.groups.insertMessage(fromMember('g1', 4, 'm1'));
          await tx.groups.insertMessage(fromHost('g1', 5, { replyTo: { n: 2, nickname: 'nick-m2', excerpt: 'hello 2' } }));
          await tx.groups.insertMessage(fromMember('g2', 1, 'm1'));
        });
        expect(await store.withTx((tx) => tx.groups.anonymiseMember('g1', 'm1'))).toBe(2);
        await store.read(async (r) => {
          expect(await r.groups.getMessageByN('g1', 1)).toEqual(fromMember('g1', 1, 'm1', { memberId: null, nickname: null }));
          expect(await r.groups.getMessageByN('g1', 4)).toEqual(fromMember('g1', 4, 'm1', { memberId: null, nickname: null }));
          expect(await r.groups.getMessageByN('g1', 3)).toEqual(fromHost('g1', 3, { forMemberId: null, replyTo: { ...reply, nickname: null } }));
          // Others' messages, quotes of them, and the member's messages in another group stay.
          expect(await r.groups.getMessageByN('g1', 2)).toEqual(fromMember('g1', 2, 'm2'));
          expect((await r.groups.getMessageByN('g1', 5))!.replyTo).toEqual({ n: 2, nickname: 'nick-m2', excerpt: 'hello 2' });
          expect(await r.groups.getMessageByN('g2', 1)).toEqual(fromMember('g2', 1, 'm1'));
          // The column is gone too: no resend lookup, no slow-mode history.
          expect(await r.groups.findByClientId('g1', { memberId: 'm1' }, 'client-1')).toBeNull();
          expect(await r.groups.lastMemberMessageAt('g1', 'm1')).toBeNull();
          expect(await r.groups.memberMessagesSince('g1', 'm1', 0)).toBe(0);
        });
        expect(await store.withTx((tx) => tx.groups.anonymiseMember('g1', 'm1'))).toBe(0);
      } finally {
        await close();
      }
    });

    it('finds invites by id and token, lists the live ones (not revoked, not expired)', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.groups.putInvite(invite('i1'));
          await tx.groups.putInvite(invite('i2', { createdAt: 2_000, expiresAt: 50_000 }));
          await tx.groups.putInvite(invite('i3', { createdAt: 3_000, revokedAt: 4_000 }));
          await tx.groups.putInvite(invite('i4', { groupId: 'g2' }));
        });
        await store.read(async (r) => {
          expect(await r.groups.getInvite('i1')).toEqual(invite('i1'));
          expect(await r.groups.getInvite('nope')).toBeNull();
          expect(await r.groups.inviteByToken(invite('i2').token)).toEqual(invite('i2', { createdAt: 2_000, expiresAt: 50_000 }));
          expect(await r.groups.inviteByToken('no-such-token-0123456789')).toBeNull();
          expect(ids(await r.groups.liveInvites('g1', 10_000))).toEqual(['i1', 'i2']);
          expect(ids(await r.groups.liveInvites('g1', 50_000))).toEqual(['i1']);
          expect(ids(await r.groups.liveInvites('g1', 100_000))).toEqual([]);
          expect(ids(await r.groups.liveInvites('g2', 0))).toEqual(['i4']);
        });
        // A join counts on the invite; a revoke ends it.
        await store.withTx(async (tx) => {
          await tx.groups.putInvite(invite('i1', { joins: 3 }));
          await tx.groups.putInvite(invite('i2', { createdAt: 2_000, expiresAt: 50_000, revokedAt: 9_000 }));
        });
        await store.read(async (r) => {
          expect((await r.groups.inviteByToken(invite('i1').token))!.joins).toBe(3);
          expect(ids(await r.groups.liveInvites('g1', 10_000))).toEqual(['i1']);
        });
        // Tokens are unique.
        await expect(store.withTx((tx) => tx.groups.putInvite(invite('i9', { token: invite('i1').token })))).rejects.toThrow();
      } finally {
        await close();
      }
    });

    it('counts announcements per member per month once per message, and picks the members under the cap in one call', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.groups.addPushes('a1', ['m1', 'm2', 'm3'], '2026-11');
          await tx.groups.addPushes('a2', ['m1', 'm2'], '2026-11');
          await tx.groups.addPushes('a3', ['m1'], '2026-11');
          await tx.groups.addPushes('a4', ['m1'], '2026-12');
          await tx.groups.addPushes('a5', [], '2026-12');
          // A retried call for the same announcement counts nobody twice (m4 is new, and counted).
          await tx.groups.addPushes('a3', ['m1', 'm4', 'm4'], '2026-11');
        });
        await store.read(async (r) => {
          expect(await r.groups.pushCount('m1', '2026-11')).toBe(3);
          expect(await r.groups.pushCount('m2', '2026-11')).toBe(2);
          expect(await r.groups.pushCount('m4', '2026-11')).toBe(1);
          expect(await r.groups.pushCount('m1', '2026-12')).toBe(1);
          expect(await r.groups.pushCount('m9', '2026-11')).toBe(0);
          expect(await r.groups.underCap(['m5', 'm1', 'm2', 'm3', 'm4'], '2026-11', 2)).toEqual(['m5', 'm3', 'm4']);
          expect(await r.groups.underCap(['m1', 'm2'], '2026-11', 4)).toEqual(['m1', 'm2']);
          expect(await r.groups.underCap(['m1', 'm2'], '2026-11', 0)).toEqual([]);
          expect(await r.groups.underCap(['m1'], '2027-01', 1)).toEqual(['m1']);
          expect(await r.groups.underCap([], '2026-11', 4)).toEqual([]);
          expect(await r.groups.pushedTo('a1')).toEqual(['m1', 'm2', 'm3']);
          expect(await r.groups.pushedTo('a3')).toEqual(['m1', 'm4']);
          expect(await r.groups.pushedTo('nope')).toEqual([]);
        });
        // A page of 5 000 members is one call each way.
        const many = Array.from({ length: 5_000 }, (_, i) => `mm${String(i).padStart(5, '0')}`);
        await store.withTx((tx) => tx.groups.addPushes('big', many.slice(0, 2_500), '2026-11'));
        const under = await store.read((r) => r.groups.underCap(many, '2026-11', 1));
        expect(under).toEqual(many.slice(2_500));
      } finally {
        await close();
      }
    });

    it('erasure deletes the member’s memberships, messages and push records; others’ messages stay, quotes and answers lose the member', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember(member('m1'));
          await tx.upsertMember(member('m2'));
          await tx.groups.putGroup(group('g1'));
          await tx.groups.putGroup(group('g2', { scope: 'chain' }));
          await tx.groups.putMembership(membership('g1', 'm1'));
          await tx.groups.putMembership(membership('g1', 'm2'));
          await tx.groups.putMembership(membership('g2', 'm1', { status: 'removed', endedAt: 3_000 }));
          await tx.groups.insertMessage(fromMember('g1', 1, 'm1'));
          await tx.groups.insertMessage(fromMember('g1', 2, 'm2'));
          await tx.groups.insertMessage(fromHost('g1', 3, { forMemberId: 'm1', replyTo: { n: 1, nickname: 'nick-m1', excerpt: 'hello 1' } }));
          await tx.groups.insertMessage(fromHost('g1', 4, { replyTo: { n: 2, nickname: 'nick-m2', excerpt: 'hello 2' } }));
          await tx.groups.insertMessage(fromHost('g1', 5, { kind: 'announcement', reach: { pushed: 2, capped: 0 } }));
          await tx.groups.insertMessage(fromMember('g2', 1, 'm1'));
          await tx.groups.addPushes('g1-m5', ['m1', 'm2'], '2026-11');
        });
        expect(await store.withTx((tx) => tx.deleteMember('m1'))).toBe(true);
        await store.read(async (r) => {
          expect(await r.groups.getMembership('g1', 'm1')).toBeNull();
          expect(await r.groups.getMembership('g2', 'm1')).toBeNull();
          expect(await r.groups.membershipsOfMember('m1')).toEqual([]);
          expect((await r.groups.getGroup('g1'))!.memberCount).toBe(1);
          expect(await r.groups.getMessage('g1-m1')).toBeNull();
          expect(await r.groups.getMessage('g2-m1')).toBeNull();
          expect((await r.groups.messagesAfter('g1', 0, 10)).map((m) => m.n)).toEqual([2, 3, 4, 5]);
          expect(await r.groups.getMessageByN('g1', 3)).toEqual(fromHost('g1', 3, { forMemberId: null, replyTo: { n: 1, nickname: null, excerpt: '' } }));
          expect(await r.groups.getMessageByN('g1', 2)).toEqual(fromMember('g1', 2, 'm2'));
          expect((await r.groups.getMessageByN('g1', 4))!.replyTo).toEqual({ n: 2, nickname: 'nick-m2', excerpt: 'hello 2' });
          expect(await r.groups.pushCount('m1', '2026-11')).toBe(0);
          expect(await r.groups.pushCount('m2', '2026-11')).toBe(1);
          expect(await r.groups.pushedTo('g1-m5')).toEqual(['m2']);
          expect(await r.groups.findByClientId('g1', { memberId: 'm1' }, 'client-1')).toBeNull();
        });
      } finally {
        await close();
      }
    });

    it('erasing a member removes what they wrote in a group they had left (anonymised for readers, still theirs to erase)', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember(member('m1'));
          await tx.upsertMember(member('m2'));
          await tx.groups.putGroup(group('g1'));
          await tx.groups.putMembership(membership('g1', 'm1', { status: 'left', endedAt: 3_000 }));
          await tx.groups.putMembership(membership('g1', 'm2'));
          await tx.groups.insertMessage(fromMember('g1', 1, 'm1'));
          await tx.groups.insertMessage(fromMember('g1', 2, 'm2'));
          await tx.groups.insertMessage(fromHost('g1', 3, { replyTo: { n: 1, nickname: 'nick-m1', excerpt: 'hello 1' } }));
          expect(await tx.groups.anonymiseMember('g1', 'm1')).toBe(1);
        });
        // Left: readers see no author; the row is kept.
        const left = await store.read((r) => r.groups.getMessage('g1-m1'));
        expect(left).toMatchObject({ memberId: null, nickname: null, body: fromMember('g1', 1, 'm1').body });
        expect(await store.withTx((tx) => tx.deleteMember('m1'))).toBe(true);
        await store.read(async (r) => {
          expect(await r.groups.getMessage('g1-m1')).toBeNull();
          expect((await r.groups.messagesAfter('g1', 0, 10)).map((m) => m.n)).toEqual([2, 3]);
          expect((await r.groups.getMessageByN('g1', 3))!.replyTo).toEqual({ n: 1, nickname: null, excerpt: '' });
          expect(await r.groups.getMessage('g1-m2')).toEqual(fromMember('g1', 2, 'm2'));
        });
      } finally {
        await close();
      }
    });

    it('finds which of a page of members consented to marketing, in the order asked, in one call', async () => {
      const { store, close } = await adapter.open();
      try {
        await store.withTx(async (tx) => {
          await tx.upsertMember({ ...member('m1'), consents: { marketing: true, personalization: false, contact: false } });
          await tx.upsertMember(member('m2'));
          await tx.upsertMember({ ...member('m3'), consents: { marketing: true, personalization: true, contact: true } });
        });
        expect(await store.read((r) => r.groups.marketingConsenting(['m3', 'm2', 'm1', 'nobody']))).toEqual(['m3', 'm1']);
        expect(await store.read((r) => r.groups.marketingConsenting([]))).toEqual([]);
      } finally {
        await close();
      }
    });

    it('gives the community settings’ defaults until they are set, then what was set', async () => {
      const { store, close } = await adapter.open();
      try {
        expect(await store.read((r) => r.groups.communitySettings())).toEqual({ pushCapPerMonth: 4, keywords: [] });
        await store.withTx((tx) => tx.groups.putCommunitySettings({ pushCapPerMonth: 2, keywords: ['代购', 'wechat'] }));
        expect(await store.read((r) => r.groups.communitySettings())).toEqual({ pushCapPerMonth: 2, keywords: ['代购', 'wechat'] });
        await store.withTx((tx) => tx.groups.putCommunitySettings({ pushCapPerMonth: 0, keywords: [] }));
        expect(await store.read((r) => r.groups.communitySettings())).toEqual({ pushCapPerMonth: 0, keywords: [] });
      } finally {
        await close();
      }
    });
  });
}
