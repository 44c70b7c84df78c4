// The Live pane's host console in a real Chromium through the web shell, against a real HQ (with its
// room socket) and a real desk core, in both languages: the clerk schedules a room from the form and
// goes live; viewers on plain `ws` clients (three signed-in members, one reader) join — the live
// viewer count shows — and comment, and their comments flow into the console; the host comments and
// deletes a viewer's comment (gone at the viewers too); questions arrive in the queue and are
// answered on air and in writing; a noisy viewer is muted from their comment (by its ref, which
// only the console gets) and HQ refuses their next one; a poll runs with live bars; a lottery among commenters is drawn
// and its winner shown with the audit link; a product and a message are pinned, and a viewer's
// reservation of their size shows as it comes in; ended, the room shows HQ's summary. Screenshots of the
// console at 1280×800 (docs/screenshots/live-console-*.png with FOOTFALL_SHOTS_DIR=docs/screenshots).
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { LiveViewer } from '../support/liveViewer.ts';
import { MemberClient } from '../support/memberClient.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
const viewers: LiveViewer[] = [];
afterEach(async () => {
  for (const v of viewers.splice(0)) v.close();
  await stack?.close();
  stack = null;
});

/** No element of the pane reaches past its right edge (nothing scrolls sideways). */
async function overflowsSideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pane = document.querySelector('.live-pane')!;
    const right = pane.getBoundingClientRect().right + 1;
    return [...pane.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > right && el.getBoundingClientRect().width > 0)
      .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`)
      .slice(0, 5);
  });
}

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  const c = zh ? zhCN : en;

  describe(`live console (browser, ${lang})`, () => {
    it('schedules a room, goes live, hosts it (comments, delete, questions, a poll, a lottery, the pin, a reservation) and ends it with the summary', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 800 } });
      const { page, hq, core } = stack;
      // A visit first: the desk has a profile whose suggestions the product pin offers.
      await stack.arrive(stack.members[0]!);
      await expect.poll(async () => (await core.getMember(stack!.members[0]!))?.recommendations.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);

      // Schedule the room from the form.
      await page.locator('[data-action="open-live"]').click();
      await page.locator('.live-pane').waitFor();
      await page.locator('[data-action="new-room"]').click();
      const form = page.locator('.live-create');
      const title = zh ? '春季跑鞋新品发布' : 'Spring runners launch';
      await form.locator('input[name="title"]').fill(title);
      await form.locator('textarea[name="description"]').fill(zh ? '新款缓震跑鞋首发，直播间专享预留。' : 'New cushioned runners: reserve your size from the stream.');
      await form.locator('input[name="streamUrl"]').fill('https://video.example/spring-launch');
      await form.locator('[data-action="create-room"]').click();
      await expect.poll(async () => (await core.listLiveRooms()).map((r) => r.sync), { timeout: 10_000 }).toEqual([null]);
      const roomId = (await core.listLiveRooms())[0]!.id;
      const consoleEl = page.locator(`.live-console[data-room-id="${roomId}"]`);
      await consoleEl.waitFor();
      expect(await page.locator('.live-link code').textContent()).toBe((await core.listLiveRooms())[0]!.link);

      // Go live.
      await consoleEl.locator('[data-action="go-live"]').click();
      await page.locator(`.live-console[data-room-id="${roomId}"][data-state="live"]`).waitFor({ timeout: 10_000 });
      await expect.poll(async () => (await core.getLiveConsole(roomId)).room.sync, { timeout: 10_000 }).toBeNull();

      // Viewers join: three signed-in members and one reader; the count shows (the console's own socket is no viewer).
      const nicks = zh ? ['晨跑小王', '阿杰', '小美'] : ['RunnerWang', 'Jay', 'Mei'];
      const members = await Promise.all(stack.members.slice(0, 3).map((id) => MemberClient.viaIntegration(hq.url, hq.integrationKey, STORE, id)));
      for (const [i, m] of members.entries()) viewers.push(await LiveViewer.join(hq.url, roomId, m.session.token, nicks[i]));
      viewers.push(await LiveViewer.join(hq.url, roomId));
      const [wang, jay, mei, reader] = viewers as [LiveViewer, LiveViewer, LiveViewer, LiveViewer];
      await expect.poll(() => page.locator('.live-viewers').getAttribute('data-viewers'), { timeout: 10_000 }).toBe('4');

      // Comments flow in.
      const lines = zh ? ['黑色好看！', '有宽楦版本吗？', '什么时候到店？', '这个价格有优惠吗'] : ['The black one looks great!', 'Is there a wide fit?', 'When is it in store?', 'Any discount on this price?'];
      wang.comment(lines[0]!);
      jay.comment(lines[1]!);
      mei.comment(lines[2]!);
      jay.comment(lines[3]!);
      for (const line of lines) await consoleEl.locator('.live-comment', { hasText: line }).waitFor({ timeout: 10_000 });

      // The host comments; viewers see it as the host's.
      const hostLine = zh ? '欢迎大家！黑白两色今天都有货。' : 'Welcome! Black and white are both in stock today.';
      await consoleEl.locator('input[name="hostComment"]').fill(hostLine);
      await consoleEl.locator('[data-action="host-comment"]').click();
      await consoleEl.locator('.live-comment-host', { hasText: hostLine }).waitFor({ timeout: 10_000 });
      await expect.poll(() => reader.comments().some((x) => x.text === hostLine && x.host), { timeout: 10_000 }).toBe(true);

      // Delete a comment: gone at the console and at the viewers.
      const spam = zh ? '加微信买便宜货' : 'cheap pairs, DM me';
      mei.comment(spam);
      const spamRow = consoleEl.locator('.live-comment', { hasText: spam });
      await spamRow.waitFor({ timeout: 10_000 });
      const spamId = (await spamRow.getAttribute('data-comment-id'))!;
      await spamRow.hover();
      await spamRow.locator('[data-action="delete-comment"]').click();
      await expect.poll(() => spamRow.count(), { timeout: 10_000 }).toBe(0);
      await expect.poll(() => reader.frames.some((f) => f.t === 'deleted' && f.ids.includes(spamId)), { timeout: 10_000 }).toBe(true);

      // Questions: the queue; one answered on air, one in writing.
      const q1 = zh ? '38码偏大还是偏小？' : 'Does 38 run large or small?';
      const q2 = zh ? '可以在南京路店试穿吗？' : 'Can I try it at the Nanjing Rd store?';
      const q3 = zh ? '会员有折扣吗？' : 'Is there a member discount?';
      wang.ask(q1);
      jay.ask(q2);
      mei.ask(q3);
      const queue = consoleEl.locator('.live-questions');
      await queue.locator('.live-question', { hasText: q3 }).waitFor({ timeout: 10_000 });
      await queue.locator('.live-question', { hasText: q1 }).locator('[data-action="answer-on-air"]').click();
      await queue.locator('.live-question-answered', { hasText: q1 }).waitFor({ timeout: 10_000 });
      const q2Row = queue.locator('.live-question', { hasText: q2 });
      await q2Row.locator('[data-action="answer-writing"]').click();
      await q2Row.locator('input[name="answer"]').fill(zh ? '可以，到店报直播间预留即可。' : 'Yes — mention your reservation at the counter.');
      await q2Row.locator('[data-action="send-answer"]').click();
      await queue.locator('.live-question-answered', { hasText: q2 }).waitFor({ timeout: 10_000 });
      expect(await queue.locator('.live-question-answered', { hasText: q1 }).textContent()).toContain(c['live.answeredOnAir']);

      // Mute from a comment: the console names its author by their per-room ref (host consoles
      // only get it), the clerk picks 10 minutes; every comment of theirs says so, the queue's list
      // names them, and HQ refuses their next comment. The reader never saw a ref.
      const noisy = zh ? '快上链接！！！' : 'Link please!!!';
      jay.comment(noisy);
      const noisyRow = consoleEl.locator('.live-comment', { hasText: noisy });
      await noisyRow.waitFor({ timeout: 10_000 });
      await noisyRow.hover();
      const menu = noisyRow.locator('[data-action="mute-commenter"]');
      expect(await menu.locator('option').allTextContents()).toEqual([c['live.mute'], c['live.mute.10m'], c['live.mute.1h'], c['live.mute.24h']]);
      await menu.selectOption('10');
      await consoleEl.locator('.live-comment[data-muted="muted"]', { hasText: noisy }).waitFor({ timeout: 10_000 });
      // Jay's three comments (two earlier, this one), nobody else's.
      await expect.poll(() => consoleEl.locator('.live-comment[data-muted="muted"]').count(), { timeout: 10_000 }).toBe(3);
      expect(await consoleEl.locator('.live-comment[data-muted="muted"]', { hasText: lines[0]! }).count()).toBe(0);
      expect(await queue.locator('[data-action="unmute"]').textContent()).toContain(nicks[1]);
      const mutes = (await core.getLiveConsole(roomId)).mutes;
      expect(mutes).toEqual([expect.objectContaining({ memberId: stack.members[1], nickname: nicks[1], ref: expect.stringMatching(/^[0-9a-f]{16}$/) })]);
      jay.comment(zh ? '我还能说话吗？' : 'Can I still talk?');
      await expect.poll(() => jay.frames.some((f) => f.t === 'refused' && f.code === 'muted'), { timeout: 10_000 }).toBe(true);
      expect(reader.comments().filter((x) => 'ref' in x)).toEqual([]);

      // A poll with live bars.
      const polls = consoleEl.locator('.live-polls');
      await polls.locator('input[name="pollQuestion"]').fill(zh ? '你更喜欢哪个配色？' : 'Which colour do you prefer?');
      await polls.locator('input[name="pollOption0"]').fill(zh ? '经典黑' : 'Classic black');
      await polls.locator('input[name="pollOption1"]').fill(zh ? '云朵白' : 'Cloud white');
      await polls.locator('[data-action="open-poll"]').click();
      await expect.poll(async () => (await core.getLiveConsole(roomId)).polls[0]?.pending, { timeout: 10_000 }).toBeNull();
      const pollId = (await core.getLiveConsole(roomId)).polls[0]!.id;
      wang.send({ t: 'vote', pollId, option: 0 });
      jay.send({ t: 'vote', pollId, option: 0 });
      mei.send({ t: 'vote', pollId, option: 1 });
      await expect.poll(() => polls.locator('.live-bar[data-option="0"]').getAttribute('data-count'), { timeout: 10_000 }).toBe('2');
      await expect.poll(() => polls.locator('.live-bar[data-option="1"]').getAttribute('data-count'), { timeout: 10_000 }).toBe('1');

      // A lottery among commenters; the winner is shown with the audit link.
      const lottery = consoleEl.locator('.live-lotteries');
      await lottery.locator('input[name="prize"]').fill(zh ? '限量版跑步袜' : 'Limited-edition running socks');
      await lottery.locator('select[name="eligibility"]').selectOption('commented');
      await lottery.locator('[data-action="draw"]').click();
      const drawn = lottery.locator('.live-lottery[data-lottery-id]');
      await drawn.waitFor({ timeout: 10_000 });
      expect(Number(await drawn.locator('.live-winners').getAttribute('data-winners'))).toBe(1);
      const winner = (await core.getLiveConsole(roomId)).lotteries[0]!.winners[0]!.nickname;
      expect(nicks).toContain(winner);
      // The audit link: HQ's public route (test/integration/desk-live.test.ts recomputes the draw from it).
      const lotteryId = (await core.getLiveConsole(roomId)).lotteries[0]!.id;
      const audit = await drawn.locator('[data-action="audit"]').getAttribute('href');
      expect(audit).toBe(`${hq.url}/v1/live/rooms/${roomId}/lotteries/${lotteryId}/audit`);
      expect((await fetch(audit!)).status).toBe(200);

      // Pin a product of the catalog and a message.
      const pin = consoleEl.locator('.live-pin');
      await expect.poll(() => pin.locator('select[name="pinStyle"] option').count(), { timeout: 10_000 }).toBeGreaterThan(1);
      const styleId = await pin.locator('select[name="pinStyle"] option').nth(1).getAttribute('value');
      await pin.locator('select[name="pinStyle"]').selectOption(styleId!);
      const pinned = zh ? '直播间专享：预留你的尺码，到店试穿。' : 'Stream only: reserve your size and try it in store.';
      await pin.locator('input[name="pinMessage"]').fill(pinned);
      await pin.locator('[data-action="pin-message"]').click();
      await expect.poll(() => consoleEl.locator('[data-pinned-message]').textContent(), { timeout: 10_000 }).toContain(pinned);
      await expect.poll(async () => (await core.getLiveConsole(roomId)).room, { timeout: 10_000 }).toMatchObject({ pinnedStyleId: styleId, pinnedMessage: pinned, sync: null });

      // A viewer reserves their size of the pinned product at the store: the console shows the hold as it comes in.
      const card = ((await (await fetch(`${hq.url}/v1/live/rooms/${roomId}/product?store=${STORE}`)).json()) as { card: { colors: { code: string }[]; sizes: { size: number }[] } }).card;
      let reserved = false;
      for (const color of card.colors) {
        for (const { size } of card.sizes) {
          if (reserved) break;
          const res = await members[0]!.http('/v1/member/holds', { body: { clientId: `live-hold-${color.code}-${size}`, styleId, color: color.code, size, source: { kind: 'live', id: roomId } } });
          reserved = res.status < 300;
        }
      }
      expect(reserved).toBe(true);
      await consoleEl.locator('.live-hold').waitFor({ timeout: 10_000 });
      expect(await consoleEl.locator('.live-holds .live-count').textContent()).toBe('1');

      // The screenshot the docs show, at 1280×800: the tool columns from their tops, a few reactions counted.
      wang.send({ t: 'react', kind: 'like' });
      jay.send({ t: 'react', kind: 'fire' });
      await page.locator('.live-reactions').waitFor({ timeout: 10_000 });
      await page.evaluate(() => document.querySelectorAll('.live-tools').forEach((el) => (el.scrollTop = 0)));
      expect(await overflowsSideways(page)).toEqual([]);
      // The pointer on Wang's comment: its mute and delete at hand.
      await consoleEl.locator('.live-comment', { hasText: lines[0]! }).hover();
      await page.screenshot({ path: shotPath(`live-console-${zh ? 'zh' : 'en'}.png`) });

      // End the room (after the clerk confirms): the console shows HQ's summary for the manager.
      page.once('dialog', (d) => void d.accept());
      await consoleEl.locator('[data-action="end-live"]').click();
      await page.locator(`.live-console[data-room-id="${roomId}"][data-state="ended"]`).waitFor({ timeout: 10_000 });
      const summary = page.locator('.live-summary');
      await summary.waitFor({ timeout: 10_000 });
      const cell = (label: string) => summary.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
      expect(await cell(c['live.sum.questions']).textContent()).toBe('3');
      expect(await cell(c['live.sum.answered']).textContent()).toBe('2');
      expect(await cell(c['live.sum.holds']).textContent()).toBe('1');
      // The peak counts viewers (three members and the reader), never the console's own socket.
      expect(await cell(c['live.sum.peak']).textContent()).toBe('4');
      expect(await overflowsSideways(page)).toEqual([]);
      await page.screenshot({ path: shotPath(`live-console-summary-${zh ? 'zh' : 'en'}.png`) });
    });
  });
}
