// The group family's desk commands (5/8): a store's desks create and run its groups, its clerks as
// hosts. Each command runs through runDeskCommand — exactly once per (device, opId), under the
// store's lock, its state change and its `group.*` events in one transaction of the store's log.
//
// Invariants:
// - Store isolation: a desk acts only on its own store's groups; another store's group is answered
//   as unknown (`not_found`), exactly like an id that does not exist.
// - The host rule: every command but `group.create`, `group.read` and `group.recall` (the sending
//   counter's own) needs the signed-in clerk (`cmd.clerkId`) to be one of the group's hosts —
//   `forbidden` otherwise, and for a desk with no clerk signed in. `group.create` makes the acting clerk the first host; a group keeps at least one.
// - Every refusal is decided before anything is written, so a rejected op leaves only its op row.
// - A host's resend under another opId (same `clientId`) is the same message.
import { type Actor } from '../../../shared/domain.ts';
import { type Group, type GroupInvite, type GroupMembership, type GroupMessage } from '../../../shared/groups.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type CmdAckFrame, type GroupCmdFrame } from '../../../shared/protocol.ts';
import { RECALL_WINDOW_MS } from '../../../shared/limits.ts';
import { type DeviceRecord, type HqTx } from '../../ports/store.ts';
import { ChatError, productCardIn } from '../chat/service.ts';
import { okOp, rejectOp, runDeskCommand } from '../deskCommand.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { ANNOUNCE_PAGE, capMonth, DAY_MS, emptied, GroupError, isHost, MINUTE_MS, newInviteToken, replyRef } from './rules.ts';

/** A product card for one member shows the sizes within this of theirs (38 → 37.5, 38, 38.5). */
export const SIZE_TOLERANCE = 0.5;

export function applyGroupCommand(log: EventLog, device: DeviceRecord, cmd: GroupCmdFrame, now = Date.now()): Promise<CmdAckFrame> {
  return runDeskCommand(log, device, cmd, now, async (tx, append, actor) => {
    try {
      return okOp(await execute(tx, append, device.storeId, actor, cmd, now));
    } catch (err) {
      if (err instanceof GroupError || err instanceof ChatError) {
        // Only the codes a desk knows: a member-side `gone`/`unauthorized` never comes from here.
        const code = err.code === 'gone' || err.code === 'unauthorized' ? 'not_found' : err.code;
        return rejectOp(code, err.message);
      }
      throw err;
    }
  });
}

/** The seq of the command's last event in the store's log (null: nothing changed). Throws GroupError to refuse. */
async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: GroupCmdFrame, now: number): Promise<number | null> {
  const cause = { by: actor, opId: cmd.opId };
  const updated = async (group: Group) => {
    await tx.groups.putGroup(group);
    return (await append(storeId, 'group.updated', { group, ...cause }, now)).seq;
  };

  if (cmd.type === 'group.create') {
    const d = cmd.data;
    const existing = await tx.groups.getGroup(d.groupId);
    // The same group again (another opId after a restart): one group. Someone else's id: refused.
    if (existing) {
      if (existing.storeId === storeId) return null;
      throw new GroupError('invalid', 'That group id is taken');
    }
    if (actor.clerkId === undefined) throw new GroupError('forbidden', 'Sign in as a clerk to open a group: the clerk becomes its host');
    const group: Group = {
      id: d.groupId,
      storeId,
      scope: d.scope,
      name: d.name,
      topic: d.topic,
      notice: '',
      noticeAt: null,
      welcome: d.welcome,
      slowModeSec: 0,
      hosts: [{ clerkId: actor.clerkId, clerkName: actor.clerkName ?? '' }],
      memberCount: 0,
      lastN: 0,
      lastAt: null,
      storeReadN: 0,
      createdAt: now,
      createdBy: actor,
      closedAt: null,
    };
    return updated(group);
  }

  const group = await tx.groups.getGroup(cmd.data.groupId);
  if (!group || group.storeId !== storeId) throw new GroupError('not_found', 'No such group in this store');

  if (cmd.type === 'group.read') {
    // Any desk of the store: the read position is the store's, not a host's.
    const storeReadN = Math.min(group.lastN, Math.max(group.storeReadN, cmd.data.upTo));
    if (storeReadN === group.storeReadN) return null;
    await tx.groups.putGroup({ ...group, storeReadN });
    return (await append(storeId, 'group.read', { groupId: group.id, storeReadN, ...cause }, now)).seq;
  }

  if (cmd.type === 'group.recall') {
    // The sending counter only, whoever is signed in there now: a recall undoes a slip, it is no moderation.
    const m = await messageOf(tx, group, cmd.data.messageId);
    if (m.from !== 'host' || m.by?.deviceId !== actor.deviceId) throw new GroupError('not_sender', 'Only the counter that sent a message can recall it');
    if (m.recalledAt !== null || m.deletedAt !== null) return null;
    if (now - m.at > RECALL_WINDOW_MS) throw new GroupError('recall_expired', 'Messages can be recalled within 2 minutes');
    const recalled = emptied(m, { recalledAt: now });
    await tx.groups.updateMessage(recalled);
    return (await append(storeId, 'group.messageChanged', { message: recalled, ...cause }, now)).seq;
  }

  if (!isHost(group, actor)) {
    throw new GroupError('forbidden', actor.clerkId === undefined ? 'Sign in as one of the group’s hosts first' : `${actor.clerkName ?? 'This clerk'} is not a host of this group`);
  }
  const open = () => {
    if (group.closedAt !== null) throw new GroupError('closed', 'This group is closed');
  };

  switch (cmd.type) {
    case 'group.update': {
      open();
      const d = cmd.data;
      const next: Group = {
        ...group,
        name: d.name ?? group.name,
        topic: d.topic ?? group.topic,
        welcome: d.welcome ?? group.welcome,
        slowModeSec: d.slowModeSec ?? group.slowModeSec,
        notice: d.notice ?? group.notice,
        // A notice set again (even to the same text) is pinned anew; '' unpins it.
        noticeAt: d.notice === undefined ? group.noticeAt : d.notice === '' ? null : now,
      };
      const same = (['name', 'topic', 'welcome', 'slowModeSec', 'notice', 'noticeAt'] as const).every((k) => next[k] === group[k]);
      return same ? null : updated(next);
    }
    case 'group.host': {
      open();
      const d = cmd.data;
      const already = group.hosts.some((h) => h.clerkId === d.clerkId);
      if (d.host) {
        if (already) return null;
        const clerk = await tx.clerks.getClerk(d.clerkId);
        if (!clerk || clerk.storeId !== storeId) throw new GroupError('invalid', 'No such clerk in this store');
        if (!clerk.enabled) throw new GroupError('invalid', `Clerk ${clerk.name} is disabled`);
        return updated({ ...group, hosts: [...group.hosts, { clerkId: clerk.id, clerkName: clerk.name.slice(0, 60) }] });
      }
      if (!already) return null;
      if (group.hosts.length === 1) throw new GroupError('invalid', 'A group keeps at least one host: make another clerk a host first');
      return updated({ ...group, hosts: group.hosts.filter((h) => h.clerkId !== d.clerkId) });
    }
    case 'group.close': {
      if (group.closedAt !== null) return null;
      return updated({ ...group, closedAt: now });
    }
    case 'group.send': {
      // The same clientId under another opId (a retry after a lost ack and a restart): one message,
      // answered as such even if the group closed meanwhile.
      if (await tx.groups.findByClientId(group.id, { deviceId: actor.deviceId }, cmd.data.clientId)) return null;
      open();
      return send(tx, append, group, actor, cmd, now);
    }
    case 'group.delete': {
      // Any message, any time: moderation. A closed group's history can still be cleaned up.
      const m = await messageOf(tx, group, cmd.data.messageId);
      if (m.deletedAt !== null) return null;
      const deleted = emptied(m, { deletedAt: now, deletedBy: actor });
      await tx.groups.updateMessage(deleted);
      return (await append(storeId, 'group.messageChanged', { message: deleted, ...cause }, now)).seq;
    }
    case 'group.mute': {
      const m = await membershipOf(tx, group, cmd.data.memberId);
      if (m.status !== 'active') throw new GroupError('not_found', 'This member is no longer in the group');
      const mutedUntil = cmd.data.minutes === 0 ? null : now + cmd.data.minutes * MINUTE_MS;
      if (mutedUntil === m.mutedUntil) return null;
      return membershipChanged(tx, append, group, { ...m, mutedUntil }, group.memberCount, cause, now);
    }
    case 'group.remove': {
      // A member who left may be removed too: their old links then no longer bring them back.
      const m = await membershipOf(tx, group, cmd.data.memberId);
      if (m.status === 'removed') return null;
      // The count follows the membership (counted on read, hq/ports/groupStore.ts).
      const memberCount = m.status === 'active' ? Math.max(0, group.memberCount - 1) : group.memberCount;
      return membershipChanged(tx, append, group, { ...m, status: 'removed', endedAt: now }, memberCount, cause, now);
    }
    case 'group.invite': {
      open();
      const d = cmd.data;
      const existing = await tx.groups.getInvite(d.inviteId);
      if (existing) {
        if (existing.groupId === group.id) return null;
        throw new GroupError('invalid', 'That invite id is taken');
      }
      const invite: GroupInvite = { id: d.inviteId, groupId: group.id, token: newInviteToken(), createdAt: now, createdBy: actor, expiresAt: now + d.days * DAY_MS, revokedAt: null, joins: 0 };
      await tx.groups.putInvite(invite);
      return (await append(storeId, 'group.invite', { invite, ...cause }, now)).seq;
    }
    case 'group.revokeInvite': {
      const invite = await tx.groups.getInvite(cmd.data.inviteId);
      if (!invite || invite.groupId !== group.id) throw new GroupError('not_found', 'No such invite link in this group');
      if (invite.revokedAt !== null) return null;
      const revoked = { ...invite, revokedAt: now };
      await tx.groups.putInvite(revoked);
      return (await append(storeId, 'group.invite', { invite: revoked, ...cause }, now)).seq;
    }
  }
}

type SendCmd = Extract<GroupCmdFrame, { type: 'group.send' }>;

/** A host's message: composed (a reply's quote, a product card, an image, an announcement's reach), numbered, stored, announced. */
async function send(tx: HqTx, append: Append, group: Group, actor: Actor, cmd: SendCmd, now: number): Promise<number> {
  const d = cmd.data;
  const draft: Omit<GroupMessage, 'id' | 'n'> = {
    groupId: group.id,
    storeId: group.storeId,
    clientId: d.clientId,
    from: 'host',
    memberId: null,
    nickname: null,
    by: actor,
    kind: d.kind,
    body: '',
    product: null,
    image: null,
    forMemberId: null,
    replyTo: null,
    reach: null,
    at: now,
    recalledAt: null,
    deletedAt: null,
    deletedBy: null,
  };
  if ((d.kind === 'text' || d.kind === 'product') && d.replyToN !== undefined) {
    const answered = await tx.groups.getMessageByN(group.id, d.replyToN);
    if (!answered) throw new GroupError('not_found', `No message ${d.replyToN} in this group`);
    draft.replyTo = replyRef(answered);
  }
  const id = uuidv7(now);
  let pushed: string[] = [];
  switch (d.kind) {
    case 'text':
      draft.body = d.text;
      break;
    case 'product': {
      let fits: ((size: number) => boolean) | undefined;
      if (d.forMemberId !== undefined) {
        const m = await tx.groups.getMembership(group.id, d.forMemberId);
        const member = m?.status === 'active' ? await tx.getMember(d.forMemberId) : null;
        if (!member) throw new GroupError('not_found', 'This member is not in the group');
        const eu = member.sizes.eu;
        fits = (size) => Math.abs(size - eu) <= SIZE_TOLERANCE;
        draft.forMemberId = member.id;
      }
      draft.product = await productCardIn(tx, group.storeId, d.styleId, fits);
      break;
    }
    case 'image': {
      const img = await tx.chat.getImage(d.imageId);
      // A desk's upload of this store (member uploads have a memberId).
      if (!img || img.storeId !== group.storeId || img.memberId !== null) throw new GroupError('not_found', 'No such image (upload it first)');
      draft.image = { id: img.id, mime: img.mime, bytes: img.bytes.length };
      break;
    }
    case 'announcement': {
      draft.body = d.text;
      const { recipients, reach } = await announcementReach(tx, group.id, now);
      pushed = recipients;
      draft.reach = reach;
      break;
    }
  }
  const message: GroupMessage = { ...draft, id, n: group.lastN + 1 };
  // The host's own message is read by the store: its read position moves with it (the desks do the same).
  await tx.groups.putGroup({ ...group, lastN: message.n, lastAt: now, storeReadN: Math.max(group.storeReadN, message.n) });
  const ev = await append(group.storeId, 'group.message', { message, by: actor, opId: cmd.opId }, now);
  await tx.groups.insertMessage(message);
  if (pushed.length > 0) await tx.groups.addPushes(message.id, pushed, capMonth(now));
  return ev.seq;
}

/**
 * Who an announcement is pushed to: active members with marketing consent and under the chain's
 * monthly cap (Asia/Shanghai month), read in pages of ANNOUNCE_PAGE ids (one consent query and one underCap query each, so a
 * 5,000-member group costs a few queries under the store's lock, not one per member).
 * `capped` counts every other active member: they see it in the thread only.
 */
export async function announcementReach(tx: HqTx, groupId: string, now: number): Promise<{ recipients: string[]; reach: { pushed: number; capped: number } }> {
  const { pushCapPerMonth } = await tx.groups.communitySettings();
  const month = capMonth(now);
  const recipients: string[] = [];
  let active = 0;
  let after = '';
  for (;;) {
    const ids = await tx.groups.activeMemberIds(groupId, after, ANNOUNCE_PAGE);
    if (ids.length === 0) break;
    active += ids.length;
    after = ids[ids.length - 1]!;
    if (pushCapPerMonth > 0) {
      const consenting = await tx.groups.marketingConsenting(ids);
      if (consenting.length > 0) recipients.push(...(await tx.groups.underCap(consenting, month, pushCapPerMonth)));
    }
    if (ids.length < ANNOUNCE_PAGE) break;
  }
  return { recipients, reach: { pushed: recipients.length, capped: active - recipients.length } };
}

async function messageOf(tx: HqTx, group: Group, messageId: string): Promise<GroupMessage> {
  const m = await tx.groups.getMessage(messageId);
  if (!m || m.groupId !== group.id) throw new GroupError('not_found', 'No such message in this group');
  return m;
}

async function membershipOf(tx: HqTx, group: Group, memberId: string): Promise<GroupMembership> {
  const m = await tx.groups.getMembership(group.id, memberId);
  if (!m) throw new GroupError('not_found', 'No such member in this group');
  return m;
}

async function membershipChanged(tx: HqTx, append: Append, group: Group, m: GroupMembership, memberCount: number, cause: { by: Actor; opId: string }, now: number): Promise<number> {
  await tx.groups.putMembership(m);
  return (await append(group.storeId, 'group.membership', { membership: m, memberCount, ...cause }, now)).seq;
}
