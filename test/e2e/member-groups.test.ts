// Groups on the member page (5/8 part C) in a real Chromium at a phone's size, against a real HQ:
// a host at a counter (a desk on the desk protocol, with a clerk signed in) opens a group, pins a
// notice and makes an invite link; a member opens the link, signs in, sees what it leads to and
// joins under a nickname (offered neutral, never her name); she reads the welcome and the notice,
// sees another member only by nickname, writes; the host answers her with a product card for her
// size; she taps "hold a pair for me", picks colour and size, and the pair is put aside at the store
// (HQ has the hold, the page says where and until when); "I'll come and try it" tells the store;
// she turns the group's notifications off and leaves. Screenshots groups-member-<zh|en>.png.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { enroll } from '../../electron/desk/deskCore.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';
import { type CommandType } from '../../shared/protocol.ts';
import { ProtocolDesk } from '../support/protocolClient.ts';
import { CHROMIUM, DEMO_CLERK, shotPath, STORE } from './stack.ts';

const STORE_NAME = '上海南京西路店';

/** A counter of the store on the raw desk protocol, with the host clerk signed in; fails the test unless HQ applies the command. */
async function hostDesk(hq: HqHandle): Promise<{ command(type: CommandType, data: Record<string, unknown>): Promise<void>; close(): Promise<void> }> {
  const { token } = await enroll(hq.url, await hq.createEnrollmentCode(STORE), 'Host phone');
  const desk = new ProtocolDesk({ urls: [hq.url], token, clerkId: DEMO_CLERK.id });
  await desk.start();
  return {
    async command(type, data) {
      const ack = await desk.command(type, data);
      expect(ack, `${type}: ${JSON.stringify(ack.rejection)}`).toMatchObject({ status: 'ok' });
    },
    close: () => desk.close(),
  };
}

/** A member signed in over HTTP (the other member of the group, who never opens a browser). */
async function memberSession(hq: HqHandle, code: string, phone: string): Promise<string> {
  const res = await fetch(`${hq.url}/v1/member/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storeId: STORE, memberCode: code, phoneLast4: phone.slice(-4) }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}
async function memberPost(hq: HqHandle, token: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${hq.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  describe(`groups on the member page (browser, ${lang})`, () => {
    it('joins by link, reads the welcome, writes, holds a pair from a host’s card, mutes and leaves', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-groups-'));
      const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => hq.close());
      await seedDemo(hq, { members: 50, styles: 20, seed: 7 });
      const host = await hostDesk(hq);
      cleanup.push(() => host.close());

      // A line in stock here, and a home member of its size: the card for her size has it.
      const members = await hq.store.read((r) => r.listHomeMembers(STORE));
      const lines = await hq.store.read((r) => r.stockForStore(STORE));
      const styles = await hq.store.read((r) => r.listStyles());
      let pick: { line: (typeof lines)[number]; member: (typeof members)[number] } | null = null;
      for (const line of lines) {
        const m = members.find((x) => x.sizes.eu === line.size);
        if (line.qty > 0 && m) {
          pick = { line, member: m };
          break;
        }
      }
      expect(pick).not.toBeNull();
      const { line, member } = pick!;
      const style = styles.find((s) => s.id === line.styleId)!;
      const other = members.find((m) => m.id !== member.id)!;

      // The host opens the group, pins a notice, makes a link.
      const groupId = randomUUID();
      const name = zh ? '周末跑团' : 'Weekend runners';
      const notice = zh ? '本周六早上 8 点世纪公园集合' : 'Saturday 8 am at Century Park';
      await host.command('group.create', { groupId, scope: 'store', name, topic: zh ? '跑鞋、路线和装备' : 'Shoes, routes and kit', welcome: zh ? '欢迎 {nickname}！有问题随时问。' : 'Welcome, {nickname}! Ask us anything.' });
      await host.command('group.update', { groupId, notice });
      const inviteId = randomUUID();
      await host.command('group.invite', { groupId, inviteId, days: 30 });
      const invite = (await hq.store.read((r) => r.groups.getInvite(inviteId)))!;
      expect(invite.token.length).toBeGreaterThanOrEqual(16);

      // Another member is in already and has said something.
      const otherToken = await memberSession(hq, other.code, other.phone);
      const otherNick = zh ? '晨跑的猫' : 'Morning Cat';
      expect((await memberPost(hq, otherToken, '/v1/member/groups/join', { token: invite.token, nickname: otherNick })).ok).toBe(true);
      expect((await memberPost(hq, otherToken, `/v1/member/groups/${groupId}/messages`, { clientId: randomUUID(), kind: 'text', text: zh ? '大家好！' : 'Hi all!' })).ok).toBe(true);

      // The member opens the link on her phone and signs in.
      const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      cleanup.push(() => browser.close());
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang });
      const page: Page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${hq.url}/m/?store=${STORE}&join=${invite.token}`);
      await page.locator('#code').fill(member.code);
      await page.locator('#phone').fill(member.phone.slice(-4));
      await page.locator('#login-btn').click();

      // What the link leads to, and a neutral nickname to start from.
      const joinCard = page.locator('#group-join:not([hidden])');
      await joinCard.waitFor({ timeout: 10_000 });
      expect(await page.locator('#join-name').textContent()).toBe(name);
      expect(await page.locator('#join-meta').textContent()).toContain(STORE_NAME);
      expect(await page.locator('#join-meta').textContent()).toContain(zh ? '1 位成员' : '1 member');
      const offered = await page.locator('#nickname').inputValue();
      expect(offered).toMatch(zh ? /^鞋友\d{4}$/ : /^Member \d{4}$/);
      expect(offered).not.toContain(member.name);
      await page.screenshot({ path: shotPath(`groups-member-join-${zh ? 'zh' : 'en'}.png`) });
      const nick = zh ? '跑步的小鹿' : 'Trail Fawn';
      await page.locator('#nickname').fill(nick);
      await page.locator('#join-btn').click();

      // In: the welcome with her nickname, the pinned notice, the other member by nickname only.
      const thread = page.locator(`#group-thread:not([hidden])[data-group-id="${groupId}"]`);
      await thread.waitFor({ timeout: 10_000 });
      expect(await page.locator('#thread-welcome').textContent()).toBe(zh ? `欢迎 ${nick}！有问题随时问。` : `Welcome, ${nick}! Ask us anything.`);
      expect(await page.locator('#thread-notice').textContent()).toContain(notice);
      const theirs = page.locator('li.gmsg.them[data-from="member"]').first();
      await theirs.waitFor({ timeout: 5000 });
      expect(await theirs.locator('.who').textContent()).toBe(otherNick);
      expect(new URL(page.url()).searchParams.has('join')).toBe(false); // a reload does not offer the link again
      const membership = await hq.store.read((r) => r.groups.getMembership(groupId, member.id));
      expect(membership).toMatchObject({ status: 'active', nickname: nick });

      // She writes; HQ has it once, under her nickname.
      const question = zh ? `有适合跑步的 ${line.size} 码宽楦鞋吗？` : `Any wide running shoes in EU ${line.size}?`;
      await page.locator('#group-text').fill(question);
      await page.locator('#group-send').click();
      const mine = page.locator('li.gmsg.me[data-state="sent"]', { hasText: question });
      await mine.waitFor({ timeout: 5000 });
      const sent = (await hq.store.read((r) => r.groups.messagesAfter(groupId, 0, 100))).filter((m) => m.body === question);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ memberId: member.id, nickname: nick, from: 'member' });

      // The host answers her: a line, then a card for her size — live, by the clerk's name.
      await host.command('group.send', { groupId, clientId: randomUUID(), kind: 'text', text: zh ? '有的，给您看看这双' : 'Yes, have a look at this one', replyToN: sent[0]!.n });
      await host.command('group.send', { groupId, clientId: randomUUID(), kind: 'product', styleId: style.id, forMemberId: member.id, replyToN: sent[0]!.n });
      const card = page.locator('li.gmsg[data-kind="product"]').last();
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('.who.host').textContent()).toContain('王芳');
      expect(await card.locator('.for-me').textContent()).toContain(zh ? '适合您的尺码' : 'For your size');
      expect(await card.locator('.price').textContent()).toBe(`¥${(style.price / 100).toFixed(style.price % 100 ? 2 : 0)}`);
      // The other member never appears by name or phone.
      const text = (await page.locator('#groups').textContent()) ?? '';
      expect(text).not.toContain(other.name);
      expect(text).not.toContain(other.phone);
      expect(text).not.toContain(member.name);

      // "Hold a pair for me": colour and size, then where and until when.
      await card.locator('[data-action="hold"]').click();
      await card.locator('select[name="color"]').selectOption(line.color);
      await card.locator('select[name="size"]').selectOption(String(line.size));
      await card.locator('.gcard-form button.confirm').click();
      const result = card.locator('.gcard-result[data-ok="true"]');
      await result.waitFor({ timeout: 10_000 });
      expect(await result.textContent()).toContain(STORE_NAME);
      const holds = await hq.store.read((r) => r.holds.activeHoldsOfMember(member.id));
      expect(holds).toHaveLength(1);
      expect(holds[0]).toMatchObject({ storeId: STORE, styleId: style.id, color: line.color, size: line.size });
      // …and the store expects her, from this group (the desk's arrival alert says so).
      const expected = await hq.store.read((r) => r.expected.openOfMember(member.id));
      expect(expected.find((e) => e.holdId === holds[0]!.id)).toMatchObject({ storeId: STORE, styleId: style.id, source: { kind: 'group', id: groupId, title: name } });
      await card.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`groups-member-${zh ? 'zh' : 'en'}.png`) });

      // "I'll come and try it": the store is told.
      await card.locator('[data-action="expect"]').click();
      await card.locator('.gcard-form button.confirm').click();
      await expect.poll(() => card.locator('.gcard-result').textContent(), { timeout: 10_000 }).toContain(zh ? '期待您' : 'knows you are coming');

      // Notifications off for this group: her own switch, kept at HQ.
      await page.locator('#thread-menu summary').click();
      await page.locator('#notif-off').check();
      await expect.poll(async () => (await hq.store.read((r) => r.groups.getMembership(groupId, member.id)))?.notificationsOff, { timeout: 5000 }).toBe(true);

      // Leaving (a second tap confirms): back to the list, which no longer has the group.
      await page.locator('#leave-btn').click();
      expect(await page.locator('#leave-btn').textContent()).toBe(zh ? '确认退出？' : 'Really leave?');
      await page.locator('#leave-btn').click();
      await page.locator('#group-home:not([hidden])').waitFor({ timeout: 5000 });
      expect(await page.locator('#groups-info').textContent()).toContain(name);
      expect(await page.locator(`#group-list li[data-group-id="${groupId}"]`).count()).toBe(0);
      expect((await hq.store.read((r) => r.groups.getMembership(groupId, member.id)))?.status).toBe('left');
      // Out of the thread, the pairs put aside for her show again, the new one with them.
      expect(await page.locator('#holds:not([hidden]) .hold').first().textContent()).toContain(style.name);
      expect(errors).toEqual([]);
    });
  });
}

describe('groups on the member page: the list, live changes and the queue (browser, en)', () => {
  it('joins a chain group from the list; unread, paging, former members, recall, a host’s delete, mute, blocked words, slow mode, the offline queue, removal, a group closing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-groups-'));
    const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => hq.close());
    await seedDemo(hq, { members: 50, styles: 20, seed: 7 });
    const host = await hostDesk(hq);
    cleanup.push(() => host.close());
    const [member, other] = await hq.store.read((r) => r.listHomeMembers(STORE));
    const say = (text: string) => host.command('group.send', { groupId, clientId: randomUUID(), kind: 'text', text });
    const inGroup = async () => (await hq.store.read((r) => r.groups.messagesAfter(groupId, 0, 500))).filter((m) => m.memberId === member!.id);

    // A chain group with history: 35 lines from the host, and a member who wrote and left.
    const groupId = randomUUID();
    const name = 'Trail club';
    await host.command('group.create', { groupId, scope: 'chain', name, topic: 'Trail shoes and weekend routes', welcome: 'Hello {nickname}' });
    for (let i = 1; i <= 35; i++) await say(`line ${i}`);
    const otherToken = await memberSession(hq, other!.code, other!.phone);
    expect((await memberPost(hq, otherToken, '/v1/member/groups/join', { groupId, nickname: 'Leaver' })).ok).toBe(true);
    expect((await memberPost(hq, otherToken, `/v1/member/groups/${groupId}/messages`, { clientId: randomUUID(), kind: 'text', text: 'said before leaving' })).ok).toBe(true);
    expect((await memberPost(hq, otherToken, `/v1/member/groups/${groupId}/leave`, {})).ok).toBe(true);

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    cleanup.push(() => browser.close());
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const page: Page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${hq.url}/m/?store=${STORE}`);
    await page.locator('#code').fill(member!.code);
    await page.locator('#phone').fill(member!.phone.slice(-4));
    await page.locator('#login-btn').click();

    // The groups tab offers the chain group; joining from the list, under a nickname.
    await page.locator('#tabs:not([hidden]) #tab-groups').click();
    const offer = page.locator(`#joinable-list li[data-group-id="${groupId}"]`);
    await offer.waitFor({ timeout: 10_000 });
    expect(await offer.textContent()).toContain('Trail shoes and weekend routes');
    await offer.locator('button.join').click();
    expect(await page.locator('#join-name').textContent()).toBe(name);
    await page.locator('#nickname').fill('Hill Goat');
    await page.locator('#join-btn').click();
    await page.locator(`#group-thread:not([hidden])[data-group-id="${groupId}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('#thread-welcome').textContent()).toBe('Hello Hill Goat');

    // The newest 30 first; older on request. The one who left is a former member, nameless.
    // (36 messages: lines 1–35 and the leaver's; the newest 30 start at line 7.)
    const line = (i: number) => page.locator('li.gmsg .text', { hasText: new RegExp(`^line ${i}$`) });
    await line(35).waitFor({ timeout: 5000 });
    expect(await line(7).count()).toBe(1);
    expect(await line(6).count()).toBe(0);
    await page.locator('#group-older:not([hidden])').click();
    await line(1).waitFor({ timeout: 5000 });
    expect(await page.locator('#group-older').isHidden()).toBe(true);
    const leaver = page.locator('li.gmsg', { hasText: 'said before leaving' });
    expect(await leaver.locator('.who').textContent()).toBe('Former member');
    expect(await page.locator('#groups').textContent()).not.toContain('Leaver');

    // Back to the list: the host writes twice, the list counts them; opening the thread reads them.
    await page.locator('#thread-back').click();
    await say('new one');
    await say('new two');
    const row = page.locator(`#group-list li[data-group-id="${groupId}"]`);
    await expect.poll(() => row.getAttribute('data-unread'), { timeout: 10_000 }).toBe('2');
    expect(await page.locator('#groups-unread').textContent()).toBe('2');
    await page.screenshot({ path: shotPath('groups-member-list-en.png') });
    await row.locator('.group-open').click();
    await page.locator('li.gmsg', { hasText: 'new two' }).waitFor({ timeout: 5000 });
    const lastN = (await hq.store.read((r) => r.groups.getGroup(groupId)))!.lastN;
    await expect.poll(async () => (await hq.store.read((r) => r.groups.getMembership(groupId, member!.id)))?.readN, { timeout: 5000 }).toBe(lastN);
    await expect.poll(() => page.locator('#groups-unread').isHidden()).toBe(true);

    // An announcement stands out.
    await host.command('group.send', { groupId, clientId: randomUUID(), kind: 'announcement', text: 'Trail run on Sunday' });
    await page.locator('li.gmsg.announcement', { hasText: 'Trail run on Sunday' }).waitFor({ timeout: 5000 });

    // Her own message, recalled within 2 minutes: a placeholder, and HQ has it recalled.
    const send = async (text: string) => {
      await page.locator('#group-text').fill(text);
      await page.locator('#group-send').click();
    };
    await send('oops wrong group');
    const oops = page.locator('li.gmsg.me[data-state="sent"]', { hasText: 'oops wrong group' });
    await oops.waitFor({ timeout: 5000 });
    await oops.locator('button.recall').click();
    await page.locator('li.gmsg[data-state="recalled"]', { hasText: 'You recalled a message' }).waitFor({ timeout: 5000 });
    expect((await inGroup()).find((m) => m.clientId && m.body === '' && m.recalledAt !== null)).toBeTruthy();

    // A host deletes what she wrote: live, its place stays.
    await send('buy cheap watches');
    await page.locator('li.gmsg.me[data-state="sent"]', { hasText: 'buy cheap watches' }).waitFor({ timeout: 5000 });
    const spam = (await inGroup()).find((m) => m.body === 'buy cheap watches')!;
    await host.command('group.delete', { groupId, messageId: spam.id });
    await page.locator(`li.gmsg[data-n="${spam.n}"][data-state="deleted"]`, { hasText: 'Removed by a host' }).waitFor({ timeout: 5000 });

    // A word the chain blocks: refused, said readably, kept to edit or delete.
    const put = await fetch(`${hq.url}/v1/ingest/community`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-integration-key': hq.integrationKey }, body: JSON.stringify({ keywords: ['counterfeit'] }) });
    expect(put.ok).toBe(true);
    await send('counterfeit shoes here');
    const blocked = page.locator('li.gmsg.me[data-state="failed"]', { hasText: 'counterfeit shoes here' });
    await blocked.waitFor({ timeout: 5000 });
    expect(await blocked.locator('.why').textContent()).toContain('does not allow');
    await blocked.locator('button.discard').click();
    await blocked.waitFor({ state: 'detached' });

    // Muted by a host: the composer says until when and takes nothing; unmuted, it works again.
    await host.command('group.mute', { groupId, memberId: member!.id, minutes: 30 });
    await expect.poll(() => page.locator('#group-text').isDisabled(), { timeout: 5000 }).toBe(true);
    // Half an hour from now: a clock time today, with the day in front once it falls after midnight.
    expect(await page.locator('#thread-state').textContent()).toMatch(/^A host muted you until ([A-Z][a-z]{2} \d{1,2} )?\d{2}:\d{2}\.$/);
    await host.command('group.mute', { groupId, memberId: member!.id, minutes: 0 });
    await expect.poll(() => page.locator('#group-text').isDisabled(), { timeout: 5000 }).toBe(false);

    // Slow mode: the second message within the minute is refused with why.
    await host.command('group.update', { groupId, slowModeSec: 60 });
    await expect.poll(() => page.locator('#thread-state').textContent(), { timeout: 5000 }).toContain('Slow mode: one message every 60 s.');
    await send('second within the minute');
    const slowed = page.locator('li.gmsg.me[data-state="failed"]', { hasText: 'second within the minute' });
    await slowed.waitFor({ timeout: 5000 });
    expect(await slowed.locator('.why').textContent()).toContain('Slow mode');
    await slowed.locator('button.discard').click();
    await host.command('group.update', { groupId, slowModeSec: 0 });

    // Offline: the message waits (across a reload, same clientId), then goes once.
    await page.route('**/v1/member/groups/*/messages', (route) => (route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.fallback()));
    await send('sent while offline');
    const waiting = page.locator('li.gmsg.me[data-state="sending"]', { hasText: 'sent while offline' });
    await waiting.waitFor({ timeout: 5000 });
    const clientId = await waiting.getAttribute('data-client-id');
    await page.reload();
    await page.locator('#tab-groups').click();
    await row.locator('.group-open').click();
    await waiting.waitFor({ timeout: 10_000 });
    expect(await waiting.getAttribute('data-client-id')).toBe(clientId);
    expect((await inGroup()).filter((m) => m.body === 'sent while offline')).toHaveLength(0);
    await page.unroute('**/v1/member/groups/*/messages');
    await page.reload(); // the socket's welcome sends what is queued
    await expect.poll(async () => (await inGroup()).filter((m) => m.body === 'sent while offline').map((m) => m.clientId), { timeout: 10_000 }).toEqual([clientId]);
    await page.locator('#tab-groups').click();
    await row.locator('.group-open').click();
    await page.locator('li.gmsg.me[data-state="sent"]', { hasText: 'sent while offline' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('li.gmsg.me[data-state="sending"]').count()).toBe(0);

    // Removed by a host: out of the thread, told why, no longer listed or offered.
    await host.command('group.remove', { groupId, memberId: member!.id });
    await page.locator('#group-home:not([hidden])').waitFor({ timeout: 5000 });
    expect(await page.locator('#groups-info').textContent()).toBe(`A host removed you from “${name}”.`);
    expect(await row.count()).toBe(0);
    expect(await offer.count()).toBe(0);

    // A group that closes stays readable but takes nothing more.
    const closing = randomUUID();
    await host.command('group.create', { groupId: closing, scope: 'chain', name: 'Last season', topic: '', welcome: '' });
    await say('still here'); // (in the first group; the member no longer sees it)
    await host.command('group.send', { groupId: closing, clientId: randomUUID(), kind: 'text', text: 'Thanks, everyone' });
    const token = (await page.evaluate((key) => sessionStorage.getItem(key), `footfall.member.${STORE}`))!;
    expect((await memberPost(hq, token, '/v1/member/groups/join', { groupId: closing, nickname: 'Hill Goat' })).ok).toBe(true);
    await page.reload();
    await page.locator('#tab-groups').click();
    await page.locator(`#group-list li[data-group-id="${closing}"] .group-open`).click();
    await page.locator('li.gmsg', { hasText: 'Thanks, everyone' }).waitFor({ timeout: 5000 });
    expect(await page.locator('li.gmsg', { hasText: 'still here' }).count()).toBe(0);
    await host.command('group.close', { groupId: closing });
    await expect.poll(() => page.locator('#thread-state').textContent(), { timeout: 5000 }).toBe('This group is closed; its history stays readable.');
    expect(await page.locator('#group-text').isDisabled()).toBe(true);
    expect(await page.locator('li.gmsg', { hasText: 'Thanks, everyone' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
