// The member-side assistant in real Chromium: a member asks HQ's member page (/m/) about a demo
// style in their size — the assistant answers with the pairs in stock (the stock rows less holds,
// read back here from HQ) and is labelled as the assistant — then taps 转人工 / Talk to a clerk; the
// clerk's desk (web shell) marks the conversation and shows the hand-over banner with the question.
// Screenshots: docs/screenshots/assistant-member-*.png and assistant-desk-*.png (FOOTFALL_SHOTS_DIR).
import { afterEach, describe, expect, it } from 'vitest';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

describe('the member-side assistant (browser)', () => {
  for (const lang of ['zh-CN', 'en'] as const) {
    const zh = lang === 'zh-CN';
    it(`answers a stock question and hands over to the desk (${lang})`, async () => {
      stack = await startStack({ locale: zh ? 'zh-CN' : 'en-US' });
      const { page: desk, hq } = stack;
      const member = (await hq.store.read((r) => r.listHomeMembers(STORE)))[0]!;
      // A style and size with pairs free at this store, and how many (stock less active holds).
      const { style, size, pairs } = await hq.store.read(async (r) => {
        const styles = await r.listStyles();
        const lines = await r.stockForStore(STORE);
        for (const st of styles) {
          const held = (await r.holds.heldOfStyle(st.id)).filter((h) => h.storeId === STORE);
          for (const l of lines.filter((x) => x.styleId === st.id)) {
            const free = lines.filter((x) => x.styleId === st.id && x.size === l.size).reduce((n, x) => n + x.qty - (held.find((h) => h.color === x.color && h.size === x.size)?.held ?? 0), 0);
            if (free > 0) return { style: st, size: l.size, pairs: free };
          }
        }
        throw new Error('no stock in the demo store');
      });

      const { visitId } = await stack.arrive(member.id);
      await desk.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      await desk.locator(`.chat-open[data-member-id="${member.id}"]`).waitFor();

      const context = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, locale: zh ? 'zh-CN' : 'en-US' });
      const phone = await context.newPage();
      phone.on('pageerror', (e) => console.error('member page error:', e.message));
      await phone.goto(`${hq.url}/m/?store=${STORE}`);
      await phone.locator('#code').fill(member.code);
      await phone.locator('#phone').fill(member.phone.slice(-4));
      await phone.locator('#login-btn').click();
      await phone.locator('#store-status[data-online="true"]').waitFor({ timeout: 5000 });

      await phone.locator('#text').fill(zh ? `${style.name} 有${size}码吗？` : `Is ${style.name} in stock in size ${size}?`);
      await phone.locator('#send').click();
      const answer = phone.locator('li.msg.them.assistant').first();
      await answer.waitFor({ timeout: 5000 });
      expect(await answer.locator('.bubble').textContent()).toContain(zh ? `现有 ${pairs} 双` : `${pairs} pair(s) in stock`);
      expect(await answer.locator('.meta').textContent()).toContain(zh ? '智能助手' : 'Assistant');

      await phone.locator('#ask-clerk').click();
      await phone.locator('li.msg.them.assistant').nth(1).waitFor({ timeout: 5000 });
      expect(await phone.locator('li.msg.them.assistant').nth(1).textContent()).toContain(zh ? '转接店员' : 'asked a clerk');
      await phone.screenshot({ path: shotPath(`assistant-member-${lang}.png`) });

      // The desk: the conversation is marked, the banner says why and quotes the question.
      const banner = desk.locator('[data-testid="handover-banner"]');
      await banner.waitFor({ timeout: 5000 });
      expect(await banner.getAttribute('data-reason')).toBe('asked');
      expect(await banner.textContent()).toContain(zh ? '助手已转人工' : 'The assistant handed over');
      await desk.locator(`.chat-conv[data-member-id="${member.id}"][data-handover="waiting"]`).waitFor({ timeout: 5000 });
      expect(await desk.locator('.chat-msg.is-assistant .chat-by').first().textContent()).toBe(zh ? '智能助手' : 'Assistant');
      await desk.screenshot({ path: shotPath(`assistant-desk-${lang}.png`) });

      // The clerk answers: the banner goes.
      await desk.locator('#chat-input').fill(zh ? '您好，我来为您服务' : "Hi, I'm here to help");
      await desk.keyboard.press('Enter');
      await banner.waitFor({ state: 'detached', timeout: 5000 });
      await phone.locator('li.msg.them:not(.assistant)').first().waitFor({ timeout: 5000 });
      await context.close();
    });
  }
});
