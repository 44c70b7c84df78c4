// The live room's viewer page (6/8 part L4) in a real Chromium at a phone's size, against a real HQ:
// a host at a counter (a desk on the desk protocol, a clerk signed in) creates a room, pins a
// message and a product, goes live. The member page's "Live" entry lists the room with its QR. An
// anonymous viewer reads the room (no composer, a sign-in offer); a member signs in on her phone
// under a nickname and comments (the anonymous viewer sees it by nickname), reacts, asks (she sees
// her own question waiting, then the host's answer, which everyone sees), votes (the results move
// on the other screen), is refused readably in slow mode, and reserves her size at ANOTHER store she
// chooses (a real hold there, the store told to expect her, linked to the room). The host draws a
// lottery among those who commented: she is told she won, and the anonymous viewer's "check the
// draw" recomputes it in the browser and says it matches. The room ends: what stays readable stays.
// Screenshots live-viewer-<zh|en>.png (the member) and live-viewer-anon-<zh|en>.png.
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

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  describe(`the live room's viewer page (browser, ${lang})`, () => {
    it('reads without signing in; a member comments, reacts, asks, votes, reserves her size at a chosen store, wins a checkable lottery', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-live-'));
      const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
      cleanup.push(() => rmSync(dir, { recursive: true, force: true }), () => hq.close());
      await seedDemo(hq, { members: 50, styles: 20, seed: 11 });
      const host = await hostDesk(hq);
      cleanup.push(() => host.close());

      // A style in stock at another store of the chain: that is where she will reserve.
      const stores = await hq.store.read((r) => r.listStores());
      const styles = await hq.store.read((r) => r.listStyles());
      let pick: { store: (typeof stores)[number]; line: { styleId: string; color: string; size: number; qty: number } } | null = null;
      for (const s of stores.filter((x) => x.id !== STORE)) {
        const line = (await hq.store.read((r) => r.stockForStore(s.id))).find((l) => l.qty > 0);
        if (line) {
          pick = { store: s, line };
          break;
        }
      }
      expect(pick).not.toBeNull();
      const { store: other, line } = pick!;
      const style = styles.find((s) => s.id === line.styleId)!;
      const [member] = await hq.store.read((r) => r.listHomeMembers(STORE));

      // The host creates the room, pins a message and the product, goes live.
      const roomId = randomUUID();
      const title = zh ? '春季新品发布' : 'Spring launch';
      await host.command('live.create', { roomId, title, description: zh ? '新款跑鞋首发，边看边问。' : 'New running shoes, ask as you watch.', streamUrl: 'https://live.example.com/spring', scheduledAt: Date.now() + 60_000 });
      const pinned = zh ? '下单前先看看您的尺码' : 'Check your size before you order';
      await host.command('live.pin', { roomId, styleId: style.id, message: pinned });

      const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      cleanup.push(() => browser.close());
      const open = async (): Promise<{ page: Page; errors: string[] }> => {
        const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang });
        const page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        return { page, errors };
      };

      // The member page's "Live" entry: the room, its link and its QR, without signing in.
      const entry = await open();
      await entry.page.goto(`${hq.url}/m/?store=${STORE}`);
      const listed = entry.page.locator(`#live:not([hidden]) li.live-room[data-room-id="${roomId}"]`);
      await listed.waitFor({ timeout: 10_000 });
      expect(await listed.locator('a').textContent()).toBe(title);
      expect(await listed.locator('a').getAttribute('href')).toBe(`/m/live.html?room=${roomId}&store=${STORE}`);
      await listed.locator('summary').click();
      await expect.poll(() => listed.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 5000 }).toBeGreaterThan(0);

      // An anonymous viewer reads: the room, the pin, the product at the room's store; no composer.
      const anon = await open();
      await anon.page.goto(`${hq.url}/m/live.html?room=${roomId}`);
      await anon.page.locator('#room:not([hidden])').waitFor({ timeout: 10_000 });
      expect(await anon.page.locator('#room-title').textContent()).toBe(title);
      // Before the start: a countdown, and nothing to write yet.
      expect(await anon.page.locator('#room-state').getAttribute('data-state')).toBe('scheduled');
      expect(await anon.page.locator('#room-when').textContent()).toMatch(zh ? /^距开播还有 \d+分 \d{2}秒/ : /^Starts in \d+ min \d{2} s/);
      // The host goes live: the page follows without a reload.
      await host.command('live.state', { roomId, state: 'live' });
      await expect.poll(() => anon.page.locator('#room-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
      expect(await anon.page.locator('#room-when').textContent()).toMatch(zh ? /开播$/ : /^Live since/);
      expect(await anon.page.locator('#pinned-text').textContent()).toBe(pinned);
      expect(await anon.page.locator('#stream-link').getAttribute('href')).toBe('https://live.example.com/spring');
      expect(await anon.page.locator('#stream-link').getAttribute('target')).toBe('_blank');
      await anon.page.locator('#product:not([hidden])').waitFor({ timeout: 10_000 });
      expect(await anon.page.locator('#product-name').textContent()).toBe(style.name);
      expect(await anon.page.locator('#composer').isHidden()).toBe(true);
      expect(await anon.page.locator('#signin').isVisible()).toBe(true);
      expect(await anon.page.locator('#reserve-btn').getAttribute('data-action')).toBe('signin');
      await expect.poll(() => anon.page.locator('#signin-store').inputValue(), { timeout: 5000 }).toBe(STORE); // signing in starts at the room's store

      // The member signs in on her phone, under a nickname (offered neutral, never her name).
      const viewer = await open();
      const { page } = viewer;
      await page.goto(`${hq.url}/m/live.html?room=${roomId}&store=${STORE}`);
      await page.locator('#signin:not([hidden])').waitFor({ timeout: 10_000 });
      expect(await page.locator('#nick').inputValue()).toMatch(zh ? /^观众\d{4}$/ : /^Viewer \d{4}$/);
      const nick = zh ? '跑步的小鹿' : 'Trail Fawn';
      await page.locator('#code').fill(member!.code);
      await page.locator('#phone').fill(member!.phone.slice(-4));
      await page.locator('#nick').fill(nick);
      await page.locator('#signin-btn').click();
      await page.locator('#composer:not([hidden])').waitFor({ timeout: 10_000 });
      expect(await page.locator('#signed-in-text').textContent()).toContain(nick);
      expect(await page.locator('#signin').isHidden()).toBe(true);

      // A comment: on both screens, by nickname.
      const said = zh ? '这双颜色太好看了！' : 'Love this colour!';
      await page.locator('#comment-text').fill(said);
      await page.locator('#comment-send').click();
      for (const p of [page, anon.page]) {
        const c = p.locator('#comment-list li.comment', { hasText: said });
        await c.waitFor({ timeout: 10_000 });
        expect(await c.locator('.nick').textContent()).toBe(nick);
      }

      // Reactions: sent, then counted for everyone (the room's counts, never one frame each).
      for (let i = 0; i < 3; i++) await page.locator('.react[data-kind="fire"]').click();
      await expect.poll(() => anon.page.locator('.react[data-kind="fire"]').textContent(), { timeout: 10_000 }).toMatch(/ [1-9]\d*$/);

      // A question: hers, waiting; the host answers in writing; everyone sees the answer.
      const question = zh ? `${line.size} 码偏大还是偏小？` : `Does EU ${line.size} run large?`;
      await page.locator('#ask-text').fill(question);
      await page.locator('#ask-send').click();
      const mine = page.locator('#question-list li.question.mine', { hasText: question });
      await mine.waitFor({ timeout: 10_000 });
      expect(await mine.getAttribute('data-status')).toBe('open');
      expect(await anon.page.locator('#question-list li.question', { hasText: question }).count()).toBe(0);
      const asked = (await hq.store.read((r) => r.live.questionsOfRoom(roomId))).find((q) => q.text === question)!;
      const answer = zh ? '正常码，按平时的尺码买就好。' : 'True to size.';
      await host.command('live.answer', { roomId, questionId: asked.id, onAir: true, answer });
      await expect.poll(() => mine.getAttribute('data-status'), { timeout: 10_000 }).toBe('answered');
      expect(await mine.locator('.q-answer').textContent()).toContain(answer);
      await anon.page.locator('#question-list li.question[data-status="answered"]', { hasText: answer }).waitFor({ timeout: 10_000 });

      // A poll: she votes, the other screen's results move.
      const pollId = randomUUID();
      await host.command('live.poll', { roomId, pollId, question: zh ? '您最喜欢哪个配色？' : 'Which colourway?', options: zh ? ['黑白', '荧光绿', '雾霾蓝'] : ['Black/white', 'Volt', 'Haze blue'] });
      const option = page.locator(`li.poll[data-poll-id="${pollId}"] button.option[data-option="1"]`);
      await option.waitFor({ timeout: 10_000 });
      await option.click();
      await expect.poll(() => anon.page.locator(`li.poll[data-poll-id="${pollId}"] .option[data-option="1"] .count`).textContent(), { timeout: 10_000 }).toMatch(/^1 · 100%$/);
      await expect.poll(() => page.locator(`li.poll[data-poll-id="${pollId}"] .option[data-option="1"]`).getAttribute('data-mine')).toBe('true');

      // Slow mode: a comment right after her last one is refused, readably, and given back to edit.
      await host.command('live.update', { roomId, slowModeSec: 60 });
      await page.locator('#slow:not([hidden])').waitFor({ timeout: 10_000 });
      const slowText = zh ? /慢速/ : /Slow mode/;
      const comment = async (text: string) => {
        await page.locator('#comment-text').fill(text);
        await page.locator('#comment-send').click();
      };
      await comment(zh ? '第一条' : 'first');
      // Her earlier comment may be within the minute already: then this one is the refused one.
      await expect
        .poll(async () => (await page.locator('#comment-list li.comment', { hasText: zh ? '第一条' : 'first' }).count()) > 0 || slowText.test((await page.locator('#comment-error').textContent()) ?? ''), { timeout: 10_000 })
        .toBe(true);
      if (!slowText.test((await page.locator('#comment-error').textContent()) ?? '')) await comment(zh ? '第二条' : 'second');
      await expect.poll(() => page.locator('#comment-error').textContent(), { timeout: 10_000 }).toMatch(slowText);
      expect(await page.locator('#comment-text').inputValue()).toMatch(zh ? /^第[一二]条$/ : /^(first|second)$/);
      await page.locator('#comment-text').fill('');
      await host.command('live.update', { roomId, slowModeSec: 0 });

      // "Reserve my size" at another store she chooses: its stock, then the hold there.
      await page.locator('#store-select').selectOption(other.id);
      await expect.poll(() => page.locator('#product-sizes').textContent(), { timeout: 10_000 }).toContain(other.name);
      expect(await page.locator('#product-sizes').textContent()).toContain(String(line.size));
      await page.locator('#reserve-btn[data-action="reserve"]').click();
      await page.locator('#color-select').selectOption(line.color);
      await page.locator('#size-select').selectOption(String(line.size));
      await page.locator('#reserve-confirm').click();
      const result = page.locator('#reserve-result[data-ok="true"]');
      await result.waitFor({ timeout: 10_000 });
      expect(await result.textContent()).toContain(other.name);
      expect(await result.textContent()).toContain(zh ? '会等您到店' : 'expect you');
      const holds = await hq.store.read((r) => r.holds.activeHoldsOfMember(member!.id));
      expect(holds).toHaveLength(1);
      expect(holds[0]).toMatchObject({ storeId: other.id, styleId: style.id, color: line.color, size: line.size });
      const expected = await hq.store.read((r) => r.expected.openOfMember(member!.id));
      expect(expected.find((e) => e.holdId === holds[0]!.id)).toMatchObject({ storeId: other.id, source: { kind: 'live', id: roomId } });

      // The lottery among those who commented: she wins, and is told so.
      const lotteryId = randomUUID();
      await host.command('live.draw', { roomId, lotteryId, prize: zh ? '限量鞋带' : 'Limited laces', eligibility: 'commented', winners: 1 });
      await page.locator('#won:not([hidden])').waitFor({ timeout: 10_000 });
      expect(await page.locator('#won').textContent()).toContain(zh ? '限量鞋带' : 'Limited laces');
      const drawn = anon.page.locator(`li.lottery[data-lottery-id="${lotteryId}"]`);
      await drawn.waitFor({ timeout: 10_000 });
      expect(await drawn.locator('.winner').allTextContents()).toEqual([nick]);
      expect(await anon.page.locator('#won').isHidden()).toBe(true);
      // "Check the draw": the audit recomputed in the anonymous viewer's browser matches.
      await drawn.locator('button.check').click();
      await drawn.locator('.check-result[data-ok="true"]').waitFor({ timeout: 10_000 });
      expect(await drawn.locator('.check-result').textContent()).toContain(zh ? '一致' : 'match');

      // Nothing of a member but nicknames on either screen.
      for (const p of [page, anon.page]) {
        const text = (await p.locator('body').textContent()) ?? '';
        expect(text).not.toContain(member!.name);
        expect(text).not.toContain(member!.id);
        expect(text).not.toContain(member!.phone);
      }
      await page.screenshot({ path: shotPath(`live-viewer-${zh ? 'zh' : 'en'}.png`), fullPage: true });
      await anon.page.screenshot({ path: shotPath(`live-viewer-anon-${zh ? 'zh' : 'en'}.png`), fullPage: true });

      // The room ends: writing closes, what was durable stays readable.
      await host.command('live.state', { roomId, state: 'ended' });
      await expect.poll(() => anon.page.locator('#room-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
      await expect.poll(() => page.locator('#composer').isHidden(), { timeout: 10_000 }).toBe(true);
      expect(await page.locator('#ask').isHidden()).toBe(true);
      expect(await anon.page.locator('#room-when').textContent()).toContain(zh ? '仍可查看' : 'stay readable');
      expect(await anon.page.locator(`li.lottery[data-lottery-id="${lotteryId}"]`).count()).toBe(1);
      // A fresh anonymous reader after the end still gets the answered question and the draw.
      const late = await open();
      await late.page.goto(`${hq.url}/m/live.html?room=${roomId}`);
      await late.page.locator('#room:not([hidden])').waitFor({ timeout: 10_000 });
      await late.page.locator('#question-list li.question[data-status="answered"]', { hasText: answer }).waitFor({ timeout: 10_000 });
      expect(await late.page.locator('#signin').isHidden()).toBe(true);

      expect([...entry.errors, ...anon.errors, ...viewer.errors, ...late.errors]).toEqual([]);
    });
  });
}
