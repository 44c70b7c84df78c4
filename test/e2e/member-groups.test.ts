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
