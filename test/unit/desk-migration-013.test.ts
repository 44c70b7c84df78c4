// Desk cache migration 013 (groups): its tables, that data written at step 12 survives it, and the
// group queries on a migrated cache: events in order leave the newest state, a snapshot wipe
// empties them, and erasure drops a member's messages and memberships (and the "for" of answers).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { deleteMemberGroups, GroupQueries, hasGroupTables } from '../../electron/desk/groups/groupQueries.ts';
import type { Group, GroupMembership, GroupMessage } from '../../shared/groups.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig13-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const actor = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'c1', clerkName: '李娜' };
const group = (over: Partial<Group> = {}): Group => ({
  id: 'g1', storeId: 's1', scope: 'store', name: '跑步俱乐部', topic: '', notice: '', noticeAt: null, welcome: '', slowModeSec: 0,
  hosts: [{ clerkId: 'c1', clerkName: '李娜' }], memberCount: 0, lastN: 0, lastAt: null, storeReadN: 0, createdAt: 1000, createdBy: actor, closedAt: null, ...over,
});
const message = (n: number, over: Partial<GroupMessage> = {}): GroupMessage => ({
  id: `msg${n}`, groupId: 'g1', storeId: 's1', n, clientId: `client${n}`, from: 'member', memberId: 'm1', nickname: '跑者', by: null, kind: 'text', body: `hello ${n}`,
  product: null, image: null, forMemberId: null, replyTo: null, reach: null, at: 1000 + n, recalledAt: null, deletedAt: null, deletedBy: null, ...over,
});
const membership = (memberId: string, nickname: string): GroupMembership => ({ groupId: 'g1', memberId, nickname, status: 'active', joinedAt: 1500, inviteId: null, mutedUntil: null, readN: 0, endedAt: null });

describe('desk cache migration 013 (groups)', () => {
  it('a member leaving anonymises their messages, quotes of them and answers for them in that group only', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const g = new GroupQueries(db);
    g.putGroup(group());
    g.putMessage(message(1));
    g.putMessage(message(2, { from: 'host', memberId: null, nickname: null, by: actor, forMemberId: 'm1', replyTo: { n: 1, nickname: '跑者', excerpt: 'hello 1' } }));
    g.putMessage(message(3, { groupId: 'g2', id: 'other-group' }));
    expect(g.anonymiseMember('g1', 'm1')).toBe(3);
    expect(g.page('g1', Number.MAX_SAFE_INTEGER, 10).map((m) => [m.memberId, m.nickname, m.forMemberId, m.replyTo?.nickname ?? null, m.body])).toEqual([
      [null, null, null, null, 'hello 1'],
      [null, null, null, null, 'hello 2'],
    ]);
    expect(g.page('g1', Number.MAX_SAFE_INTEGER, 10)[1]!.replyTo?.excerpt).toBe('hello 1');
    expect(g.getMessage('other-group')).toMatchObject({ memberId: 'm1', nickname: '跑者' });
    db.close();
  });

  it('adds the group tables and keeps step-12 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 12 });
    expect(hasGroupTables(db)).toBe(false);
    expect(new GroupQueries(db).wipe()).toBeUndefined(); // a cache at an older step: nothing to wipe, no error
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    db.prepare("INSERT INTO style_images (id, mime, data, fetched_at, used_at) VALUES ('p', 'image/png', x'01', 1, 1)").run();
    expect(migrate(db, { target: 13 })).toBe(13);
    const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols('groups')).toEqual(['id', 'closed_at', 'last_at', 'json']);
    expect(cols('group_messages')).toEqual(['id', 'group_id', 'n', 'client_id', 'member_id', 'at', 'json']);
    expect(cols('group_members')).toEqual(['group_id', 'member_id', 'nickname', 'status', 'json']);
    expect(cols('group_invites')).toEqual(['id', 'group_id', 'created_at', 'json']);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM style_images').get()).toEqual({ n: 1 });
    db.close();
  });

  it('keeps the newest state of groups, messages and memberships; pages newest first; wipes for a snapshot', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const g = new GroupQueries(db);
    g.putGroup(group());
    for (let n = 1; n <= 5; n++) g.putMessage(message(n));
    expect(g.getGroup('g1')).toMatchObject({ lastN: 5, lastAt: 1005 });
    // A recall replaces the message in place; the same n twice is one row.
    g.putMessage(message(3, { body: '', recalledAt: 2000 }));
    expect(g.page('g1', Number.MAX_SAFE_INTEGER, 2).map((m) => m.n)).toEqual([4, 5]);
    expect(g.page('g1', 4, 10).map((m) => m.n)).toEqual([1, 2, 3]);
    expect(g.messageAt('g1', 3)).toMatchObject({ body: '', recalledAt: 2000 });
    expect(g.hasClientId('g1', 'client2')).toBe(true);
    expect(g.hasClientId('g1', 'other')).toBe(false);
    g.putMembership(membership('m1', '跑者'), 1);
    g.putMembership(membership('m2', '阿明'), 2);
    g.putMembership({ ...membership('m1', '跑者'), mutedUntil: 99_000 }, 2);
    expect(g.getGroup('g1')?.memberCount).toBe(2);
    expect(g.members('g1').map((m) => [m.nickname, m.mutedUntil])).toEqual([['跑者', 99_000], ['阿明', null]]);
    g.setStoreRead('g1', 4);
    expect(g.getGroup('g1')?.storeReadN).toBe(4);
    g.putInvite({ id: 'i1', groupId: 'g1', token: 'tok_0123456789abcdef', createdAt: 3000, createdBy: actor, expiresAt: 9_000_000, revokedAt: null, joins: 0 });
    expect(g.invites('g1')).toHaveLength(1);
    g.wipe();
    expect([g.groups(), g.members('g1'), g.invites('g1'), g.page('g1', Number.MAX_SAFE_INTEGER, 10)]).toEqual([[], [], [], []]);
    db.close();
  });

  it('erasure drops the member’s messages and memberships and the "for" of answers made for them', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db);
    const g = new GroupQueries(db);
    g.putGroup(group());
    g.putMessage(message(1));
    g.putMessage(message(2, { memberId: 'm2', nickname: '阿明' }));
    g.putMessage(message(3, { from: 'host', memberId: null, nickname: null, by: actor, forMemberId: 'm1', replyTo: { n: 1, nickname: '跑者', excerpt: 'hello 1' } }));
    g.putMembership(membership('m1', '跑者'), 2);
    g.putMembership(membership('m2', '阿明'), 2);
    expect(deleteMemberData(db, 'm1')).toBeGreaterThanOrEqual(3);
    expect(g.page('g1', Number.MAX_SAFE_INTEGER, 10).map((m) => [m.n, m.memberId, m.forMemberId, m.replyTo])).toEqual([
      [2, 'm2', null, null],
      [3, null, null, { n: 1, nickname: null, excerpt: '' }],
    ]);
    expect(g.members('g1').map((m) => m.memberId)).toEqual(['m2']);
    expect(deleteMemberGroups(db, 'm1')).toBe(0);
    // Retention: messages sent before the cutoff go; a member of another store kept for a group
    // membership is not dropped as an orphan.
    db.prepare("INSERT INTO members (id, code, name, updated_at, json) VALUES ('m2', 'C2', 'x', 1, ?)").run(JSON.stringify({ id: 'm2', homeStoreId: 'other' }));
    purgeOlderThan(db, 1002.5, 's1');
    expect(g.page('g1', Number.MAX_SAFE_INTEGER, 10).map((m) => m.n)).toEqual([3]);
    expect(db.prepare("SELECT id FROM members WHERE id = 'm2'").all()).toHaveLength(1);
    expect(g.members('g1').map((m) => m.memberId)).toEqual(['m2']);
    db.close();
  });
});
