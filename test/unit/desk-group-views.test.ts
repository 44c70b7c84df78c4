// The desk's group views (electron/desk/groups/groupViews.ts): HQ's confirmed rows with this desk's
// queued group actions laid over them — a group created here shows at once as pending, changes and
// reads apply before HQ answers, a refused action stops applying and says why, a queued message
// shows after the confirmed ones until HQ has its clientId, mutes and removals and invite links
// show at once. Pure functions: rows in, views out. And the group commands' arguments at the IPC
// boundary (electron/host/ipcValidation.ts).
import { describe, expect, it } from 'vitest';
import type { OutboxOp } from '../../electron/desk/cache/queries.ts';
import { validateCommand } from '../../electron/host/ipcValidation.ts';
import { groupOfSubject, groupSubject, groupView, groupViews, inviteViews, memberViews, messageViews } from '../../electron/desk/groups/groupViews.ts';
import type { Group, GroupInvite, GroupMembership, GroupMessage } from '../../shared/groups.ts';
import type { CommandType } from '../../shared/protocol.ts';

const self = { deviceId: 'd1', deviceName: 'Counter 1' };
const actor = { ...self, clerkId: 'c1', clerkName: '李娜' };
let ordinal = 0;
function op(type: CommandType, groupId: string, data: Record<string, unknown>, over: Partial<OutboxOp> = {}): OutboxOp {
  ordinal++;
  return { opId: `op${ordinal}`, ordinal, type, visitId: groupSubject(groupId), data: { clerkId: 'c1', ...data }, createdAt: 10_000 + ordinal, state: 'pending', ackedSeq: null, rejection: null, ...over } as OutboxOp;
}
const inputs = (ops: OutboxOp[]) => ({ storeId: 's1', self, ops, clerkName: (id: string) => ({ c1: '李娜', c2: '王芳' })[id] });
const group = (over: Partial<Group> = {}): Group => ({
  id: 'g1', storeId: 's1', scope: 'store', name: '跑团', topic: '', notice: '', noticeAt: null, welcome: '', slowModeSec: 0,
  hosts: [{ clerkId: 'c1', clerkName: '李娜' }], memberCount: 1, lastN: 3, lastAt: 5000, storeReadN: 1, createdAt: 1000, createdBy: actor, closedAt: null, ...over,
});
const message = (n: number, over: Partial<GroupMessage> = {}): GroupMessage => ({
  id: `msg${n}`, groupId: 'g1', storeId: 's1', n, clientId: `client${n}`, from: 'member', memberId: 'm1', nickname: '跑者', by: null, kind: 'text', body: `question ${n}`,
  product: null, image: null, forMemberId: null, replyTo: null, reach: null, at: 1000 + n, recalledAt: null, deletedAt: null, deletedBy: null, ...over,
});

describe('group views on the desk', () => {
  it('files group ops under group:<id>', () => {
    expect(groupOfSubject(groupSubject('g1'))).toBe('g1');
    expect(groupOfSubject('chat:m1')).toBeNull();
  });

  it('shows a group created here at once as pending, with the acting clerk as host; HQ’s copy replaces it', () => {
    const ops = [op('group.create', 'g2', { groupId: 'g2', scope: 'chain', name: '新群', topic: 't', welcome: '' })];
    const [queued] = groupViews([], inputs(ops));
    expect(queued).toMatchObject({ id: 'g2', name: '新群', scope: 'chain', sync: 'pending', hosts: [{ clerkId: 'c1', clerkName: '李娜' }], unread: 0, lastN: 0 });
    const confirmed = groupViews([group({ id: 'g2', name: '新群' })], inputs(ops));
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({ id: 'g2', sync: null });
  });

  it('applies queued changes, hosts, a close and a read; a refused change stops applying and says why', () => {
    const ops = [
      op('group.update', 'g1', { groupId: 'g1', notice: '周六集合', slowModeSec: 30 }),
      op('group.host', 'g1', { groupId: 'g1', clerkId: 'c2', host: true }),
      op('group.read', 'g1', { groupId: 'g1', upTo: 3 }),
    ];
    const v = groupView(group(), 'g1', inputs(ops))!;
    expect(v).toMatchObject({ notice: '周六集合', noticeAt: ops[0]!.createdAt, slowModeSec: 30, storeReadN: 3, unread: 0, sync: 'pending' });
    expect(v.hosts.map((h) => h.clerkName)).toEqual(['李娜', '王芳']);
    const refused = op('group.update', 'g1', { groupId: 'g1', name: '改名' }, { state: 'rejected', rejection: { code: 'forbidden', message: 'not a host' } });
    const r = groupView(group(), 'g1', inputs([refused]))!;
    expect(r).toMatchObject({ name: '跑团', sync: 'rejected', rejection: { code: 'forbidden' }, unread: 2 });
    expect(groupView(group(), 'g1', inputs([op('group.close', 'g1', { groupId: 'g1' })]))!.closedAt).not.toBeNull();
    expect(groupView(null, 'g1', inputs([]))).toBeNull();
  });

  it('lists open groups first, the most recently active first', () => {
    const list = groupViews([group({ id: 'a', lastAt: 100 }), group({ id: 'b', lastAt: 900 }), group({ id: 'c', lastAt: 5000, closedAt: 6000 })], inputs([]));
    expect(list.map((g) => g.id)).toEqual(['b', 'a', 'c']);
  });

  it('shows a queued message after the confirmed ones until HQ has its clientId; queued recalls and deletes mark theirs', () => {
    const send = op('group.send', 'g1', { groupId: 'g1', clientId: 'mine-1', kind: 'text', text: '有的', replyToN: 1 });
    const card = op('group.send', 'g1', { groupId: 'g1', clientId: 'mine-2', kind: 'product', styleId: 's1', forMemberId: 'm1', replyToN: 1 });
    const del = op('group.delete', 'g1', { groupId: 'g1', messageId: 'msg2' });
    const known = new Set<string>();
    const i = { ...inputs([send, card, del]), groupId: 'g1', hasClientId: (c: string) => known.has(c), messageAt: (n: number) => (n === 1 ? message(1) : null), styleName: (id: string) => (id === 's1' ? 'Style s1' : null) };
    const views = messageViews([message(1), message(2)], true, i);
    expect(views.map((m) => [m.id, m.n, m.pending, m.changing])).toEqual([
      ['msg1', 1, false, null],
      ['msg2', 2, false, 'delete'],
      ['mine-1', 0, true, null],
      ['mine-2', 0, true, null],
    ]);
    expect(views[2]).toMatchObject({ from: 'host', mine: true, body: '有的', replyTo: { n: 1, nickname: '跑者', excerpt: 'question 1' }, by: { clerkId: 'c1', clerkName: '李娜' } });
    expect(views[3]).toMatchObject({ kind: 'product', forMemberId: 'm1', pendingStyleName: 'Style s1' });
    // HQ has the first one: it is not shown twice; an older page shows no queued messages.
    known.add('mine-1');
    expect(messageViews([message(1), message(2), message(3, { clientId: 'mine-1', from: 'host' })], true, i).filter((m) => m.clientId === 'mine-1')).toHaveLength(1);
    expect(messageViews([message(1)], false, i).map((m) => m.id)).toEqual(['msg1']);
  });

  it('shows mutes and removals at once; a refused one keeps HQ’s state and says why', () => {
    const m = (id: string): GroupMembership => ({ groupId: 'g1', memberId: id, nickname: id, status: 'active', joinedAt: 1, inviteId: null, mutedUntil: null, readN: 0, endedAt: null });
    const mute = op('group.mute', 'g1', { groupId: 'g1', memberId: 'm1', minutes: 60 });
    const remove = op('group.remove', 'g1', { groupId: 'g1', memberId: 'm2' }, { state: 'rejected', rejection: { code: 'not_found', message: 'gone' } });
    const [a, b] = memberViews([m('m1'), m('m2')], 'g1', [mute, remove]);
    expect(a).toMatchObject({ mutedUntil: mute.createdAt + 3_600_000, sync: 'pending', pendingAction: 'mute' });
    expect(b).toMatchObject({ status: 'active', sync: 'rejected', pendingAction: 'remove', rejection: { code: 'not_found' } });
    const lift = op('group.mute', 'g1', { groupId: 'g1', memberId: 'm1', minutes: 0 });
    expect(memberViews([{ ...m('m1'), mutedUntil: 99_999_999 }], 'g1', [lift])[0]!.mutedUntil).toBeNull();
  });

  it('shows a queued invite without a token, HQ’s with its link, and a queued revocation', () => {
    const hqInvite: GroupInvite = { id: 'i1', groupId: 'g1', token: 'tok_0123456789abcdef', createdAt: 1, createdBy: actor, expiresAt: 9e12, revokedAt: null, joins: 2 };
    const ops = [op('group.invite', 'g1', { groupId: 'g1', inviteId: 'i2', days: 7 }), op('group.revokeInvite', 'g1', { groupId: 'g1', inviteId: 'i1' })];
    const views = inviteViews([hqInvite], 'g1', { ...inputs(ops), linkOf: (t) => `https://hq/m/?join=${t}` });
    expect(views.map((v) => [v.id, v.token, v.link, v.sync])).toEqual([
      ['i2', null, null, 'pending'],
      ['i1', 'tok_0123456789abcdef', 'https://hq/m/?join=tok_0123456789abcdef', 'pending'],
    ]);
    expect(views[0]!.expiresAt - views[0]!.createdAt).toBe(7 * 86_400_000);
    expect(views[1]!.revokedAt).toBe(ops[1]!.createdAt);
  });
});

describe('group commands at the IPC boundary', () => {
  const id = '0190a0b0-0000-7000-8000-000000000001';
  it('refuses bad arguments before the desk core sees them', () => {
    const refused = (method: string, args: unknown[]) => validateCommand(method, args).ok === false;
    expect(refused('createGroup', [{ scope: 'store', name: '' }])).toBe(true);
    expect(refused('createGroup', [{ scope: 'galaxy', name: 'x' }])).toBe(true);
    expect(refused('createGroup', [{ scope: 'store', name: 'x'.repeat(41) }])).toBe(true);
    expect(refused('createGroup', [{ scope: 'store', name: 'x', storeId: 'other' }])).toBe(true); // no extra keys
    expect(refused('updateGroup', [id, {}])).toBe(true);
    expect(refused('updateGroup', [id, { slowModeSec: 3601 }])).toBe(true);
    expect(refused('sendGroupMessage', [id, { kind: 'text', text: 'x'.repeat(2001) }])).toBe(true);
    expect(refused('sendGroupMessage', [id, { kind: 'script', text: 'x' }])).toBe(true);
    expect(refused('sendGroupMessage', [id, { kind: 'product', styleId: 's1', forMemberId: 'm1', replyToN: -1 }])).toBe(true);
    expect(refused('muteGroupMember', [id, 'm1', 30 * 24 * 60 + 1])).toBe(true);
    expect(refused('createGroupInvite', [id, 91])).toBe(true);
    expect(refused('getGroup', [id, { before: 0 }])).toBe(true);
    expect(refused('listGroupStyles', [])).toBe(true);
    // And takes good ones.
    expect(validateCommand('createGroup', [{ scope: 'chain', name: '跑团', topic: '晨跑' }]).ok).toBe(true);
    expect(validateCommand('sendGroupMessage', [id, { kind: 'product', styleId: 's1', forMemberId: 'm1', replyToN: 3 }]).ok).toBe(true);
    expect(validateCommand('muteGroupMember', [id, 'm1', 0]).ok).toBe(true);
    expect(validateCommand('listGroupStyles', [null]).ok).toBe(true);
  });
});
