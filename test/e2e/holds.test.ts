// Holds in a real Chromium through the web shell, against a real HQ and real desk cores, in both
// languages: the hold form from a suggestion, the held pair on the size chip, the store's holds
// list, "Other stores" with held pairs subtracted, a request from another store seen and accepted
// here, the chat's "I have put them aside" placing a real hold before the reply goes, and the
// member's own page listing the pair put aside. Screenshots of each screen.
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { pictureRef } from '../../hq/app/pictures/stylePictures.ts';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskCore, enroll } from '../../electron/desk/deskCore.ts';
import { CHROMIUM, shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
const others: DeskCore[] = [];
afterEach(async () => {
  for (const d of others.splice(0)) await d.close();
  await stack?.close();
  stack = null;
});

const OTHER = 'bj-sanlitun';

/** A counter of another store, online, knowing its home members (from its snapshot). */
async function otherStoreCounter(s: Stack): Promise<{ desk: DeskCore; memberId: string }> {
  const e = await enroll(s.hq.url, await s.hq.createEnrollmentCode(OTHER), 'Beijing 1');
  const desk = DeskCore.open({ dbPath: join(s.dir, 'bj.db'), hqUrls: [s.hq.url], token: e.token, reconnect: { minMs: 100, maxMs: 400 } });
  others.push(desk);
  desk.start();
  const memberId = (await s.hq.store.read((r) => r.listHomeMembers(OTHER)))[0]!.id;
  await expect.poll(async () => (await desk.getConnection()).status === 'online' && (await desk.getMember(memberId)) !== null, { timeout: 10_000 }).toBe(true);
  return { desk, memberId };
}

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  const shot = (screen: string) => shotPath(`holds-${screen}-${zh ? 'zh' : 'en'}.png`);

  describe(`holds (browser, ${lang})`, () => {
    it('holds a pair from a suggestion, shows it held, lists it, and shows other stores’ stock', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 860 } });
      const { page, hq } = stack;
      const memberId = stack.members[3]!;
      const { visitId } = await stack.arrive(memberId);
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      const rec = page.locator('.rec').first();
      await rec.waitFor({ timeout: 10_000 });
      const member = (await hq.store.read((r) => r.getMember(memberId)))!;

      // The hold form, from the first suggestion: its style, a colour in stock, the member's size, 3 days.
      await rec.locator('[data-action="hold-style"]').click();
      const form = page.locator('.hold-form');
      await form.waitFor();
      expect(await form.locator('.hold-form-for').textContent()).toContain(member.name);
      expect(await page.locator('#hold-size').inputValue()).toBe(String(member.sizes.eu));
      expect(await page.locator('#hold-days').inputValue()).toBe('3');
      await page.locator('#hold-days').fill('5');
      await page.screenshot({ path: shot('form') });
      await form.locator('[data-action="place-hold"]').click();
      await form.waitFor({ state: 'detached' });

      // HQ has it; the size chip shows the pair held and one fewer available.
      await expect.poll(async () => (await hq.store.read((r) => r.holds.activeHolds(STORE))).length, { timeout: 10_000 }).toBe(1);
      const hold = (await hq.store.read((r) => r.holds.activeHolds(STORE)))[0]!;
      expect(hold).toMatchObject({ member: { id: memberId }, size: member.sizes.eu });
      expect(hold.until - hold.placedAt).toBe(5 * 24 * 60 * 60 * 1000);
      // Its picture is that of the held colour (the demo draws every colourway), not the style's first colour's.
      expect(hold.image).toEqual(pictureRef(drawStylePicture(hold.category!, hold.color)));
      const chip = rec.locator('li.stock-size.is-member-size');
      await expect.poll(() => chip.getAttribute('data-held'), { timeout: 5000 }).toBe('1');
      expect(await chip.locator('.stock-held').textContent()).toBe(zh ? '留1' : '1 held');
      await rec.screenshot({ path: shot('stock-held') });

      // The holds list, from the clerk bar.
      await expect.poll(() => page.locator('[data-action="open-holds"]').textContent()).toBe(zh ? '留货（1）' : 'Holds (1)');
      await page.locator('[data-action="open-holds"]').click();
      const row = page.locator(`.hold-row[data-hold-id="${hold.id}"]`);
      await row.waitFor();
      await expect.poll(() => row.getAttribute('data-sync')).toBe('none');
      expect(await row.locator('.hold-member').textContent()).toContain(member.name);
      expect(await row.locator('.hold-line').textContent()).toBe(zh ? `${hold.styleName} · ${await colorText(page, hold.color, hold.colorName)} · ${hold.size} 码` : `${hold.styleName} · ${await colorText(page, hold.color, hold.colorName)} · EU ${hold.size}`);
      await page.screenshot({ path: shot('list') });
      await page.locator('.holds-panel .holds-head button').click();

      // The desk's member page lists the pair put aside here, and offers a follow-up.
      await page.locator(`[data-open-member-page="${memberId}"]`).first().click();
      const kept = page.locator(`.page-holds li[data-hold-id="${hold.id}"]`);
      await kept.waitFor({ timeout: 10_000 });
      expect(await kept.textContent()).toContain(hold.styleName);
      expect(await page.locator('.member-page .follow-up').count()).toBe(1);
      await page.screenshot({ path: shot('desk-member-page') });
      await page.locator('.member-page-back').click();
      await rec.waitFor();

      // Other stores: this store first with the held pair subtracted, the others by city.
      await rec.locator('[data-action="other-stores"]').click();
      const dialog = page.locator('.other-stores[data-status="ready"]');
      await dialog.waitFor({ timeout: 10_000 });
      const mine = dialog.locator(`tr[data-store-id="${STORE}"]`, { hasText: await colorText(page, hold.color, hold.colorName) });
      expect(await mine.locator('td.is-member-size .stock-held').textContent()).toBe(zh ? '已留 1' : '1 held');
      expect(await dialog.locator('tbody tr').count()).toBeGreaterThan(1);
      const body = await dialog.textContent();
      expect(body).not.toContain(member.name); // stores and counts only
      await page.screenshot({ path: shot('other-stores') });
      // Ask another store to hold the member's size where it has a pair.
      // (The demo data is seeded: Beijing has the member's size of this style.)
      const ask = dialog.locator('[data-action="ask-hold"]').first();
      expect(await ask.count()).toBe(1);
      await ask.click();
      await expect.poll(() => ask.textContent()).toBe(zh ? '已发送请求' : 'Asked');
      await expect.poll(async () => (await hq.store.read((r) => r.holds.requestsOfStore(STORE, 0, 10))).length, { timeout: 10_000 }).toBe(1);
      const asked = (await hq.store.read((r) => r.holds.requestsOfStore(STORE, 0, 10)))[0]!;
      expect(asked).toMatchObject({ fromStoreId: STORE, member: { id: memberId }, size: member.sizes.eu, status: 'pending' });
    });

    it('a request from another store is seen and accepted here; the chat reply places a real hold; the member sees it on their page', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 860 } });
      const { page, hq } = stack;
      const bj = await otherStoreCounter(stack);
      // Beijing asks this store to hold a line it has two pairs of, for a Beijing member.
      const line = (await hq.store.read((r) => r.stockForStore(STORE))).find((l) => l.qty >= 2)!;
      const style = (await hq.store.read((r) => r.listStyles())).find((s) => s.id === line.styleId)!;
      const colorway = style.colors.find((c) => c.code === line.color)!;
      const { requestId } = await bj.desk.requestHold({ memberId: bj.memberId, styleId: style.id, styleName: style.name, color: line.color, colorName: colorway.name, size: line.size, days: 2, toStoreId: STORE, toStoreName: '上海南京西路店' });
      const bjMember = (await hq.store.read((r) => r.getMember(bj.memberId)))!;

      await expect.poll(() => page.locator('.holds-badge').getAttribute('data-to-answer'), { timeout: 10_000 }).toBe('1');
      await page.locator('[data-action="open-holds"]').click();
      const req = page.locator(`.hold-row[data-request-id="${requestId}"]`);
      await req.waitFor();
      expect(await req.locator('.hold-store').textContent()).toBe(zh ? '北京三里屯店 请本店留货' : '北京三里屯店 asks this store to hold');
      expect(await req.locator('.hold-member').textContent()).toContain(bjMember.name);
      const phoneTail = bjMember.phone.slice(-4);
      expect(await req.textContent()).not.toContain(phoneTail);
      await page.screenshot({ path: shot('request') });
      await req.locator('[data-action="accept-request"]').click();
      await expect.poll(() => req.getAttribute('data-status'), { timeout: 10_000 }).toBe('accepted');
      // Beijing hears the answer, with the hold here.
      await expect.poll(async () => (await bj.desk.listHoldRequests())[0]?.status, { timeout: 10_000 }).toBe('accepted');
      const holdId = (await bj.desk.listHoldRequests())[0]!.holdId!;
      await page.locator(`.hold-row[data-hold-id="${holdId}"]`).waitFor();
      await page.screenshot({ path: shot('request-accepted') });
      await page.locator('.holds-panel .holds-head button').click();

      // Chat: a product card sent, then "I have put them aside": the form opens prefilled with that
      // style, and the reply goes once the hold is placed.
      const memberId = stack.members[5]!;
      const member = (await hq.store.read((r) => r.getMember(memberId)))!;
      const { visitId } = await stack.arrive(memberId);
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      const rec = page.locator('.rec').first();
      await rec.waitFor({ timeout: 10_000 });
      const recName = (await rec.locator('.rec-name').textContent())!;
      await rec.locator('[data-action="send-card"]').click();
      await page.locator('.chat-msg[data-kind="product"]').first().waitFor({ timeout: 10_000 });
      await page.locator('[data-quick="chat.quick.hold"]').click();
      const form = page.locator('.hold-form');
      await form.waitFor();
      expect(await page.locator('#hold-style option:checked').textContent()).toBe(recName);
      await form.locator('[data-action="place-hold"]').click();
      await form.waitFor({ state: 'detached' });
      const reply = zh ? '已经在柜台为您留好了。' : 'I have put them aside for you at the counter.';
      await page.locator('.chat-msg[data-kind="text"]', { hasText: reply }).first().waitFor({ timeout: 10_000 });
      await expect.poll(async () => (await hq.store.read((r) => r.holds.activeHoldsOfMember(memberId))).length, { timeout: 10_000 }).toBe(1);

      // The member's own page lists the pair put aside: what, where, until when.
      const phone = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const ctx = await phone.newContext({ viewport: { width: 390, height: 720 }, locale: lang });
        const m = await ctx.newPage();
        await m.goto(`${hq.url}/m/?store=${STORE}`);
        await m.locator('#code').fill(member.code);
        await m.locator('#phone').fill(member.phone.slice(-4));
        await m.locator('#login-btn').click();
        await m.locator('#holds:not([hidden]) .hold').first().waitFor({ timeout: 10_000 });
        expect(await m.locator('#holds-title').textContent()).toBe(zh ? '为您保留的鞋款' : 'Put aside for you');
        expect(await m.locator('#holds .hold').first().textContent()).toContain(recName);
        expect(await m.locator('#holds .hold-where').first().textContent()).toContain('上海南京西路店');
        await m.screenshot({ path: shot('member-page') });
      } finally {
        await phone.close();
      }
    });
  });
}

/** The colour as the desk shows it in this page's language: the catalog's translation, else the catalog's name. */
async function colorText(page: Page, code: string, name: string): Promise<string> {
  const lang = await page.evaluate(() => document.documentElement.lang);
  const catalog: Record<string, string> = lang.startsWith('zh') ? zhCN : en;
  return catalog[`color.${code.toUpperCase()}`] ?? name;
}
