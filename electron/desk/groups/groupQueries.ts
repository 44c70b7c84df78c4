// The group tables of the desk cache (migration 013), reached as `q.groups`. Everything here is
// HQ's, written by `group.*` events and snapshots only; what the clerk queued is laid over it by
// groupViews.ts, never written into these tables.
import type Database from 'better-sqlite3';
import type { Group, GroupInvite, GroupMembership, GroupMessage } from '../../../shared/groups.ts';
import { hasTable } from '../cache/migrate.ts';

export class GroupQueries {
  private prepared: ReturnType<GroupQueries['prepare']> | null = null;

  constructor(readonly db: Database.Database) {}

  /** Prepared on first use: a cache opened at an older step (a migration test) has no group tables yet. */
  private get s() {
    return (this.prepared ??= this.prepare());
  }

  private prepare() {
    const db = this.db;
    return {
      putGroup: db.prepare<[string, number | null, number | null, string]>(
        `INSERT INTO groups (id, closed_at, last_at, json) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET closed_at = excluded.closed_at, last_at = excluded.last_at, json = excluded.json`,
      ),
      getGroup: db.prepare<[string], { json: string }>('SELECT json FROM groups WHERE id = ?'),
      groups: db.prepare<[], { json: string }>('SELECT json FROM groups ORDER BY closed_at IS NOT NULL, COALESCE(last_at, 0) DESC, id'),
      putMessage: db.prepare<[string, string, number, string, string | null, number, string]>(
        `INSERT INTO group_messages (id, group_id, n, client_id, member_id, at, json) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET member_id = excluded.member_id, json = excluded.json`,
      ),
      page: db.prepare<[string, number, number], { json: string }>('SELECT json FROM group_messages WHERE group_id = ? AND n < ? ORDER BY n DESC LIMIT +?'),
      hasClient: db.prepare<[string, string], { n: number }>('SELECT n FROM group_messages WHERE group_id = ? AND client_id = ?'),
      getMessage: db.prepare<[string], { json: string }>('SELECT json FROM group_messages WHERE id = ?'),
      byN: db.prepare<[string, number], { json: string }>('SELECT json FROM group_messages WHERE group_id = ? AND n = ?'),
      putMember: db.prepare<[string, string, string, string, string]>(
        `INSERT INTO group_members (group_id, member_id, nickname, status, json) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (group_id, member_id) DO UPDATE SET nickname = excluded.nickname, status = excluded.status, json = excluded.json`,
      ),
      members: db.prepare<[string], { json: string }>("SELECT json FROM group_members WHERE group_id = ? ORDER BY status <> 'active', nickname, member_id"),
      putInvite: db.prepare<[string, string, number, string]>('INSERT INTO group_invites (id, group_id, created_at, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json'),
      invites: db.prepare<[string], { json: string }>('SELECT json FROM group_invites WHERE group_id = ? ORDER BY created_at DESC, id'),
      getInvite: db.prepare<[string], { json: string }>('SELECT json FROM group_invites WHERE id = ?'),
      wipe: ['groups', 'group_messages', 'group_members', 'group_invites'].map((t) => db.prepare(`DELETE FROM ${t}`)),
    };
  }

  putGroup(g: Group): void {
    this.s.putGroup.run(g.id, g.closedAt, g.lastAt, JSON.stringify(g));
  }
  getGroup(id: string): Group | null {
    const row = this.s.getGroup.get(id);
    return row ? (JSON.parse(row.json) as Group) : null;
  }
  /** Open groups first, the most recently active first. */
  groups(): Group[] {
    return this.s.groups.all().map((r) => JSON.parse(r.json) as Group);
  }
  /** A message; the group's `lastN`/`lastAt` follow it (the event says the group's `lastN` is its `n`). */
  putMessage(m: GroupMessage): void {
    this.s.putMessage.run(m.id, m.groupId, m.n, m.clientId, m.memberId, m.at, JSON.stringify(m));
    const g = this.getGroup(m.groupId);
    if (g && m.n > g.lastN) this.putGroup({ ...g, lastN: m.n, lastAt: m.at });
  }
  getMessage(id: string): GroupMessage | null {
    const row = this.s.getMessage.get(id);
    return row ? (JSON.parse(row.json) as GroupMessage) : null;
  }
  messageAt(groupId: string, n: number): GroupMessage | null {
    const row = this.s.byN.get(groupId, n);
    return row ? (JSON.parse(row.json) as GroupMessage) : null;
  }
  /** The newest `limit` messages before position `before`, oldest first. */
  page(groupId: string, before: number, limit: number): GroupMessage[] {
    return this.s.page
      .all(groupId, before, limit)
      .map((r) => JSON.parse(r.json) as GroupMessage)
      .reverse();
  }
  /** Whether HQ's message with this clientId is here (a queued send HQ already has). */
  hasClientId(groupId: string, clientId: string): boolean {
    return this.s.hasClient.get(groupId, clientId) !== undefined;
  }
  putMembership(m: GroupMembership, memberCount?: number): void {
    this.s.putMember.run(m.groupId, m.memberId, m.nickname, m.status, JSON.stringify(m));
    const g = memberCount === undefined ? null : this.getGroup(m.groupId);
    if (g && memberCount !== undefined) this.putGroup({ ...g, memberCount });
  }
  /** Active members first, by nickname. */
  members(groupId: string): GroupMembership[] {
    return this.s.members.all(groupId).map((r) => JSON.parse(r.json) as GroupMembership);
  }
  putInvite(i: GroupInvite): void {
    this.s.putInvite.run(i.id, i.groupId, i.createdAt, JSON.stringify(i));
  }
  invites(groupId: string): GroupInvite[] {
    return this.s.invites.all(groupId).map((r) => JSON.parse(r.json) as GroupInvite);
  }
  getInvite(id: string): GroupInvite | null {
    const row = this.s.getInvite.get(id);
    return row ? (JSON.parse(row.json) as GroupInvite) : null;
  }
  /**
   * A member left the group: their past messages there lose `memberId` and `nickname`, quotes of
   * them the nickname, answers for them `forMemberId` — as HQ does (docs/protocol.md, Groups).
   */
  anonymiseMember(groupId: string, memberId: string): number {
    const quotes = this.db
      .prepare(
        `UPDATE group_messages SET json = json_set(json, '$.replyTo.nickname', NULL)
          WHERE group_id = ? AND json_extract(json, '$.replyTo.n') IN (SELECT n FROM group_messages WHERE group_id = ? AND member_id = ?)`,
      )
      .run(groupId, groupId, memberId).changes;
    const answers = this.db
      .prepare("UPDATE group_messages SET json = json_set(json, '$.forMemberId', NULL) WHERE group_id = ? AND json_extract(json, '$.forMemberId') = ?")
      .run(groupId, memberId).changes;
    const own = this.db
      .prepare("UPDATE group_messages SET member_id = NULL, json = json_set(json, '$.memberId', NULL, '$.nickname', NULL) WHERE group_id = ? AND member_id = ?")
      .run(groupId, memberId).changes;
    return quotes + answers + own;
  }
  setStoreRead(groupId: string, storeReadN: number): void {
    const g = this.getGroup(groupId);
    if (g) this.putGroup({ ...g, storeReadN });
  }
  /** A snapshot replaces all of HQ's group rows. */
  wipe(): void {
    if (!hasGroupTables(this.db)) return; // a cache at an older step (migration tests)
    for (const stmt of this.s.wipe) stmt.run();
  }
}

/** Whether the cache has reached migration 013. */
export function hasGroupTables(db: Database.Database): boolean {
  return hasTable(db, 'group_messages');
}

/**
 * Erasure (`member.deleted`, cache/privacy.ts): the member's messages and memberships go; quotes of
 * their messages are emptied and answers for them lose `forMemberId` (a card stays: it names no one).
 */
export function deleteMemberGroups(db: Database.Database, memberId: string): number {
  if (!hasGroupTables(db)) return 0;
  const quotes = db
    .prepare(
      `UPDATE group_messages SET json = json_set(json, '$.replyTo.nickname', NULL, '$.replyTo.excerpt', '')
        WHERE json_extract(json, '$.replyTo.n') IS NOT NULL
          AND EXISTS (SELECT 1 FROM group_messages q WHERE q.member_id = ? AND q.group_id = group_messages.group_id AND q.n = json_extract(group_messages.json, '$.replyTo.n'))`,
    )
    .run(memberId).changes;
  const scrub = db.prepare("UPDATE group_messages SET json = json_set(json, '$.forMemberId', NULL) WHERE json_extract(json, '$.forMemberId') = ?").run(memberId).changes;
  return quotes + scrub + db.prepare('DELETE FROM group_messages WHERE member_id = ?').run(memberId).changes + db.prepare('DELETE FROM group_members WHERE member_id = ?').run(memberId).changes;
}

/** Retention (cache/privacy.ts): group messages sent before `cutoff` (a thread shows what is newer). */
export function purgeGroupsBefore(db: Database.Database, cutoff: number): number {
  if (!hasGroupTables(db)) return 0;
  return db.prepare('DELETE FROM group_messages WHERE at < ?').run(cutoff).changes;
}
