// Groups on real desk cores (own cache files) against a real HQ, with a member on the real member
// API: a host creates a group and an invite link, a member joins by it and asks, and the desk
// shows the membership and the question with the store's unread count; reading moves the store's
// read position; a host's answer and a product card for the asker reach HQ; a message written
// offline is queued, shown pending, and delivered once when the link is back (resent under its
// clientId, never twice); a mute is shown at once and confirmed; the invite's QR comes from HQ and a
// revocation is confirmed; a member leaving is anonymised in the cache; a desk enrolled later gets it all
// from its snapshot; erasing the member drops their messages and memberships from the cache.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeskCore } from '../../electron/desk/deskCore.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { FAST_HQ, TestHq } from '../support/hq.ts';
import { MemberClient } from '../support/memberClient.ts';
import { waitFor } from '../support/waitFor.ts';

let t: TestHq;
beforeEach(async () => {
  t = await TestHq.start({ ...FAST_HQ, seed: 'storesAB', unservedSweepMs: 0 });
  await t.ingest('clerks', [{ id: 'li-na', storeId: 'store-a', name: '李娜', role: 'clerk', pin: '1111' }]);
});
afterEach(async () => {
  await t.dispose();
});

const online = async (d: DeskCore) => (await d.getConnection()).status === 'online';

async function started(name: string) {
  const c = await t.desk('store-a', name);
  c.desk.start();
  await waitFor(async () => (await online(c.desk)) && (await c.desk.listClerks()).length === 1, 5000, `${name} online with clerks`);
  expect((await c.desk.signIn('li-na', '1111')).ok).toBe(true);
  return c;
}

/** A group made at the desk, confirmed by HQ, with a live invite link; member m1 joined by it as 跑者 and asked once. */
async function groupWithAsker(desk: DeskCore) {
  const { groupId } = await desk.createGroup({ scope: 'store', name: '跑步俱乐部', topic: '周末晨跑', welcome: '欢迎 {nickname}' });
  const [queued] = await desk.listGroups();
  expect(queued).toMatchObject({ id: groupId, name: '跑步俱乐部', sync: 'pending', hosts: [{ clerkId: 'li-na' }] });
  await waitFor(async () => (await desk.listGroups())[0]?.sync === null, 5000, 'group confirmed');
  const { inviteId } = await desk.createGroupInvite(groupId, 7);
  expect((await desk.listGroupInvites(groupId))[0]).toMatchObject({ id: inviteId, token: null, sync: 'pending' });
  await waitFor(async () => (await desk.listGroupInvites(groupId))[0]?.token !== null, 5000, 'invite made');
  const [invite] = await desk.listGroupInvites(groupId);
  expect(invite!.link).toBe(`${t.url}/m/?store=store-a&join=${invite!.token}`);

  const member = await MemberClient.viaIntegration(t.url, t.hq.integrationKey, 'store-a', 'm1');
  const join = await member.http('/v1/member/groups/join', { body: { token: invite!.token, nickname: '跑者' } });
  expect(join.status).toBeLessThan(300);
  expect(((await join.json()) as { welcome: string }).welcome).toBe('欢迎 跑者');
  await waitFor(async () => (await desk.listGroupMembers(groupId)).length === 1, 5000, 'member shown');
  const ask = await member.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'ask-0000001', kind: 'text', text: '有38码的跑鞋吗？' } });
  expect(ask.status).toBeLessThan(300);
  await waitFor(async () => (await desk.getGroup(groupId)).messages.some((m) => m.from === 'member'), 5000, 'question shown');
  return { groupId, member };
}

describe('groups on the desk', () => {
  it('applies group events: a member joins and asks, the store reads, a host answers with a card for the asker and mutes', async () => {
    const { desk } = await started('A1');
    const { groupId, member } = await groupWithAsker(desk);

    const [g] = await desk.listGroups();
    expect(g).toMatchObject({ id: groupId, memberCount: 1, lastN: 1, storeReadN: 0, unread: 1 });
    const [membership] = await desk.listGroupMembers(groupId);
    expect(membership).toMatchObject({ memberId: 'm1', nickname: '跑者', status: 'active', mutedUntil: null, sync: null });
    const question = (await desk.getGroup(groupId)).messages[0]!;
    expect(question).toMatchObject({ n: 1, from: 'member', memberId: 'm1', nickname: '跑者', body: '有38码的跑鞋吗？', pending: false });

    // Reading the thread: unread at once (queued), HQ's read position follows.
    expect(await desk.readGroup(groupId)).not.toBeNull();
    expect((await desk.listGroups())[0]!.unread).toBe(0);
    expect(await desk.readGroup(groupId)).toBeNull(); // nothing more to read
    await waitFor(async () => (await desk.listGroups())[0]?.storeReadN === 1 && (await desk.getConnection()).queued === 0, 5000, 'read at HQ');

    // The host answers the asker, then sends a card for them (their size: 38).
    await desk.sendGroupMessage(groupId, { kind: 'text', text: '有的，给您推荐一款', replyToN: 1 });
    await desk.sendGroupMessage(groupId, { kind: 'product', styleId: 's1', forMemberId: 'm1', replyToN: 1 });
    await waitFor(async () => (await desk.getGroup(groupId)).messages.filter((m) => m.n > 0).length === 3, 5000, 'answers confirmed');
    const [, answer, card] = (await desk.getGroup(groupId)).messages;
    expect(answer).toMatchObject({ n: 2, from: 'host', kind: 'text', mine: true, replyTo: { n: 1, nickname: '跑者' }, by: { clerkId: 'li-na' } });
    expect(card).toMatchObject({ n: 3, kind: 'product', forMemberId: 'm1', product: { styleId: 's1' } });
    expect(card!.product!.sizes.map((s) => s.size)).toEqual([38]);

    // Mute for an hour: shown at once, then HQ's.
    const before = Date.now();
    await desk.muteGroupMember(groupId, 'm1', 60);
    const [muting] = await desk.listGroupMembers(groupId);
    expect(muting).toMatchObject({ sync: 'pending', pendingAction: 'mute' });
    expect(muting!.mutedUntil).toBeGreaterThanOrEqual(before + 59 * 60_000);
    await waitFor(async () => (await desk.listGroupMembers(groupId))[0]?.sync === null, 5000, 'mute confirmed');
    expect((await desk.listGroupMembers(groupId))[0]!.mutedUntil).toBeGreaterThan(Date.now() + 50 * 60_000);

    // The pinned notice and slow mode.
    await desk.updateGroup(groupId, { notice: '周六 7:00 人民广场集合', slowModeSec: 30 });
    expect((await desk.getGroup(groupId)).group).toMatchObject({ notice: '周六 7:00 人民广场集合', slowModeSec: 30, sync: 'pending' });
    await waitFor(async () => (await desk.getGroup(groupId)).group.sync === null, 5000, 'update confirmed');
    expect((await desk.getGroup(groupId)).group).toMatchObject({ notice: '周六 7:00 人民广场集合', slowModeSec: 30 });

    // The invite link's QR, from HQ with the device token (an SVG); none for an unknown invite.
    const [invite] = await desk.listGroupInvites(groupId);
    expect(await desk.getGroupInviteQr(invite!.id)).toMatch(/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/);
    expect(await desk.getGroupInviteQr(uuidv7())).toBeNull();
    await desk.revokeGroupInvite(groupId, invite!.id);
    expect((await desk.listGroupInvites(groupId))[0]).toMatchObject({ sync: 'pending' });
    await waitFor(async () => (await desk.listGroupInvites(groupId))[0]?.revokedAt !== null && (await desk.listGroupInvites(groupId))[0]?.sync === null, 5000, 'revoked');

    // The member leaves: their past messages here are anonymised, as at HQ; the quote loses the nickname.
    expect((await member.http(`/v1/member/groups/${groupId}/leave`, { method: 'POST' })).status).toBeLessThan(300);
    await waitFor(async () => (await desk.listGroupMembers(groupId))[0]?.status === 'left', 5000, 'left');
    const after = (await desk.getGroup(groupId)).messages;
    expect(after[0]).toMatchObject({ n: 1, memberId: null, nickname: null, body: '有38码的跑鞋吗？' });
    expect(after[1]!.replyTo).toMatchObject({ n: 1, nickname: null });
    expect(after[2]).toMatchObject({ forMemberId: null });
    expect((await desk.listGroups())[0]!.memberCount).toBe(0);

    // Bad arguments never reach the outbox.
    await expect(desk.sendGroupMessage(groupId, { kind: 'text', text: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(desk.muteGroupMember(groupId, 'm1', 60)).rejects.toMatchObject({ code: 'not_found' }); // left
    await expect(desk.getGroup(uuidv7())).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a message written offline is queued, shown pending, and delivered once when HQ is back', async () => {
    const { desk } = await started('A1');
    const { groupId, member } = await groupWithAsker(desk);
    await t.down();
    await waitFor(async () => !(await online(desk)), 5000, 'offline');
    const { clientId } = await desk.sendGroupMessage(groupId, { kind: 'text', text: '线下写的回复' });
    const pending = (await desk.getGroup(groupId)).messages.at(-1)!;
    expect(pending).toMatchObject({ id: clientId, n: 0, pending: true, mine: true, body: '线下写的回复' });
    expect((await desk.getConnection()).queued).toBe(1);
    await t.up();
    await waitFor(async () => (await desk.getConnection()).queued === 0 && (await desk.getGroup(groupId)).messages.at(-1)?.pending === false, 8000, 'delivered');
    const messages = (await desk.getGroup(groupId)).messages;
    expect(messages.filter((m) => m.clientId === clientId)).toHaveLength(1);
    expect(messages.at(-1)).toMatchObject({ n: 2, clientId, body: '线下写的回复' });
    // The member sees it once too.
    const res = await member.http(`/v1/member/groups/${groupId}/messages?after=0`);
    const page = (await res.json()) as { messages: Array<{ body: string }> };
    expect(page.messages.filter((m) => m.body === '线下写的回复')).toHaveLength(1);
  });

  it('a desk enrolled later gets groups, messages, members and invites from its snapshot; erasure drops the member', async () => {
    const a1 = await started('A1');
    const { groupId } = await groupWithAsker(a1.desk);
    const a2 = await started('A2');
    await waitFor(async () => (await a2.desk.listGroups()).length === 1, 5000, 'snapshot groups');
    expect((await a2.desk.listGroups())[0]).toMatchObject({ id: groupId, memberCount: 1, unread: 1 });
    expect((await a2.desk.getGroup(groupId)).messages.map((m) => [m.n, m.nickname])).toEqual([[1, '跑者']]);
    expect((await a2.desk.listGroupMembers(groupId)).map((m) => m.nickname)).toEqual(['跑者']);
    expect(await a2.desk.listGroupInvites(groupId)).toHaveLength(1);

    const res = await fetch(`${t.url}/v1/ingest/members/m1`, { method: 'DELETE', headers: { 'x-integration-key': t.hq.integrationKey } });
    expect(res.status).toBe(200);
    for (const d of [a1.desk, a2.desk]) {
      await waitFor(async () => (await d.listGroupMembers(groupId)).length === 0, 5000, 'membership erased');
      expect((await d.getGroup(groupId)).messages.filter((m) => m.memberId === 'm1' || m.nickname === '跑者')).toEqual([]);
    }
  });
});
