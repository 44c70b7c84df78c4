// What the clerk sees of groups: HQ's confirmed groups, messages, members and invites with this
// desk's queued group actions laid over them (the outbox is never written into the confirmed
// tables, so a refusal simply stops being applied). Pure: rows in, views out.
//
// Queued group actions are filed in the outbox under the subject `group:<groupId>`.
import type { GroupInviteView, GroupMemberView, GroupMessageView, GroupView } from '../../../shared/deskGroups.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { Group, GroupInvite, GroupMembership, GroupMessage } from '../../../shared/groups.ts';
import type { OutboxOp } from '../cache/queries.ts';

export const groupSubject = (groupId: string) => `group:${groupId}`;
export const groupOfSubject = (subject: string) => (subject.startsWith('group:') ? subject.slice(6) : null);

const rejectionOf = (op: OutboxOp) => (op.state === 'rejected' ? op.rejection : null);
const syncOf = (op: OutboxOp) => (op.state === 'rejected' ? 'rejected' : 'pending') as 'pending' | 'rejected';

export interface GroupViewInputs {
  storeId: string;
  self: Actor;
  ops: readonly OutboxOp[];
  /** A clerk's name by id (hosts added here before HQ answers). */
  clerkName(clerkId: string): string | undefined;
}

/** Ops on one group, in the order the clerk made them. */
const opsOf = (ops: readonly OutboxOp[], groupId: string) => ops.filter((o) => o.visitId === groupSubject(groupId));

/** One group as shown: confirmed (or queued: a group created here), with queued changes applied. */
export function groupView(confirmed: Group | null, groupId: string, i: GroupViewInputs): GroupView | null {
  let v: GroupView | null = confirmed ? { ...confirmed, unread: 0, sync: null, rejection: null } : null;
  for (const op of opsOf(i.ops, groupId)) {
    const rejected = op.state === 'rejected';
    const mark = () => {
      if (v && (op.type === 'group.create' || op.type === 'group.update' || op.type === 'group.host' || op.type === 'group.close')) {
        v.sync = syncOf(op);
        v.rejection = rejectionOf(op);
      }
    };
    if (op.type === 'group.create') {
      if (v && confirmed) continue; // HQ has it: the op is settling
      const d = op.data;
      const by = actorOf(op, i);
      v = {
        id: d.groupId,
        storeId: i.storeId,
        scope: d.scope,
        name: d.name,
        topic: d.topic ?? '',
        notice: '',
        noticeAt: null,
        welcome: d.welcome ?? '',
        slowModeSec: 0,
        hosts: by.clerkId ? [{ clerkId: by.clerkId, clerkName: by.clerkName ?? '' }] : [],
        memberCount: 0,
        lastN: 0,
        lastAt: null,
        storeReadN: 0,
        createdAt: op.createdAt,
        createdBy: by,
        closedAt: null,
        unread: 0,
        sync: null,
        rejection: null,
      };
      mark();
      continue;
    }
    if (!v) continue;
    if (rejected) {
      mark();
      continue;
    }
    switch (op.type) {
      case 'group.update': {
        const { groupId: _g, clerkId: _c, ...patch } = op.data;
        v = { ...v, ...patch };
        if (patch.notice !== undefined) v.noticeAt = op.createdAt;
        mark();
        break;
      }
      case 'group.host': {
        const { clerkId, host } = op.data;
        const others = v.hosts.filter((h) => h.clerkId !== clerkId);
        v = { ...v, hosts: host ? [...others, { clerkId, clerkName: i.clerkName(clerkId) ?? v.hosts.find((h) => h.clerkId === clerkId)?.clerkName ?? '' }] : others };
        mark();
        break;
      }
      case 'group.close':
        v = { ...v, closedAt: v.closedAt ?? op.createdAt };
        mark();
        break;
      case 'group.read':
        v = { ...v, storeReadN: Math.max(v.storeReadN, op.data.upTo) };
        break;
      default:
        break;
    }
  }
  if (v) v.unread = Math.max(0, v.lastN - v.storeReadN);
  return v;
}

/** Every group as shown: open ones first, the most recently active first. */
export function groupViews(confirmed: readonly Group[], i: GroupViewInputs): GroupView[] {
  const ids = new Set(confirmed.map((g) => g.id));
  const byId = new Map(confirmed.map((g) => [g.id, g]));
  for (const op of i.ops) if (op.type === 'group.create') ids.add(op.data.groupId);
  const out: GroupView[] = [];
  for (const id of ids) {
    const v = groupView(byId.get(id) ?? null, id, i);
    if (v) out.push(v);
  }
  return out.sort((a, b) => Number(a.closedAt !== null) - Number(b.closedAt !== null) || (b.lastAt ?? b.createdAt) - (a.lastAt ?? a.createdAt) || a.id.localeCompare(b.id));
}

export interface MessageInputs extends GroupViewInputs {
  groupId: string;
  /** Whether HQ's message with this clientId is in the cache (the queued send is settling). */
  hasClientId(clientId: string): boolean;
  /** A confirmed message by position (the quote of a queued answer). */
  messageAt(n: number): GroupMessage | null;
  styleName(styleId: string): string | null;
}

/** A page of confirmed messages with queued recalls/deletes marked and (newest page) queued sends after them. */
export function messageViews(confirmed: readonly GroupMessage[], newestPage: boolean, i: MessageInputs): GroupMessageView[] {
  const views = confirmed.map(
    (m): GroupMessageView => ({ ...m, pending: false, mine: m.from === 'host' && m.by?.deviceId === i.self.deviceId, changing: null, pendingStyleName: null, rejection: null }),
  );
  const byId = new Map(views.map((v) => [v.id, v]));
  for (const op of opsOf(i.ops, i.groupId)) {
    if (op.type === 'group.recall' || op.type === 'group.delete') {
      const v = byId.get(op.data.messageId);
      if (!v) continue;
      if (op.state === 'rejected') v.rejection = op.rejection;
      else v.changing = op.type === 'group.recall' ? 'recall' : 'delete';
      continue;
    }
    if (op.type !== 'group.send' || !newestPage) continue;
    const d = op.data;
    if (i.hasClientId(d.clientId)) continue; // HQ has it: shown confirmed
    const by = actorOf(op, i);
    const replyToN = 'replyToN' in d ? d.replyToN : undefined;
    const quoted = replyToN ? i.messageAt(replyToN) : null;
    views.push({
      id: d.clientId,
      groupId: i.groupId,
      storeId: i.storeId,
      n: 0,
      clientId: d.clientId,
      from: 'host',
      memberId: null,
      nickname: null,
      by,
      kind: d.kind,
      body: d.kind === 'text' || d.kind === 'announcement' ? d.text : '',
      product: null,
      image: null,
      forMemberId: d.kind === 'product' ? (d.forMemberId ?? null) : null,
      replyTo: replyToN ? { n: replyToN, nickname: quoted?.nickname ?? null, excerpt: (quoted?.body ?? '').slice(0, 80) } : null,
      reach: null,
      at: op.createdAt,
      recalledAt: null,
      deletedAt: null,
      deletedBy: null,
      pending: op.state !== 'rejected',
      mine: true,
      changing: null,
      pendingStyleName: d.kind === 'product' ? i.styleName(d.styleId) : null,
      rejection: rejectionOf(op),
    });
  }
  return views;
}

/** A group's members with queued mutes and removals applied. */
export function memberViews(confirmed: readonly GroupMembership[], groupId: string, ops: readonly OutboxOp[]): GroupMemberView[] {
  const views = confirmed.map((m): GroupMemberView => ({ ...m, sync: null, pendingAction: null, rejection: null }));
  const byId = new Map(views.map((v) => [v.memberId, v]));
  for (const op of opsOf(ops, groupId)) {
    if (op.type !== 'group.mute' && op.type !== 'group.remove') continue;
    const v = byId.get(op.data.memberId);
    if (!v) continue;
    v.sync = syncOf(op);
    v.pendingAction = op.type === 'group.mute' ? 'mute' : 'remove';
    v.rejection = rejectionOf(op);
    if (op.state === 'rejected') continue;
    if (op.type === 'group.mute') v.mutedUntil = op.data.minutes === 0 ? null : op.createdAt + op.data.minutes * 60_000;
    else {
      v.status = 'removed';
      v.endedAt = op.createdAt;
    }
  }
  return views;
}

/** A group's invite links, newest first, with queued ones (no token yet) and revocations applied. */
export function inviteViews(confirmed: readonly GroupInvite[], groupId: string, i: GroupViewInputs & { linkOf(token: string): string }): GroupInviteView[] {
  const views = confirmed.map((x): GroupInviteView => ({ ...x, link: i.linkOf(x.token), sync: null, rejection: null }));
  const byId = new Map(views.map((v) => [v.id, v]));
  for (const op of opsOf(i.ops, groupId)) {
    if (op.type === 'group.invite') {
      if (byId.has(op.data.inviteId)) continue;
      const v: GroupInviteView = {
        id: op.data.inviteId,
        groupId,
        token: null,
        link: null,
        createdAt: op.createdAt,
        createdBy: actorOf(op, i),
        expiresAt: op.createdAt + op.data.days * 86_400_000,
        revokedAt: null,
        joins: 0,
        sync: syncOf(op),
        rejection: rejectionOf(op),
      };
      views.unshift(v);
      byId.set(v.id, v);
    } else if (op.type === 'group.revokeInvite') {
      const v = byId.get(op.data.inviteId);
      if (!v) continue;
      v.sync = syncOf(op);
      v.rejection = rejectionOf(op);
      if (op.state !== 'rejected') v.revokedAt = v.revokedAt ?? op.createdAt;
    }
  }
  return views;
}

/** The clerk an op was made by (stored with it), not whoever is signed in now. */
function actorOf(op: OutboxOp, i: GroupViewInputs): Actor {
  const clerkId = op.data.clerkId;
  if (typeof clerkId !== 'string') return i.self;
  const name = i.clerkName(clerkId);
  return name ? { ...i.self, clerkId, clerkName: name } : { ...i.self, clerkId };
}
