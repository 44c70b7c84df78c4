// Groups at HQ (5/8): a real HQ, real desk sockets for the hosts' commands, and the member-side use
// cases (GroupMemberService) on the same event log with an injected clock, so a mute, slow mode, the
// per-minute limit, a link's expiry and the recall window can be passed without waiting. The core —
// the host rule, messages and their idempotency, moderation and links, the announcement cap, leaving —
// runs on SQLite and on PostgreSQL; the rest on the default adapter.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyGroupCommand } from '../../hq/app/groups/commands.ts';
import { GroupMemberService } from '../../hq/app/groups/memberSide.ts';
import { capMonth } from '../../hq/app/groups/rules.ts';
import { SNAPSHOT_GROUP_MESSAGES } from '../../hq/app/snapshot.ts';
import { type Group, type GroupInvite, type GroupMembership, type GroupMessage, MemberGroupMessage, MemberGroupPage, MemberGroupView } from '../../shared/groups.ts';
import { GROUP_MEMBER_MESSAGES_PER_MIN } from '../../shared/limits.ts';
import { type CmdAckFrame, type CommandType, type EvFrame } from '../../shared/protocol.ts';
import { RECALL_WINDOW_MS } from '../../shared/limits.ts';
import { defaultAdapter, type StoreAdapter, TestHq } from '../support/hq.ts';
import { RecordingDesk } from '../support/protocolClient.ts';

const MIN = 60 * 1000;
const DAY = 24 * 60 * MIN;

type Desk = RecordingDesk & { deviceId: string; token: string };

function setup(adapter: StoreAdapter) {
  const ctx = {} as { t: TestHq; svc: GroupMemberService; clock: { now: number }; desks: Desk[] };
  beforeEach(async () => {
    ctx.t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0, adapter });
    const res = await ctx.t.ingestRaw('clerks', [
      { id: 'ann', storeId: 'store-a', name: 'Ann', role: 'clerk', pin: '1111' },
      { id: 'bo', storeId: 'store-a', name: 'Bo', role: 'clerk', pin: '2222' },
      { id: 'xu', storeId: 'store-b', name: 'Xu', role: 'clerk', pin: '3333' },
    ]);
    expect(res.status).toBe(200);
    // m1–m3 took marketing consent, m4 did not; m3 wears 41 (nothing of it in stock).
    const members = ctx.t.seeded!.members.map((m) => ({ ...m, consents: { marketing: m.id !== 'm4', personalization: true, contact: true }, ...(m.id === 'm3' ? { sizes: { eu: 41, cn: 255 } } : {}) }));
    await ctx.t.ingest('members', members);
    await ctx.t.ingest('stock', [
      { storeId: 'store-a', styleId: 's1', color: 'BLK', size: 37, qty: 1 },
      { storeId: 'store-a', styleId: 's1', color: 'BLK', size: 39, qty: 1 },
    ]);
    ctx.clock = { now: Date.now() };
    ctx.svc = new GroupMemberService(ctx.t.hq.eventLog, () => ctx.clock.now);
    ctx.desks = [];
  });
  afterEach(async () => {
    for (const d of ctx.desks.splice(0)) d.close();
    await ctx.t.dispose();
  });

  const deskAt = async (storeId: string, name: string): Promise<Desk> => {
    const e = await ctx.t.enroll(storeId, name);
    const d = Object.assign(await RecordingDesk.connect(ctx.t.hq, e.token), { deviceId: e.deviceId, token: e.token });
    ctx.desks.push(d);
    return d;
  };
  /** Sends a command (as `clerkId` when given) and waits for its `nth` answer (a resend's is the second). */
  const cmd = async (d: Desk, type: CommandType, data: Record<string, unknown>, clerkId?: string, opId: string = randomUUID(), nth = 1): Promise<CmdAckFrame> => {
    d.send({ t: 'cmd', opId, type, ...(clerkId ? { clerkId } : {}), data });
    const isAck = (f: { t: string; opId?: string }) => f.t === 'cmdAck' && f.opId === opId;
    await d.waitFor(() => d.frames.filter(isAck).length >= nth);
    return d.frames.filter(isAck)[nth - 1] as CmdAckFrame;
  };
  const evs = <T extends EvFrame['type']>(d: Desk, type: T) => d.events().filter((e): e is Extract<EvFrame, { type: T }> => e.type === type);
  /** A group of store A hosted by Ann, with a live invite; returns its id and the invite's token. */
  const groupWithLink = async (d: Desk, over: Record<string, unknown> = {}): Promise<{ groupId: string; token: string; inviteId: string }> => {
    const groupId = randomUUID();
    expect(await cmd(d, 'group.create', { groupId, scope: 'store', name: '跑步群', topic: '周末一起跑', welcome: '欢迎 {nickname}!', ...over }, 'ann')).toMatchObject({ status: 'ok' });
    const inviteId = randomUUID();
    expect(await cmd(d, 'group.invite', { groupId, inviteId }, 'ann')).toMatchObject({ status: 'ok' });
    const invite = await ctx.t.hq.store.read((r) => r.groups.getInvite(inviteId));
    return { groupId, token: invite!.token, inviteId };
  };
  const stored = (groupId: string) => ctx.t.hq.store.read((r) => r.groups.messagesAfter(groupId, 0, 1000));
  return { ctx, deskAt, cmd, evs, groupWithLink, stored };
}

describe.each(['sqlite', 'postgres'] as StoreAdapter[])('groups at HQ, the core (%s)', (adapter) => {
  const { ctx, deskAt, cmd, evs, groupWithLink, stored } = setup(adapter);

  it('the host rule: a clerk opens a group and hosts it; others are forbidden; another store sees nothing', async () => {
    const a1 = await deskAt('store-a', 'A1');
    const a2 = await deskAt('store-a', 'A2');
    const b1 = await deskAt('store-b', 'B1');
    const groupId = randomUUID();
    const create = { groupId, scope: 'store', name: '跑步群' };
    // No clerk signed in: nobody would host it.
    expect(await cmd(a1, 'group.create', create)).toMatchObject({ status: 'rejected', rejection: { code: 'forbidden' } });
    const created = await cmd(a1, 'group.create', create, 'ann');
    expect(created.status).toBe('ok');
    // The same group again under another opId: one group, nothing new.
    expect(await cmd(a1, 'group.create', create, 'ann')).toMatchObject({ status: 'ok', seq: null });
    await a2.waitFor((f) => f.t === 'ev' && f.type === 'group.updated');
    const group = evs(a2, 'group.updated')[0]!.data.group;
    expect(group).toMatchObject({ id: groupId, storeId: 'store-a', hosts: [{ clerkId: 'ann', clerkName: 'Ann' }], memberCount: 0, lastN: 0, closedAt: null });
    expect(evs(a2, 'group.updated')[0]!.data).toMatchObject({ opId: created.opId, by: { clerkId: 'ann' } });

    // Bo is no host yet; a desk with nobody signed in is none either.
    expect(await cmd(a2, 'group.update', { groupId, notice: '周六 8 点集合' }, 'bo')).toMatchObject({ status: 'rejected', rejection: { code: 'forbidden' } });
    expect(await cmd(a2, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: 'hi' })).toMatchObject({ rejection: { code: 'forbidden' } });
    // Ann makes Bo a host; a clerk of another store cannot be one.
    expect(await cmd(a1, 'group.host', { groupId, clerkId: 'bo', host: true }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.host', { groupId, clerkId: 'xu', host: true }, 'ann')).toMatchObject({ rejection: { code: 'invalid' } });
    expect(await cmd(a2, 'group.update', { groupId, notice: '周六 8 点集合', slowModeSec: 30 }, 'bo')).toMatchObject({ status: 'ok' });
    const g = (await ctx.t.hq.store.read((r) => r.groups.getGroup(groupId)))!;
    expect(g).toMatchObject({ notice: '周六 8 点集合', slowModeSec: 30, hosts: [{ clerkId: 'ann' }, { clerkId: 'bo' }] });
    expect(g.noticeAt).toBeGreaterThan(0);
    // A group keeps one host at least.
    expect(await cmd(a1, 'group.host', { groupId, clerkId: 'bo', host: false }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.host', { groupId, clerkId: 'ann', host: false }, 'ann')).toMatchObject({ rejection: { code: 'invalid' } });
    // Any desk of the store may mark it read; a desk of another store cannot touch it.
    expect(await cmd(b1, 'group.read', { groupId, upTo: 1 })).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(b1, 'group.update', { groupId, name: '抢来的' }, 'xu')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(a1, 'group.close', { groupId }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.update', { groupId, topic: 'x' }, 'ann')).toMatchObject({ rejection: { code: 'closed' } });
    expect(b1.events().filter((e) => e.type.startsWith('group.'))).toEqual([]);
  });

  it('messages: host and member, quotes, product cards for one member, recall, delete, and idempotent resends', async () => {
    const { svc, clock } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const a2 = await deskAt('store-a', 'A2');
    const { groupId, token } = await groupWithLink(a1);
    const joined = await svc.join('m1', { token, nickname: '小芳' });
    expect(joined.welcome).toBe('欢迎 小芳!');
    expect(joined.group).toMatchObject({ id: groupId, storeName: 'Store A', memberCount: 1, me: { nickname: '小芳', readN: 0 } });
    await svc.join('m3', { token, nickname: '阿伟' });

    // A member's message, and a resend of it: one message.
    const q = await svc.send('m1', groupId, { clientId: 'client-m1-1', kind: 'text', text: '有 38 码吗?' });
    expect(q).toMatchObject({ duplicate: false, message: { n: 1, nickname: '小芳', mine: true, hostName: null } });
    expect(await svc.send('m1', groupId, { clientId: 'client-m1-1', kind: 'text', text: '有 38 码吗?' })).toMatchObject({ duplicate: true, message: { id: q.message.id } });
    await a2.waitFor((f) => f.t === 'ev' && f.type === 'group.message');
    expect(evs(a2, 'group.message')[0]!.data).toMatchObject({ message: { from: 'member', memberId: 'm1', nickname: '小芳', n: 1 }, by: null, opId: null });

    // A host's answer quoting it, and a resend under the same and another opId: one message.
    const opId = randomUUID();
    const answer = { groupId, clientId: 'host-1', kind: 'text', text: '有的,欢迎来试', replyToN: 1 };
    expect(await cmd(a1, 'group.send', answer, 'ann', opId)).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.send', answer, 'ann', opId, 2)).toMatchObject({ status: 'duplicate' });
    expect(await cmd(a1, 'group.send', answer, 'ann')).toMatchObject({ status: 'ok', seq: null });
    // A product card for m1 shows only the sizes around theirs (38 → 38; 37 and 39 are too far).
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'host-2', kind: 'product', styleId: 's1', forMemberId: 'm1', replyToN: 1 }, 'ann')).toMatchObject({ status: 'ok' });
    // m3 wears 41: nothing to offer them.
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'host-3', kind: 'product', styleId: 's1', forMemberId: 'm3' }, 'ann')).toMatchObject({ rejection: { code: 'out_of_stock' } });
    // Without a member: every size in stock.
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'host-4', kind: 'product', styleId: 's1' }, 'ann')).toMatchObject({ status: 'ok' });
    let all = await stored(groupId);
    expect(all.map((m) => [m.n, m.from, m.kind])).toEqual([
      [1, 'member', 'text'],
      [2, 'host', 'text'],
      [3, 'host', 'product'],
      [4, 'host', 'product'],
    ]);
    expect(all[1]!.replyTo).toEqual({ n: 1, nickname: '小芳', excerpt: '有 38 码吗?' });
    expect(all[2]!.product!.sizes).toEqual([{ size: 38, qty: 2 }]);
    expect(all[2]!.forMemberId).toBe('m1');
    expect(all[3]!.product!.sizes.map((s) => s.size)).toEqual([37, 38, 39]);
    // The store has read its own messages.
    expect((await ctx.t.hq.store.read((r) => r.groups.getGroup(groupId)))!).toMatchObject({ lastN: 4, storeReadN: 4 });

    // Members see the card addressed to m1 as theirs only, hosts by name, no ids.
    const seenBy1 = await svc.page('m1', groupId, { limit: 10 });
    const seenBy3 = await svc.page('m3', groupId, { limit: 10 });
    expect(seenBy1.messages.map((m) => [m.forMe, m.mine, m.hostName])).toEqual([
      [false, true, null],
      [false, false, 'Ann'],
      [true, false, 'Ann'],
      [false, false, 'Ann'],
    ]);
    expect(seenBy3.messages[2]!.forMe).toBe(false);
    for (const m of seenBy1.messages) expect(MemberGroupMessage.strict().parse(m)).toBeTruthy();
    expect(JSON.stringify(seenBy1)).not.toMatch(/"m1"|memberId|deviceId/);

    // Recall: only the sending counter, within the window; a host deletes anything.
    const hostMsg = all[1]!;
    expect(await cmd(a2, 'group.recall', { groupId, messageId: hostMsg.id }, 'ann')).toMatchObject({ rejection: { code: 'not_sender' } });
    expect(await cmd(a1, 'group.recall', { groupId, messageId: hostMsg.id }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.recall', { groupId, messageId: hostMsg.id }, 'ann')).toMatchObject({ status: 'ok', seq: null });
    expect(await cmd(a1, 'group.delete', { groupId, messageId: q.message.id }, 'ann')).toMatchObject({ status: 'ok' });
    await a2.waitFor(() => evs(a2, 'group.messageChanged').length === 2);
    const [recalled, deleted] = evs(a2, 'group.messageChanged').map((e) => e.data.message);
    expect(recalled).toMatchObject({ n: 2, body: '', recalledAt: expect.any(Number), deletedAt: null });
    expect(deleted).toMatchObject({ n: 1, body: '', deletedAt: expect.any(Number), deletedBy: { clerkId: 'ann' } });

    // A member recalls within two minutes, not after.
    const late = await svc.send('m3', groupId, { clientId: 'client-m3-1', kind: 'text', text: '我也想要' });
    const soon = await svc.send('m3', groupId, { clientId: 'client-m3-2', kind: 'text', text: '算了' });
    expect(await svc.recall('m3', groupId, soon.message.id)).toMatchObject({ body: '', recalledAt: expect.any(Number) });
    await expect(svc.recall('m1', groupId, late.message.id)).rejects.toMatchObject({ code: 'not_sender' });
    clock.now += RECALL_WINDOW_MS + 1000;
    await expect(svc.recall('m3', groupId, late.message.id)).rejects.toMatchObject({ code: 'recall_expired' });
    all = await stored(groupId);
    expect(all.map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('moderation: a mute holds until its time, a removed member cannot come back by an old link but can by a new one', async () => {
    const { svc, clock } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });

    expect(await cmd(a1, 'group.mute', { groupId, memberId: 'm1', minutes: 10 }, 'ann')).toMatchObject({ status: 'ok' });
    const mutedUntil = (await ctx.t.hq.store.read((r) => r.groups.getMembership(groupId, 'm1')))!.mutedUntil!;
    expect(mutedUntil).toBeGreaterThan(Date.now() + 9 * MIN);
    const text = (clientId: string, t = '你好') => ({ clientId, kind: 'text' as const, text: t });
    await expect(svc.send('m1', groupId, text('mute-0001'))).rejects.toMatchObject({ code: 'muted', message: expect.stringMatching(/until \d{4}-\d\d-\d\d \d\d:\d\d/) });
    clock.now = mutedUntil + 1;
    expect((await svc.send('m1', groupId, text('mute-0002'))).duplicate).toBe(false);
    // Muted again, then lifted (0).
    expect(await cmd(a1, 'group.mute', { groupId, memberId: 'm1', minutes: 30 }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await cmd(a1, 'group.mute', { groupId, memberId: 'm1', minutes: 0 }, 'ann')).toMatchObject({ status: 'ok' });
    expect((await svc.send('m1', groupId, text('mute-0003'))).duplicate).toBe(false);

    // Removed: gone from the group, its old link refused, a link made after the removal lets them back.
    expect(await cmd(a1, 'group.remove', { groupId, memberId: 'm2' }, 'ann')).toMatchObject({ status: 'ok' });
    const removal = evs(a1, 'group.membership').find((e) => e.data.membership.memberId === 'm2' && e.data.membership.status === 'removed');
    expect(removal?.data.memberCount).toBe(1);
    await expect(svc.send('m2', groupId, text('removed-1'))).rejects.toMatchObject({ code: 'gone' });
    await expect(svc.page('m2', groupId, { limit: 10 })).rejects.toMatchObject({ code: 'gone' });
    await expect(svc.join('m2', { token, nickname: '娜娜' })).rejects.toMatchObject({ code: 'forbidden' });
    expect((await svc.list('m2')).groups).toEqual([]);
    const inviteId = randomUUID();
    expect(await cmd(a1, 'group.invite', { groupId, inviteId, days: 7 }, 'ann')).toMatchObject({ status: 'ok' });
    const fresh = (await ctx.t.hq.store.read((r) => r.groups.getInvite(inviteId)))!;
    expect(fresh.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fresh.expiresAt - fresh.createdAt).toBe(7 * DAY);
    expect((await svc.join('m2', { token: fresh.token, nickname: '娜娜' })).group.memberCount).toBe(2);
    expect((await ctx.t.hq.store.read((r) => r.groups.getInvite(inviteId)))!.joins).toBe(1);

    // A revoked link and an expired one are gone; the preview says so without joining.
    expect(await cmd(a1, 'group.revokeInvite', { groupId, inviteId }, 'ann')).toMatchObject({ status: 'ok' });
    expect(await svc.preview(fresh.token)).toMatchObject({ groupId, name: '跑步群', storeName: 'Store A', memberCount: 2, valid: false });
    await expect(svc.join('m4', { token: fresh.token, nickname: '洋洋' })).rejects.toMatchObject({ code: 'gone' });
    expect(await svc.preview(token)).toMatchObject({ valid: true });
    clock.now = Date.now() + 31 * DAY;
    await expect(svc.join('m4', { token, nickname: '洋洋' })).rejects.toMatchObject({ code: 'gone' });
    await expect(svc.preview('x'.repeat(32))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the announcement cap: pushed to consenting members under the month’s cap, the rest only see it; reach counts both', async () => {
    const { svc } = ctx;
    await svc.putCommunitySettings({ pushCapPerMonth: 2, keywords: [] });
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    for (const [id, nick] of [['m1', '小芳'], ['m2', '娜娜'], ['m4', '洋洋']]) await svc.join(id!, { token, nickname: nick! });
    // m2 already had one announcement this month (another group of the chain).
    await ctx.t.hq.store.withTx((tx) => tx.groups.addPushes('earlier-announcement', ['m2'], capMonth(Date.now())));
    for (const n of [1, 2, 3]) expect(await cmd(a1, 'group.send', { groupId, clientId: `ann-${n}`, kind: 'announcement', text: `公告 ${n}` }, 'ann')).toMatchObject({ status: 'ok' });
    const msgs = await stored(groupId);
    expect(msgs.map((m) => m.reach)).toEqual([
      { pushed: 2, capped: 1 }, // m1, m2; m4 never (no marketing consent)
      { pushed: 1, capped: 2 }, // m1; m2 reached the cap of 2
      { pushed: 0, capped: 3 },
    ]);
    expect([...(await svc.pushedTo(msgs[0]!.id))].sort()).toEqual(['m1', 'm2']);
    expect([...(await svc.pushedTo(msgs[1]!.id))]).toEqual(['m1']);
    expect([...(await svc.pushedTo(msgs[2]!.id))]).toEqual([]);
    expect(await ctx.t.hq.store.read((r) => r.groups.pushCount('m1', capMonth(Date.now())))).toBe(2);
    // Members see the announcement in the thread, without the store's reach figures.
    expect((await svc.page('m4', groupId, { limit: 5 })).messages.map((m) => [m.kind, m.body, m.reach])).toEqual([
      ['announcement', '公告 1', null],
      ['announcement', '公告 2', null],
      ['announcement', '公告 3', null],
    ]);
  });

  it('leaving anonymises the member’s messages (and quotes of them); they may rejoin', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });
    await svc.send('m1', groupId, { clientId: 'leave-m1-1', kind: 'text', text: '第一条' });
    await svc.send('m2', groupId, { clientId: 'leave-m2-1', kind: 'text', text: '我在' });
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'leave-h-1', kind: 'text', text: '收到', replyToN: 1 }, 'ann')).toMatchObject({ status: 'ok' });
    await svc.leave('m1', groupId);
    await svc.leave('m1', groupId); // again: nothing more
    await a1.waitFor(() => evs(a1, 'group.membership').some((e) => e.data.membership.status === 'left'));
    const left = evs(a1, 'group.membership').filter((e) => e.data.membership.status === 'left');
    expect(left).toHaveLength(1);
    expect(left[0]!.data).toMatchObject({ membership: { memberId: 'm1', endedAt: expect.any(Number) }, memberCount: 1, by: null });
    const msgs = await stored(groupId);
    expect(msgs.map((m) => [m.memberId, m.nickname, m.body])).toEqual([
      [null, null, '第一条'],
      ['m2', '娜娜', '我在'],
      [null, null, '收到'],
    ]);
    expect(msgs[2]!.replyTo).toMatchObject({ n: 1, nickname: null });
    await expect(svc.send('m1', groupId, { clientId: 'leave-m1-2', kind: 'text', text: '?' })).rejects.toMatchObject({ code: 'gone' });
    // The others see "a former member"; m1's old message is not theirs any more.
    expect((await svc.page('m2', groupId, { limit: 10 })).messages[0]).toMatchObject({ nickname: null, mine: false });
    const back = await svc.join('m1', { token, nickname: '芳' });
    expect(back.group.me).toMatchObject({ nickname: '芳', readN: 3 });
    expect((await svc.page('m1', groupId, { limit: 10 })).messages[0]!.mine).toBe(false);
  });
});

describe('groups at HQ', () => {
  const { ctx, deskAt, cmd, evs, groupWithLink, stored } = setup(defaultAdapter());

  it('slow mode, the per-minute limit and the keyword filter refuse a member’s send; a resend still answers the original', async () => {
    const { svc, clock } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    const text = (clientId: string, t = '你好') => ({ clientId, kind: 'text' as const, text: t });

    expect(await cmd(a1, 'group.update', { groupId, slowModeSec: 30 }, 'ann')).toMatchObject({ status: 'ok' });
    const first = await svc.send('m1', groupId, text('slow-0001'));
    await expect(svc.send('m1', groupId, text('slow-0002'))).rejects.toMatchObject({ code: 'slow_mode', message: expect.stringMatching(/wait 30 s/) });
    // Hosts are never slowed.
    for (const n of [1, 2]) expect(await cmd(a1, 'group.send', { groupId, clientId: `slow-h-${n}`, kind: 'text', text: '好' }, 'ann')).toMatchObject({ status: 'ok' });
    clock.now += 30_000;
    expect((await svc.send('m1', groupId, text('slow-0002'))).duplicate).toBe(false);

    // Slow mode off: GROUP_MEMBER_MESSAGES_PER_MIN a minute, then refused until the minute passes.
    expect(await cmd(a1, 'group.update', { groupId, slowModeSec: 0 }, 'ann')).toMatchObject({ status: 'ok' });
    clock.now += 61_000;
    for (let i = 0; i < GROUP_MEMBER_MESSAGES_PER_MIN; i++) {
      clock.now += 1000;
      await svc.send('m1', groupId, text(`rate-${String(i).padStart(4, '0')}`));
    }
    await expect(svc.send('m1', groupId, text('rate-over'))).rejects.toMatchObject({ code: 'rate_limited' });
    // A resend of a message already sent is the original, limits or not.
    expect(await svc.send('m1', groupId, text('slow-0001'))).toMatchObject({ duplicate: true, message: { id: first.message.id } });
    clock.now += 60_000;
    expect((await svc.send('m1', groupId, text('rate-over'))).duplicate).toBe(false);

    // The chain's keywords, case-insensitively, anywhere in the text.
    expect(await svc.putCommunitySettings({ pushCapPerMonth: 4, keywords: ['代购', 'WeChat'] })).toEqual({ pushCapPerMonth: 4, keywords: ['代购', 'WeChat'] });
    await expect(svc.send('m1', groupId, text('kw-0001', '专业代购加我'))).rejects.toMatchObject({ code: 'blocked_word' });
    await expect(svc.send('m1', groupId, text('kw-0002', 'add my wechat'))).rejects.toMatchObject({ code: 'blocked_word' });
    expect((await svc.send('m1', groupId, text('kw-0003', '周末见'))).duplicate).toBe(false);
    // No refused message took a place: the numbers have no gap.
    const ns = (await stored(groupId)).map((m) => m.n);
    expect(ns).toEqual(ns.map((_, i) => i + 1));
    // A closed group takes no messages.
    expect(await cmd(a1, 'group.close', { groupId }, 'ann')).toMatchObject({ status: 'ok' });
    await expect(svc.send('m1', groupId, text('closed-01'))).rejects.toMatchObject({ code: 'closed' });
    expect(evs(a1, 'group.updated').at(-1)!.data.group.closedAt).toEqual(expect.any(Number));
  });

  it('a member’s pages are oldest first and gap-free, before and after, and carry no member ids', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });
    // 12 messages from two members and a host, interleaved.
    for (let i = 1; i <= 12; i++) {
      if (i % 3 === 0) expect(await cmd(a1, 'group.send', { groupId, clientId: `page-h-${i}`, kind: 'text', text: `h${i}` }, 'ann')).toMatchObject({ status: 'ok' });
      else await svc.send(i % 2 ? 'm1' : 'm2', groupId, { clientId: `page-m-${String(i).padStart(3, '0')}`, kind: 'text', text: `第${i}条` });
    }
    const newest = MemberGroupPage.parse(await svc.page('m1', groupId, { limit: 5 }));
    expect(newest.messages.map((m) => m.n)).toEqual([8, 9, 10, 11, 12]);
    expect(newest).toMatchObject({ hasMore: true, lastN: 12 });
    const older = await svc.page('m1', groupId, { before: 8, limit: 5 });
    expect(older.messages.map((m) => m.n)).toEqual([3, 4, 5, 6, 7]);
    const oldest = await svc.page('m1', groupId, { before: 3, limit: 5 });
    expect(oldest).toMatchObject({ hasMore: false });
    expect(oldest.messages.map((m) => m.n)).toEqual([1, 2]);
    // Catching up after a gap: after=N pages forward with no gap and no duplicate.
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const p = await svc.page('m2', groupId, { after, limit: 5 });
      seen.push(...p.messages.map((m) => m.n));
      after = p.messages.at(-1)?.n ?? after;
      if (!p.hasMore) break;
    }
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect((await svc.page('m2', groupId, { after: 12, limit: 5 })).messages).toEqual([]);
    const text = JSON.stringify([newest, older, oldest]);
    for (const secret of ['"m1"', '"m2"', 'memberId', 'deviceId', 'forMemberId', '13800000001']) expect(text).not.toContain(secret);

    // Reading moves only the member's own position (no event for the store), never past the end.
    const before = (await ctx.t.position('store-a')).seq;
    await svc.read('m1', groupId, 99);
    expect((await svc.list('m1')).groups[0]!.me).toMatchObject({ readN: 12 });
    expect((await ctx.t.position('store-a')).seq).toBe(before);
    // The member's own switches.
    const view = MemberGroupView.parse(await svc.patch('m1', groupId, { notificationsOff: true, nickname: '芳芳' }));
    expect(view.me).toMatchObject({ nickname: '芳芳', notificationsOff: true });
    expect((await svc.list('m1')).groups[0]!.me).toMatchObject({ nickname: '芳芳', notificationsOff: true });
    await expect(svc.page('m3', groupId, { limit: 5 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('chain groups are listed and joinable by id; store groups only by link; groupsOf names the stores to follow', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const chain = await groupWithLink(a1, { scope: 'chain', name: '全国跑团' });
    const local = await groupWithLink(a1, { name: '门店群' });
    const listed = await svc.list('m3');
    expect(listed.groups).toEqual([]);
    expect(listed.joinable.map((g) => g.id)).toEqual([chain.groupId]);
    await expect(svc.join('m3', { groupId: local.groupId, nickname: '阿伟' })).rejects.toMatchObject({ code: 'not_found' });
    const joined = await svc.join('m3', { groupId: chain.groupId, nickname: '阿伟' });
    expect(joined.group).toMatchObject({ scope: 'chain', storeName: 'Store A', me: { nickname: '阿伟' } });
    expect(await svc.join('m3', { groupId: chain.groupId, nickname: '阿伟' })).toMatchObject({ group: { memberCount: 1 } });
    expect(await svc.groupsOf('m3')).toEqual([{ groupId: chain.groupId, storeId: 'store-a' }]);
    expect((await svc.list('m3')).joinable).toEqual([]);
    expect(await svc.list('m3')).toMatchObject({ groups: [{ id: chain.groupId }] });
    await expect(svc.join('nobody', { groupId: chain.groupId, nickname: '谁' })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('the snapshot carries the store’s groups with their newest messages, active members and live links', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token, inviteId } = await groupWithLink(a1);
    const closed = await groupWithLink(a1, { name: '旧群' });
    expect(await cmd(a1, 'group.close', { groupId: closed.groupId }, 'ann')).toMatchObject({ status: 'ok' });
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });
    await svc.leave('m2', groupId);
    for (let i = 0; i < SNAPSHOT_GROUP_MESSAGES + 5; i++) expect(await cmd(a1, 'group.send', { groupId, clientId: `snap-${i}`, kind: 'text', text: `#${i}` }, 'ann')).toMatchObject({ status: 'ok' });
    const snap = await ctx.t.snapshot(a1.token);
    const mine = snap.groups!.find((g) => g.group.id === groupId)!;
    expect(mine.group).toMatchObject({ memberCount: 1, lastN: SNAPSHOT_GROUP_MESSAGES + 5 });
    expect(mine.messages.map((m) => m.n)).toEqual(Array.from({ length: SNAPSHOT_GROUP_MESSAGES }, (_, i) => i + 6));
    expect(mine.members.map((m) => [m.memberId, m.status])).toEqual([['m1', 'active']]);
    expect(mine.invites.map((i) => i.id)).toEqual([inviteId]);
    expect(snap.groups!.find((g) => g.group.id === closed.groupId)!.group.closedAt).toEqual(expect.any(Number));
    // Store B's snapshot has none of A's groups.
    const b = await ctx.t.enroll('store-b', 'B1');
    expect((await ctx.t.snapshot(b.token)).groups).toEqual([]);
  });

  it('images: a member sends only their own upload, a host only the store’s; a desk’s recall window is HQ’s two minutes', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const image = (id: string, memberId: string | null) => ({ id, storeId: 'store-a', memberId, mime: 'image/png' as const, bytes: png, createdAt: Date.now() });
    await ctx.t.hq.store.withTx(async (tx) => {
      await tx.chat.putImage(image('img-m1', 'm1'));
      await tx.chat.putImage(image('img-desk', null));
    });
    expect((await svc.send('m1', groupId, { clientId: 'image-m1-1', kind: 'image', imageId: 'img-m1' })).message).toMatchObject({ kind: 'image', image: { id: 'img-m1', mime: 'image/png', bytes: 8 } });
    await expect(svc.send('m2', groupId, { clientId: 'image-m2-1', kind: 'image', imageId: 'img-m1' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(svc.send('m2', groupId, { clientId: 'image-m2-2', kind: 'image', imageId: 'img-desk' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'image-h-1', kind: 'image', imageId: 'img-m1' }, 'ann')).toMatchObject({ rejection: { code: 'not_found' } });
    expect(await cmd(a1, 'group.send', { groupId, clientId: 'image-h-2', kind: 'image', imageId: 'img-desk' }, 'ann')).toMatchObject({ status: 'ok' });
    const sent = (await stored(groupId)).at(-1)!;
    expect(sent).toMatchObject({ from: 'host', kind: 'image', image: { id: 'img-desk' } });
    // The same recall through the use case with HQ's clock past the window: refused, nothing changes.
    const device = (await ctx.t.hq.store.read((r) => r.getDevice(a1.deviceId)))!;
    const late = await applyGroupCommand(ctx.t.hq.eventLog, device, { t: 'cmd', opId: randomUUID(), type: 'group.recall', data: { groupId, messageId: sent.id } }, sent.at + RECALL_WINDOW_MS + 1);
    expect(late).toMatchObject({ status: 'rejected', rejection: { code: 'recall_expired' } });
    expect((await ctx.t.hq.store.read((r) => r.groups.getMessage(sent.id)))!.recalledAt).toBeNull();
  });

  it('erasing a member deletes their group messages and membership; the desks are told by member.deleted', async () => {
    const { svc } = ctx;
    const a1 = await deskAt('store-a', 'A1');
    const { groupId, token } = await groupWithLink(a1);
    await svc.join('m1', { token, nickname: '小芳' });
    await svc.join('m2', { token, nickname: '娜娜' });
    await svc.send('m1', groupId, { clientId: 'erase-m1-1', kind: 'text', text: '我的电话是…' });
    await svc.send('m2', groupId, { clientId: 'erase-m2-1', kind: 'text', text: '好的' });
    // A group m1 wrote in and then left: their anonymised messages there go too.
    const other = await groupWithLink(a1, { name: '旧群' });
    await svc.join('m1', { token: other.token, nickname: '小芳' });
    await svc.send('m1', other.groupId, { clientId: 'erase-m1-2', kind: 'text', text: '再见' });
    await svc.leave('m1', other.groupId);
    expect((await stored(other.groupId)).map((m) => [m.memberId, m.body])).toEqual([[null, '再见']]);
    const res = await fetch(`${ctx.t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': ctx.t.hq.integrationKey } });
    expect(res.status).toBe(200);
    await a1.waitFor((f) => f.t === 'ev' && f.type === 'member.deleted');
    const left: GroupMessage[] = await stored(groupId);
    expect(left.map((m) => [m.memberId, m.body])).toEqual([['m2', '好的']]);
    const membership: GroupMembership | null = await ctx.t.hq.store.read((r) => r.groups.getMembership(groupId, 'm1'));
    expect(membership).toBeNull();
    const g: Group | null = await ctx.t.hq.store.read((r) => r.groups.getGroup(groupId));
    expect(g!.memberCount).toBe(1);
    expect((await svc.page('m2', groupId, { limit: 10 })).messages.map((m) => m.body)).toEqual(['好的']);
    expect(await stored(other.groupId)).toEqual([]);
    const invites: GroupInvite[] = await ctx.t.hq.store.read((r) => r.groups.liveInvites(groupId, Date.now()));
    expect(invites).toHaveLength(1);
  });
});
