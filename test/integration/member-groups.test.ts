// The member edge of groups (5/8) against a real HQ: the member API over real HTTP (join by link,
// preview and QR, send, pages after/before, read, recall, leave, notifications off, refusals), the
// member socket's live group frames (a host's message, a member's, a recall, a removal), a host's
// QR for the counter, the chain's community settings — and two HQ nodes on PostgreSQL + NATS with
// the member on one node and the host's desk on the other, including a dropped member socket that
// resumes over HTTP with no gap and no duplicate.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startHq, type HqHandle } from '../../hq/server.ts';
import { qrSvg } from '../../hq/app/memberCard.ts';
import { type HqToMember } from '../../hq/edge/ws/memberProtocol.ts';
import { type GroupInvite, type GroupMessage, type MemberGroupMessage, type MemberGroupView } from '../../shared/groups.ts';
import { type EvFrame } from '../../shared/protocol.ts';
import { MemberClient } from '../support/memberClient.ts';
import { TestHq } from '../support/hq.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { waitFor } from '../support/waitFor.ts';

const NATS_URL = process.env.FOOTFALL_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

type GroupFrame<T extends string> = Extract<HqToMember, { t: T }>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A clerk of the store, signed in at a new desk of it (on `url`): the group's host. */
async function hostDesk(t: TestHq, storeId: string, name: string, url = t.url): Promise<ProtocolDesk & { clerkId: string; deviceId: string }> {
  const saved = (await t.ingest('clerks', [{ storeId, name, role: 'clerk', pin: '2468' }])) as { clerks: Array<{ id: string }> };
  const clerkId = saved.clerks[0]!.id;
  const { token, deviceId } = await t.enroll(storeId, `${name}'s counter`);
  const d = new ProtocolDesk({ urls: [url], token, resume: await t.position(storeId), clerkId });
  cleanups.push(() => d.close());
  await d.start();
  return Object.assign(d, { clerkId, deviceId });
}

async function ok(d: ProtocolDesk, type: Parameters<ProtocolDesk['command']>[0], data: Record<string, unknown>): Promise<void> {
  const ack = await d.command(type, data);
  expect(ack, `${type}: ${JSON.stringify(ack)}`).toMatchObject({ status: 'ok' });
}

/** A group of the desk's store with a fresh invite; its token comes from the `group.invite` event. */
async function groupWithInvite(d: ProtocolDesk, scope: 'store' | 'chain' = 'store'): Promise<{ groupId: string; invite: GroupInvite }> {
  const groupId = randomUUID();
  const inviteId = randomUUID();
  await ok(d, 'group.create', { groupId, scope, name: '跑步俱乐部', topic: '周末一起跑', welcome: '欢迎 {nickname}!' });
  await ok(d, 'group.invite', { groupId, inviteId, days: 7 });
  await waitFor(() => d.events.some((e) => e.type === 'group.invite' && (e.data as { invite: GroupInvite }).invite.id === inviteId), 5000, 'invite event');
  const ev = d.events.find((e) => e.type === 'group.invite' && (e.data as { invite: GroupInvite }).invite.id === inviteId)!;
  return { groupId, invite: (ev.data as { invite: GroupInvite }).invite };
}

async function member(url: string, key: string, storeId: string, memberId: string): Promise<MemberClient> {
  const m = await MemberClient.viaIntegration(url, key, storeId, memberId);
  cleanups.push(async () => m.close());
  return m;
}

async function json<T = Record<string, unknown>>(res: Response): Promise<{ status: number; body: T }> {
  return { status: res.status, body: (await res.json()) as T };
}

const groupFrames = <T extends 'group.message' | 'group.messageChanged' | 'group.updated' | 'group.gone'>(m: MemberClient, t: T): GroupFrame<T>[] =>
  m.frames.filter((f): f is GroupFrame<T> => f.t === t);
const deskMessages = (d: ProtocolDesk): GroupMessage[] => d.events.filter((e: EvFrame) => e.type === 'group.message').map((e) => (e.data as { message: GroupMessage }).message);

describe('member groups over HTTP and the member socket (one HQ)', () => {
  it('join by link, preview and QR, send, pages, read, recall, notifications, leave — and every refusal', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const host = await hostDesk(t, 'store-a', '李娜');
    const { groupId, invite } = await groupWithInvite(host);
    const key = t.hq.integrationKey;

    // The link's preview and QR need no session; a token that is not one is 404.
    const preview = await json(await fetch(`${t.url}/v1/member/invites/${invite.token}`));
    expect(preview).toEqual({ status: 200, body: { groupId, name: '跑步俱乐部', topic: '周末一起跑', storeName: 'Store A', memberCount: 0, valid: true } });
    expect((await fetch(`${t.url}/v1/member/invites/${'x'.repeat(32)}`)).status).toBe(404);
    expect((await fetch(`${t.url}/v1/member/invites/short`)).status).toBe(404);
    const qr = await fetch(`${t.url}/v1/member/invites/${invite.token}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    // The QR holds the member page's join link at the group's store (the same SVG as for that text).
    const link = `${t.url}/m/?store=store-a&join=${invite.token}`;
    expect(await qr.text()).toBe(await qrSvg(link));

    // The host shows the same QR on the counter; another store's desk and no token get nothing.
    const deskQr = await fetch(`${t.url}/v1/desk/groups/invites/${invite.id}/qr.svg`, { headers: { authorization: `Bearer ${host.token}` } });
    expect(deskQr.status).toBe(200);
    expect(await deskQr.text()).toBe(await qrSvg(link));
    const other = await t.enroll('store-b', 'B counter');
    expect((await fetch(`${t.url}/v1/desk/groups/invites/${invite.id}/qr.svg`, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/desk/groups/invites/${invite.id}/qr.svg`)).status).toBe(401);

    // Two members join by the link; their sockets get the group's frames from then on.
    const m1 = await member(t.url, key, 'store-a', 'm1');
    const m2 = await member(t.url, key, 'store-a', 'm2');
    await m1.connect();
    const joined = await json<{ group: MemberGroupView; welcome: string }>(await m1.http('/v1/member/groups/join', { body: { token: invite.token, nickname: '小芳' } }));
    expect(joined.status).toBe(200);
    expect(joined.body.welcome).toBe('欢迎 小芳!');
    expect(joined.body.group).toMatchObject({ id: groupId, memberCount: 1, me: { nickname: '小芳', notificationsOff: false } });
    await waitFor(() => groupFrames(m1, 'group.updated').some((f) => f.group.id === groupId), 5000, 'm1 told of the join');
    expect((await m2.http('/v1/member/groups/join', { body: { token: invite.token, nickname: '跑者' } })).status).toBe(200);
    await m2.connect();
    const list = await json<{ groups: MemberGroupView[]; joinable: MemberGroupView[] }>(await m1.http('/v1/member/groups'));
    expect(list.body.groups.map((g) => [g.id, g.memberCount, g.hostNames, g.me?.nickname])).toEqual([[groupId, 2, ['李娜'], '小芳']]);

    // A host's message reaches both sockets, the clerk's name on it and no member ids anywhere.
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: '周六早上七点集合' });
    for (const m of [m1, m2]) await waitFor(() => groupFrames(m, 'group.message').length === 1, 5000, 'host message on the member socket');
    const hostMsg = groupFrames(m1, 'group.message')[0]!;
    expect(hostMsg).toMatchObject({ groupId, push: false, message: { n: 1, from: 'host', hostName: '李娜', body: '周六早上七点集合', mine: false, forMe: false } });
    for (const m of [m1, m2]) expect(JSON.stringify(m.frames.filter((f) => f.t.startsWith('group.')))).not.toMatch(/memberId|"by"|deviceId|"m[0-9]"/);

    // A member's message: 201, a resend with its clientId is the same message (200), mine only for the sender.
    const sent = await json<{ message: MemberGroupMessage; duplicate: boolean }>(await m1.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0001', kind: 'text', text: '我来!' } }));
    expect(sent).toMatchObject({ status: 201, body: { duplicate: false, message: { n: 2, nickname: '小芳', mine: true } } });
    const again = await json<{ message: MemberGroupMessage; duplicate: boolean }>(await m1.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0001', kind: 'text', text: '我来!' } }));
    expect(again).toMatchObject({ status: 200, body: { duplicate: true, message: { id: sent.body.message.id, n: 2 } } });
    await waitFor(() => groupFrames(m2, 'group.message').length === 2 && groupFrames(m1, 'group.message').length === 2, 5000, 'member message live');
    expect(groupFrames(m1, 'group.message')[1]!.message).toMatchObject({ n: 2, mine: true });
    expect(groupFrames(m2, 'group.message')[1]!.message).toMatchObject({ n: 2, mine: false, nickname: '小芳' });
    // The host's desk sees who wrote it.
    await waitFor(() => deskMessages(host).some((m) => m.n === 2), 5000, 'member message at the desk');
    expect(deskMessages(host).find((m) => m.n === 2)).toMatchObject({ from: 'member', memberId: 'm1', nickname: '小芳' });

    await m2.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m2-0001', kind: 'text', text: '我也来' } });
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: '好的' });
    // The group frames each member got name nobody by id (their own or another's).
    await waitFor(() => groupFrames(m1, 'group.message').length === 4 && groupFrames(m2, 'group.message').length === 4, 5000, 'four messages live');
    for (const m of [m1, m2]) expect(JSON.stringify(m.frames.filter((f) => f.t.startsWith('group.')))).not.toMatch(/memberId|"by"|deviceId|"m[0-9]"/);

    // Pages: after N (oldest first, hasMore when newer remain), before N with a limit.
    const all = await json<{ messages: MemberGroupMessage[]; hasMore: boolean; lastN: number }>(await m1.http(`/v1/member/groups/${groupId}/messages?after=0`));
    expect(all.body.messages.map((m) => m.n)).toEqual([1, 2, 3, 4]);
    expect(all.body).toMatchObject({ hasMore: false, lastN: 4 });
    expect(all.body.messages.map((m) => m.mine)).toEqual([false, true, false, false]);
    const after = await json<{ messages: MemberGroupMessage[]; hasMore: boolean }>(await m1.http(`/v1/member/groups/${groupId}/messages?after=1&limit=2`));
    expect(after.body.messages.map((m) => m.n)).toEqual([2, 3]);
    expect(after.body.hasMore).toBe(true);
    const before = await json<{ messages: MemberGroupMessage[]; hasMore: boolean }>(await m1.http(`/v1/member/groups/${groupId}/messages?before=4&limit=2`));
    expect(before.body.messages.map((m) => m.n)).toEqual([2, 3]);
    expect(before.body.hasMore).toBe(true);
    const newest = await json<{ messages: MemberGroupMessage[] }>(await m1.http(`/v1/member/groups/${groupId}/messages?limit=1`));
    expect(newest.body.messages.map((m) => m.n)).toEqual([4]);

    // Read: the member's own position moves (never past the newest).
    expect((await json(await m1.http(`/v1/member/groups/${groupId}/read`, { body: { upTo: 3 } }))).status).toBe(200);
    const readBack = await json<{ groups: MemberGroupView[] }>(await m1.http('/v1/member/groups'));
    expect(readBack.body.groups[0]!.me?.readN).toBe(3);

    // Recall: the sender's own, live to the others; someone else's is 403.
    expect((await m2.http(`/v1/member/groups/${groupId}/messages/${sent.body.message.id}/recall`, { method: 'POST' })).status).toBe(403);
    const recalled = await json<{ message: MemberGroupMessage }>(await m1.http(`/v1/member/groups/${groupId}/messages/${sent.body.message.id}/recall`, { method: 'POST' }));
    expect(recalled.status).toBe(200);
    expect(recalled.body.message).toMatchObject({ n: 2, body: '', mine: true });
    expect(recalled.body.message.recalledAt).not.toBeNull();
    await waitFor(() => groupFrames(m2, 'group.messageChanged').length === 1, 5000, 'recall live');
    expect(groupFrames(m2, 'group.messageChanged')[0]!.message).toMatchObject({ n: 2, body: '', mine: false });

    // The member's own switch.
    const patched = await json<{ group: MemberGroupView }>(await m1.http(`/v1/member/groups/${groupId}`, { method: 'PATCH', body: { notificationsOff: true } }));
    expect(patched).toMatchObject({ status: 200, body: { group: { id: groupId, me: { notificationsOff: true } } } });
    expect((await json<{ groups: MemberGroupView[] }>(await m1.http('/v1/member/groups'))).body.groups[0]!.me?.notificationsOff).toBe(true);

    // Bad bodies and queries: 400 with what was wrong; nothing applied.
    const bad: Array<[string, { method?: string; body?: unknown; raw?: Uint8Array; type?: string }]> = [
      ['/v1/member/groups/join', { body: { nickname: 'x' } }], // neither token nor groupId
      ['/v1/member/groups/join', { body: { token: invite.token, groupId, nickname: 'x' } }], // both
      ['/v1/member/groups/join', { body: { token: invite.token, nickname: '' } }],
      [`/v1/member/groups/${groupId}/messages`, { body: { kind: 'text', text: 'no clientId' } }],
      [`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0002', kind: 'text', text: 'x'.repeat(501) } }],
      [`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0002', kind: 'video', text: 'x' } }],
      [`/v1/member/groups/${groupId}/read`, { body: { upTo: -1 } }],
      [`/v1/member/groups/${groupId}`, { method: 'PATCH', body: { admin: true } }],
      [`/v1/member/groups/${groupId}/read`, { raw: new TextEncoder().encode('{not json'), type: 'application/json' }],
      [`/v1/member/groups/${groupId}/messages?after=x`, { method: 'GET' }],
      [`/v1/member/groups/${groupId}/messages?after=1&before=3`, { method: 'GET' }],
      [`/v1/member/groups/${groupId}/messages?limit=1000`, { method: 'GET' }],
    ];
    for (const [path, init] of bad) {
      const r = await json<{ error: { code: string; message: string } }>(await m1.http(path, init));
      expect(r.status, `${path} ${JSON.stringify(init.body)}`).toBe(400);
      expect(r.body.error.message.length).toBeGreaterThan(3);
    }
    expect((await m1.http(`/v1/member/groups/${groupId}/messages`, { method: 'DELETE' })).status).toBe(405);

    // Another member's group: as if it did not exist; no session: 401.
    const m3 = await member(t.url, key, 'store-b', 'm3');
    expect((await m3.http(`/v1/member/groups/${groupId}/messages?after=0`)).status).toBe(404);
    expect((await m3.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m3-0001', kind: 'text', text: 'hi' } })).status).toBe(404);
    expect((await m3.http(`/v1/member/groups/${groupId}/messages/${sent.body.message.id}/recall`, { method: 'POST' })).status).toBe(404);
    expect((await m3.http(`/v1/member/groups/${groupId}/leave`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${t.url}/v1/member/groups`)).status).toBe(401);
    expect((await fetch(`${t.url}/v1/member/groups/${groupId}/messages?after=0`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);

    // Leaving: the other sockets of the member hear `group.gone`; the group is gone for them (410).
    expect((await json(await m2.http(`/v1/member/groups/${groupId}/leave`, { method: 'POST' }))).status).toBe(200);
    await waitFor(() => groupFrames(m2, 'group.gone').length === 1, 5000, 'gone after leaving');
    expect(groupFrames(m2, 'group.gone')[0]).toEqual({ t: 'group.gone', groupId, reason: 'left' });
    expect((await m2.http(`/v1/member/groups/${groupId}/messages?after=0`)).status).toBe(410);
    // …and their past message is anonymised for the others.
    const afterLeave = await json<{ messages: MemberGroupMessage[] }>(await m1.http(`/v1/member/groups/${groupId}/messages?after=2`));
    expect(afterLeave.body.messages.find((m) => m.n === 3)).toMatchObject({ nickname: null, body: '我也来' });
    // A message after they left does not reach their socket.
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: '明天见' });
    await waitFor(() => groupFrames(m1, 'group.message').some((f) => f.message.n === 5), 5000, 'm1 gets n 5');
    expect(groupFrames(m2, 'group.message').some((f) => f.message.n === 5)).toBe(false);

    // A host removes m1: their socket hears it; the old link no longer lets them back in (403).
    await ok(host, 'group.remove', { groupId, memberId: 'm1' });
    await waitFor(() => groupFrames(m1, 'group.gone').length === 1, 5000, 'gone after removal');
    expect(groupFrames(m1, 'group.gone')[0]).toEqual({ t: 'group.gone', groupId, reason: 'removed' });
    expect((await m1.http('/v1/member/groups/join', { body: { token: invite.token, nickname: '小芳' } })).status).toBe(403);
  });

  it('a chain group of another store: joining by its id, the socket follows that store’s group at once', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    // m3 agreed to marketing (announcements are pushed to them); m4 did not.
    const m3Record = t.seeded!.members.find((m) => m.id === 'm3')!;
    await t.ingest('members', [{ ...m3Record, consents: { marketing: true, personalization: false, contact: false } }]);
    const host = await hostDesk(t, 'store-a', '王静');
    const { groupId } = await groupWithInvite(host, 'chain');
    // m3 and m4 are signed in at store B; store A's chain group is offered to them.
    const m3 = await member(t.url, t.hq.integrationKey, 'store-b', 'm3');
    const m4 = await member(t.url, t.hq.integrationKey, 'store-b', 'm4');
    await m3.connect();
    await m4.connect();
    const list = await json<{ groups: MemberGroupView[]; joinable: MemberGroupView[] }>(await m3.http('/v1/member/groups'));
    expect(list.body.joinable.map((g) => g.id)).toContain(groupId);
    expect((await m3.http('/v1/member/groups/join', { body: { groupId, nickname: '北京跑者' } })).status).toBe(200);
    // The socket is told of the group once it follows it.
    await waitFor(() => groupFrames(m3, 'group.updated').some((f) => f.group.id === groupId && f.group.me?.nickname === '北京跑者'), 5000, 'the joined group on the socket');
    expect((await m4.http('/v1/member/groups/join', { body: { groupId, nickname: '三里屯' } })).status).toBe(200);
    await waitFor(() => groupFrames(m4, 'group.updated').some((f) => f.group.id === groupId), 5000, 'm4 joined on the socket');
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'announcement', text: '新品周六到店' });
    await waitFor(() => groupFrames(m3, 'group.message').length === 1 && groupFrames(m4, 'group.message').length === 1, 5000, 'chain group message at store-B sessions');
    // Pushed (notify) only to the member who agreed to marketing; both see it in the thread.
    expect(groupFrames(m3, 'group.message')[0]).toMatchObject({ groupId, push: true, message: { kind: 'announcement', body: '新品周六到店', reach: null } });
    expect(groupFrames(m4, 'group.message')[0]).toMatchObject({ groupId, push: false, message: { kind: 'announcement' } });

    // A host pins a notice: each member's socket gets the group with their own `me`.
    const before = (m: MemberClient) => groupFrames(m, 'group.updated').length;
    const [u3, u4] = [before(m3), before(m4)];
    await ok(host, 'group.update', { groupId, notice: '周六 7:00 外滩集合' });
    await waitFor(() => before(m3) > u3 && before(m4) > u4, 5000, 'group.updated after the notice');
    expect(groupFrames(m3, 'group.updated').at(-1)!.group).toMatchObject({ id: groupId, notice: '周六 7:00 外滩集合', memberCount: 2, me: { nickname: '北京跑者' } });
    expect(groupFrames(m4, 'group.updated').at(-1)!.group).toMatchObject({ id: groupId, notice: '周六 7:00 外滩集合', me: { nickname: '三里屯' } });
    // Closing it: the sockets are told it is gone.
    await ok(host, 'group.close', { groupId });
    for (const m of [m3, m4]) await waitFor(() => groupFrames(m, 'group.gone').some((f) => f.groupId === groupId && f.reason === 'closed'), 5000, 'gone on close');
    // A store group is not joinable by id.
    const storeGroup = await groupWithInvite(host, 'store');
    expect((await m3.http('/v1/member/groups/join', { body: { groupId: storeGroup.groupId, nickname: 'x' } })).status).toBe(404);
  });

  it('an invite’s preview needs no session and is rate-limited per client address, like sign-in', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await fetch(`${t.url}/v1/member/invites/${'a'.repeat(31)}${i % 10}`)).status);
    expect(statuses.slice(0, 25).every((s) => s === 404)).toBe(true);
    expect(statuses).toContain(429);
  });

  it('the chain’s community settings: read and set with the integration key, and the keyword filter applies', async () => {
    const t = await TestHq.start({ seed: 'storesAB', unservedSweepMs: 0 });
    cleanups.push(() => t.dispose());
    const key = { 'x-integration-key': t.hq.integrationKey };
    expect((await fetch(`${t.url}/v1/ingest/community`)).status).toBe(401);
    expect(await json(await fetch(`${t.url}/v1/ingest/community`, { headers: key }))).toEqual({ status: 200, body: { pushCapPerMonth: 4, keywords: [] } });
    const put = (body: unknown) => fetch(`${t.url}/v1/ingest/community`, { method: 'PUT', headers: { ...key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await json(await put({ keywords: ['代购'] }))).toEqual({ status: 200, body: { pushCapPerMonth: 4, keywords: ['代购'] } });
    expect((await put({ pushCapPerMonth: -1 })).status).toBe(400);
    expect((await put({ keywords: ['x'], extra: 1 })).status).toBe(400);
    expect((await fetch(`${t.url}/v1/ingest/community`, { method: 'POST', headers: key })).status).toBe(405);

    const host = await hostDesk(t, 'store-a', '李娜');
    const { groupId, invite } = await groupWithInvite(host);
    const m1 = await member(t.url, t.hq.integrationKey, 'store-a', 'm1');
    await m1.http('/v1/member/groups/join', { body: { token: invite.token, nickname: '小芳' } });
    const blocked = await json<{ error: { code: string } }>(await m1.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0001', kind: 'text', text: '有人要代购吗' } }));
    expect(blocked).toMatchObject({ status: 422, body: { error: { code: 'blocked_word' } } });
    // The per-minute limit is 429 (waiting helps).
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await m1.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: `c-m1-1${String(i).padStart(3, '0')}`, kind: 'text', text: `第${i}条` } })).status);
    expect(codes).toEqual([...Array(10).fill(201), 429]);
  });
});

describe('member groups across two HQ nodes (PostgreSQL + NATS)', () => {
  it('member on node 1, host on node 2: both ways live, and a dropped socket resumes with no gap or duplicate', async () => {
    const natsPrefix = `t${randomUUID().slice(0, 8)}`;
    const t = await TestHq.start({ adapter: 'postgres', seed: 'storesAB', unservedSweepMs: 0, natsUrl: NATS_URL, natsPrefix });
    cleanups.push(() => t.dispose());
    const [, pgUrl, , pgSchema] = t.adminArgs;
    const node2: HqHandle = await startHq({ pgUrl, pgSchema, natsUrl: NATS_URL, natsPrefix, nodeId: 'node2', port: 0, log: () => {}, unservedSweepMs: 0 });
    cleanups.push(() => node2.close());

    const host = await hostDesk(t, 'store-a', '李娜', node2.url);
    const { groupId, invite } = await groupWithInvite(host);
    const m1 = await member(t.url, t.hq.integrationKey, 'store-a', 'm1');
    expect((await m1.http('/v1/member/groups/join', { body: { token: invite.token, nickname: '小芳' } })).status).toBe(200);
    await m1.connect();

    // Host (node 2) → member socket (node 1).
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: '第一条' });
    await waitFor(() => groupFrames(m1, 'group.message').length === 1, 10_000, 'host message across nodes');
    // Member (node 1) → host desk (node 2).
    expect((await m1.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'c-m1-0001', kind: 'text', text: '收到' } })).status).toBe(201);
    await waitFor(() => deskMessages(host).some((m) => m.memberId === 'm1'), 10_000, 'member message across nodes');
    await waitFor(() => groupFrames(m1, 'group.message').length === 2, 10_000, 'own message on the socket');
    const lastN = Math.max(...groupFrames(m1, 'group.message').map((f) => f.message.n));
    expect(lastN).toBe(2);

    // The member's socket drops; the host sends 3 more; the member resumes from what it had.
    m1.ws!.terminate();
    for (const text of ['三', '四', '五']) await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text });
    const missed = await json<{ messages: MemberGroupMessage[]; hasMore: boolean; lastN: number }>(await m1.http(`/v1/member/groups/${groupId}/messages?after=${lastN}`));
    expect(missed.body.messages.map((m) => [m.n, m.body])).toEqual([
      [3, '三'],
      [4, '四'],
      [5, '五'],
    ]);
    expect(missed.body).toMatchObject({ hasMore: false, lastN: 5 });
    // Live again, from the next one on.
    m1.frames.length = 0;
    await m1.connect();
    await ok(host, 'group.send', { groupId, clientId: randomUUID(), kind: 'text', text: '六' });
    await waitFor(() => groupFrames(m1, 'group.message').length === 1, 10_000, 'live after the resume');
    expect(groupFrames(m1, 'group.message').map((f) => f.message.n)).toEqual([6]);

    // A member signed in at store B on node 1 joins store A's chain group through node 2: node 1
    // hears of it on the bus and their socket follows the group.
    const chain = await groupWithInvite(host, 'chain');
    // (m1 goes, so that no socket on node 1 follows store A: only the bus can tell node 1.)
    m1.close();
    await new Promise((r) => setTimeout(r, 300));
    const m3 = await member(t.url, t.hq.integrationKey, 'store-b', 'm3');
    await m3.connect();
    const m3OnNode2 = new MemberClient(node2.url, m3.session);
    expect((await m3OnNode2.http('/v1/member/groups/join', { body: { groupId: chain.groupId, nickname: '北京跑者' } })).status).toBe(200);
    await waitFor(() => groupFrames(m3, 'group.updated').some((f) => f.group.id === chain.groupId), 10_000, 'node 1 told of the join on node 2');
    await ok(host, 'group.send', { groupId: chain.groupId, clientId: randomUUID(), kind: 'text', text: '欢迎北京的朋友' });
    await waitFor(() => groupFrames(m3, 'group.message').length === 1, 10_000, 'chain group message on node 1');
  });
});
