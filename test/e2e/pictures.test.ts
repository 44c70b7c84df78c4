// Style pictures in real Chromium (4/8 part E), on the real stack (an HQ seeded by the demo, which
// draws a picture per category and colour; a desk core; the web shell): suggestions and chat product
// cards show the style's picture from the desk's cache, the member page shows it on the card, a
// style without a picture shows the category placeholder (never a broken image), and with HQ
// stopped a reload still shows every cached picture.
import { afterEach, describe, expect, it } from 'vitest';
import { invalidateCatalog } from '../../hq/app/catalogCache.ts';
import { ProfileBuilder } from '../../hq/app/profiles.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** A home member with at least three suggestions, and the style ids suggested (best first). */
async function memberWithSuggestions(s: Stack): Promise<{ id: string; code: string; phone: string; styles: string[] }> {
  return s.hq.store.read(async (r) => {
    const builder = await ProfileBuilder.load(r, STORE, Date.now());
    for (const m of await r.listHomeMembers(STORE)) {
      const p = await builder.profile(m);
      if (p.recommendations.length >= 3) return { id: m.id, code: m.code, phone: m.phone, styles: p.recommendations.map((x) => x.styleId) };
    }
    throw new Error('no member with three suggestions in the demo data');
  });
}

/** How the browser loaded each suggestion's picture: real pictures (320 wide), placeholders. */
const picturesIn = (s: Stack, selector: string) =>
  s.page.locator(selector).evaluateAll((els) =>
    els.map((e) => (e instanceof HTMLImageElement ? `image:${e.complete ? e.naturalWidth : 0}` : e.getAttribute('data-picture') === 'placeholder' ? 'placeholder' : 'other')),
  );

for (const [locale, lang] of [
  ['zh-CN', 'zh'],
  ['en-US', 'en'],
] as const) {
  describe(`pictures (browser, ${locale})`, () => {
    it('suggestions and product cards show the style picture; a style without one shows the placeholder; offline they stay', async () => {
      stack = await startStack({ locale, viewport: { width: 1360, height: 900 } });
      const s = stack;
      const { page, hq } = s;
      const member = await memberWithSuggestions(s);
      // One suggested style loses its picture at HQ: its card must show the category placeholder.
      const bare = member.styles[member.styles.length - 1]!;
      await hq.store.withTx((tx) => tx.styleImages.remove(bare));
      invalidateCatalog(hq.store);

      const { visitId } = await s.arrive(member.id);
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      const recs = page.locator('.recs li.rec');
      await expect.poll(() => recs.count(), { timeout: 10_000 }).toBe(member.styles.length);
      const expected = member.styles.map((id) => (id === bare ? 'placeholder' : 'image:320'));
      await expect.poll(() => picturesIn(s, '.recs li.rec .style-picture'), { timeout: 10_000 }).toEqual(expected);
      // The screen shows the placeholder among the pictures.
      await page.locator('.recs li.rec .style-picture[data-picture="placeholder"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`pictures-suggestions-${lang}.png`) });

      // The first suggestion goes to the member as a product card: the thread shows its picture.
      await page.locator('.recs li.rec [data-action="send-card"]').first().click();
      const card = page.locator('.chat-msg .chat-product');
      await card.first().waitFor({ timeout: 10_000 });
      await expect.poll(() => picturesIn(s, '.chat-msg .chat-product .style-picture'), { timeout: 10_000 }).toEqual(['image:320']);
      await card.first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`pictures-chat-card-${lang}.png`) });

      // The member's page (HQ's /m/) shows the same picture on the card.
      const context = await s.browser.newContext({ locale, viewport: { width: 400, height: 720 } });
      const phone = await context.newPage();
      phone.on('pageerror', (e) => console.error('member page error:', e.message));
      await phone.goto(`${hq.url}/m/?store=${STORE}`);
      await phone.locator('#code').fill(member.code);
      await phone.locator('#phone').fill(member.phone.slice(-4));
      await phone.locator('#login-btn').click();
      const memberCard = phone.locator('li.msg.them .card img.product-picture');
      await memberCard.waitFor({ timeout: 10_000 });
      await expect.poll(() => memberCard.evaluate((e) => (e as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(320);
      await phone.screenshot({ path: shotPath(`pictures-member-card-${lang}.png`) });
      await context.close();

      // HQ stops; the page reloads: every cached picture still shows, from the desk's cache.
      await s.killHq();
      await page.locator('.conn.conn-bad').waitFor({ timeout: 10_000 });
      await page.reload();
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      await expect.poll(() => picturesIn(s, '.recs li.rec .style-picture'), { timeout: 10_000 }).toEqual(expected);
      await expect.poll(() => picturesIn(s, '.chat-msg .chat-product .style-picture'), { timeout: 10_000 }).toEqual(['image:320']);
      expect(await page.locator('img.style-picture:not([src^="data:image/"])').count()).toBe(0);
      await page.screenshot({ path: shotPath(`pictures-offline-${lang}.png`) });
    });
  });
}
