// Assisted selling in a real Chromium (7/8 attribution): the manager's review shows the
// 导购建议 / Assisted selling panel — visits with suggestions, suggestions and add-ons shown, the
// clerks' marks, and the sales (and revenue) that followed a suggestion, an add-on or a product card
// sent in chat, attributed by HQ when the purchases were ingested; and the member page's
// 我的授权 / My choices, three switches that change the member's consents at HQ.
// Screenshots: assist-manager-{en,zh-CN}.png, assist-consents-{en,zh-CN}.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import { type MemberRecord } from '../../hq/ports/store.ts';
import { waitFor } from '../support/waitFor.ts';
import { CHROMIUM, DEMO_CLERK, DEMO_MANAGER, shotPath, STORE, type Stack, startStack } from './stack.ts';

let stack: Stack;
let buyer: MemberRecord;

const ingestMember = (m: MemberRecord, purchases: unknown[]) => ({
  id: m.id,
  code: m.code,
  name: m.name,
  nameEn: m.nameEn,
  tier: m.tier,
  phone: m.phone,
  homeStoreId: m.homeStoreId,
  sizes: m.sizes,
  preferences: m.preferences,
  points: m.points,
  joinedAt: m.joinedAt,
  birthday: m.birthday,
  consents: m.consents,
  purchases,
});

beforeAll(async () => {
  stack = await startStack({ clerk: null, viewport: { width: 1280, height: 1100 } });
  const { core, hq } = stack;
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  buyer = (await hq.store.read((r) => r.getMember(stack.members[0]!)))!;
  const styles = (await hq.store.read((r) => r.listStyles())).filter((s) => s.category !== 'kids');
  const [shoe, second] = [styles[0]!, styles[1]!];
  // The chat card's style: in stock here but not in her size, so no next best action suggests it (a
  // suggestion shown would take the sale before the card).
  const stock = await hq.store.read((r) => r.stockForStore(STORE));
  const inStock = (id: string, size?: number) => stock.some((l) => l.styleId === id && l.qty > 0 && (size === undefined || l.size === size));
  const carded = styles.find((s) => s !== shoe && s !== second && inStock(s.id) && !inStock(s.id, buyer.sizes.eu)) ?? styles[2]!;

  // She walks in; 王芳 claims her visit.
  const { visitId } = await stack.arrive(buyer.id);
  await waitFor(async () => Boolean(await core.getVisit(visitId)), 10_000, 'arrival in the cache');
  expect((await core.signIn(DEMO_CLERK.id, DEMO_CLERK.pin)).ok).toBe(true);
  await core.claimVisit(visitId);
  // What the card suggested (as the arrival records the next best action once HQ builds it) and the
  // clerk's marks on it, written through the store port: the desk's marking UI is another part's.
  const at = Date.now();
  const by = { deviceId: 'd-e2e', deviceName: 'Counter 1', clerkId: DEMO_CLERK.id, clerkName: '王芳' };
  await hq.store.withTx(async (tx) => {
    await tx.assist.putShown([
      { storeId: STORE, visitId, memberId: buyer.id, styleId: shoe.id, role: 'style', at },
      { storeId: STORE, visitId, memberId: buyer.id, styleId: second.id, role: 'style', at },
      { storeId: STORE, visitId, memberId: buyer.id, styleId: 'acc-run-socks', role: 'addon', at },
    ]);
    await tx.assist.putMark({ storeId: STORE, visitId, memberId: buyer.id, styleId: shoe.id, role: 'style', verdict: 'used', by, at });
    await tx.assist.putMark({ storeId: STORE, visitId, memberId: buyer.id, styleId: 'acc-run-socks', role: 'addon', verdict: 'used', by, at });
    await tx.assist.putMark({ storeId: STORE, visitId, memberId: buyer.id, styleId: second.id, role: 'style', verdict: 'not_relevant', by, at });
  });
  // The clerk sends her a product card in chat (the real desk path).
  await core.sendMessage(buyer.id, { kind: 'product', styleId: carded.id });
  await waitFor(async () => (await core.getConnection()).queued === 0, 10_000, 'card sent');
  await core.closeVisit(visitId, 'purchased');
  await waitFor(async () => (await core.getConnection()).queued === 0, 10_000, 'outbox drained');
  await core.signOut();

  // The till's purchases reach HQ through the integration: each attributed once.
  const purchase = (id: string, styleId: string, name: string, category: string, price: number) => ({
    id,
    styleId,
    styleName: name,
    category,
    color: 'BLK',
    size: buyer.sizes.eu,
    storeId: STORE,
    at: Date.now(),
    price,
  });
  const res = await fetch(`${hq.url}/v1/ingest/members`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': hq.integrationKey },
    body: JSON.stringify([
      ingestMember(buyer, [
        purchase('e2e-assist-1', shoe.id, shoe.name, shoe.category, 89900),
        purchase('e2e-assist-2', 'acc-run-socks', 'Run socks', shoe.category, 5900),
        purchase('e2e-assist-3', carded.id, carded.name, carded.category, 69900),
        purchase('e2e-assist-4', second.id, second.name, second.category, 59900), // marked not relevant
      ]),
    ]),
  });
  expect(res.status).toBe(200);
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe('the manager’s review of assisted selling', () => {
  it('shows the panel with what was suggested, marked and sold, in English and in Chinese', async () => {
    const { page } = stack;
    await page.locator(`[data-clerk="${DEMO_MANAGER.id}"]`).click();
    await page.locator('#signin-pin').fill(DEMO_MANAGER.pin);
    await page.locator('.signin-form button[type="submit"]').click();
    await page.locator('.nav-manager').click();
    const panel = page.locator('.assist-panel[data-assist="hq"]');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('h2').textContent()).toBe('Assisted selling');
    const figure = (key: string) => panel.locator(`[data-assist-figure="${key}"] dd`).textContent();
    expect(await figure('visits')).toBe('1');
    expect(Number(await figure('shown'))).toBeGreaterThanOrEqual(2);
    expect(Number(await figure('addons'))).toBeGreaterThanOrEqual(1);
    expect(await figure('used')).toBe('2');
    expect(await figure('not-relevant')).toBe('1');
    const row = (source: string) => panel.locator(`tr[data-assist-source="${source}"]`).textContent();
    expect(await row('suggestion')).toMatch(/Suggested styles\s*1\s*CN¥899/);
    expect(await row('addon')).toMatch(/Add-ons\s*1\s*CN¥59/);
    expect(await row('chat_card')).toMatch(/Product cards in chat\s*1\s*CN¥699/);
    expect(await row('total')).toMatch(/Total\s*3\s*CN¥1,657/);
    await page.locator('.manager').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shotPath('assist-manager-en.png'), fullPage: true });

    await page.evaluate(() => localStorage.setItem('footfall.locale', 'zh-CN'));
    await page.reload();
    await page.locator('.nav-manager').click();
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.locator('h2').textContent()).toBe('导购建议');
    expect(await row('chat_card')).toMatch(/聊天商品卡\s*1\s*¥699/);
    expect(await row('total')).toMatch(/合计\s*3\s*¥1,657/);
    await page.locator('.manager').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shotPath('assist-manager-zh-CN.png'), fullPage: true });
  });
});

describe('the member’s choices on the member page', () => {
  for (const lang of ['zh-CN', 'en-US']) {
    it(`three switches, each with its purpose, that change the consents at HQ (${lang})`, async () => {
      const zh = lang === 'zh-CN';
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: lang });
        const page: Page = await ctx.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const member = (await stack.hq.store.read((r) => r.getMember(stack.members[zh ? 1 : 2]!)))!;
        await page.goto(`${stack.hq.url}/m/?store=${STORE}`);
        await page.locator('#code').fill(member.code);
        await page.locator('#phone').fill(member.phone.slice(-4));
        await page.locator('#login-btn').click();
        const choices = page.locator('#my-choices:not([hidden])');
        await choices.waitFor({ timeout: 10_000 });
        await page.locator('#my-choices-title').click();
        expect(await page.locator('#my-choices-title').textContent()).toBe(zh ? '我的授权' : 'My choices');
        const sw = (purpose: string) => page.locator(`#choice-${purpose}`);
        for (const purpose of ['personalization', 'marketing', 'contact']) {
          expect(await sw(purpose).isChecked()).toBe(member.consents[purpose as keyof typeof member.consents]);
          expect((await page.locator(`#choice-${purpose}-hint`).textContent())!.length).toBeGreaterThan(10);
        }
        expect(await page.locator('#choice-personalization-hint').textContent()).toContain(zh ? '尺码和购买记录' : 'your size and what you bought');

        // Turning personalisation off (or on) takes at HQ at once.
        const was = member.consents.personalization;
        await sw('personalization').click();
        await expect.poll(() => page.locator('#choices-status').getAttribute('data-state')).toBe('saved');
        expect(await sw('personalization').isChecked()).toBe(!was);
        await expect.poll(async () => (await stack.hq.store.read((r) => r.getMember(member.id)))!.consents.personalization).toBe(!was);
        // Make the screenshot show one of each: personalisation off, contact on.
        if (!was) await sw('personalization').click();
        await expect.poll(async () => (await stack.hq.store.read((r) => r.getMember(member.id)))!.consents.personalization).toBe(false);
        if (!(await sw('contact').isChecked())) await sw('contact').click();
        await expect.poll(async () => (await stack.hq.store.read((r) => r.getMember(member.id)))!.consents.contact).toBe(true);
        await page.locator('#my-choices').scrollIntoViewIfNeeded();
        await page.screenshot({ path: shotPath(`assist-consents-${zh ? 'zh-CN' : 'en'}.png`) });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }
});
