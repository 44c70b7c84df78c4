// The next best action on the arrival card (7/8 card) in a real Chromium through the web shell,
// against a real HQ and desk core, in both languages. The chain's catalog gets running socks (an
// accessory, as its system would send one), so HQ's next best action for a member who consented
// carries an add-on; the member walks in and the card shows their size, last purchase, up to three
// styles and the add-on's reason as a sentence. The clerk marks the add-on used (confirmed by HQ's
// `suggest.marked`) and, with HQ down, a style not relevant — shown pending, then confirmed once HQ
// is back. A member who opted out of personalised suggestions gets the notice, no add-on, and a size
// for this visit that narrows the list to styles with stock in it.
// Screenshots: assist-card-<lang>.png, assist-card-optout-<lang>.png.
import { afterEach, describe, expect, it } from 'vitest';
import { addOnSentence, cardStyles, stockIn } from '../../renderer/src/assist/nextAction.ts';
import { en } from '../../renderer/src/i18n/en.ts';
import { translator } from '../../renderer/src/i18n/index.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import type { MemberView } from '../../shared/deskApi.ts';
import type { Style } from '../../shared/domain.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const SIZES = Array.from({ length: 25 }, (_, i) => 34 + i * 0.5); // EU 34–46 in half sizes

/** Running socks in every size at the store, as the chain's catalog and stock systems send them. */
async function stockSocks(s: Stack): Promise<Style> {
  const socks: Style = {
    id: 'acc-run-socks',
    name: '跑步袜 Run Socks',
    category: 'running',
    price: 5_900,
    colors: [{ code: 'WHT', name: 'White' }],
    sizes: SIZES,
    releasedAt: Date.now() - 30 * 86_400_000,
    kind: 'socks',
    goesWith: ['running', 'basketball', 'retro', 'casual', 'kids'],
  };
  const ingest = async (path: string, body: unknown) => {
    const res = await fetch(`${s.hq.url}/v1/ingest/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-integration-key': s.hq.integrationKey }, body: JSON.stringify(body) });
    const report = (await res.json()) as { rejected: number; errors: unknown[] };
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report.rejected, JSON.stringify(report.errors)).toBe(0);
  };
  await ingest('catalog', [socks]);
  await ingest('stock', SIZES.map((size) => ({ storeId: STORE, styleId: socks.id, color: 'WHT', size, qty: 20 })));
  return socks;
}

/** The first home member whose profile (HQ's, read through the desk) passes `ok`. */
async function memberWhere(s: Stack, ok: (v: MemberView) => boolean): Promise<MemberView> {
  for (const id of s.members) {
    const v = await s.core.getMember(id);
    if (v && ok(v)) return v;
  }
  throw new Error('no member of the demo store fits');
}

for (const lang of ['zh-CN', 'en'] as const) {
  const t = translator(lang);
  const cat = lang === 'zh-CN' ? zhCN : en;

  describe(`the next best action (browser, ${lang})`, () => {
    it('shows size, last purchase, styles and the add-on with its reason; marks go to HQ, offline too', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1360, height: 1000 } });
      const s = stack;
      const socks = await stockSocks(s);
      const m = await memberWhere(s, (v) => v.next?.personalized === true && v.next.addOn?.styleId === socks.id && v.next.lastPurchase !== null && cardStyles(v.next, v.recommendations).length >= 2);
      const next = m.next!;
      const styles = cardStyles(next, m.recommendations);

      const { visitId } = await s.arrive(m.member.id);
      const { page } = s;
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      const nba = page.locator('.nba[data-nba="personalized"]');
      await nba.waitFor({ timeout: 10_000 });
      // Size, the last purchase, the styles in HQ's order, the add-on as a sentence.
      expect(await nba.locator('.nba-size').textContent()).toBe(t('assist.sizeLine', { eu: m.member.sizes.eu, cn: m.member.sizes.cn }));
      expect(await nba.locator('.nba-last').textContent()).toContain(next.lastPurchase!.styleName);
      expect(await nba.locator('.nba-style').evaluateAll((els) => els.map((e) => e.getAttribute('data-style-id')))).toEqual(styles.map((r) => r.styleId));
      const addOn = nba.locator(`.nba-addon[data-style-id="${socks.id}"]`);
      expect(await addOn.locator('.nba-addon-sentence').textContent()).toBe(addOnSentence(t, next.addOn!, lang));
      expect(await nba.locator('.nba-optout').count()).toBe(0);
      // No catalog key shows through untranslated.
      expect(await nba.textContent()).not.toMatch(/assist\.\w+/);

      // The add-on was used: HQ confirms it.
      await addOn.locator(`.nba-mark[data-verdict="used"]`).click();
      await addOn.locator('.nba-marks[data-mark="used"][data-sync="confirmed"]').waitFor({ timeout: 10_000 });
      expect(await addOn.locator('.nba-mark[data-verdict="used"]').getAttribute('aria-pressed')).toBe('true');

      // HQ is down: the first style is marked not relevant — pending at once, confirmed when HQ is back.
      await s.killHq();
      const first = nba.locator(`.nba-style[data-style-id="${styles[0]!.styleId}"]`);
      await first.locator('.nba-mark[data-verdict="not_relevant"]').click();
      await first.locator('.nba-marks[data-mark="not_relevant"][data-sync="pending"]').waitFor({ timeout: 5_000 });
      expect(await first.locator('.sync-pending').textContent()).toBe(cat['sync.pending']);
      await s.restartHq();
      await first.locator('.nba-marks[data-mark="not_relevant"][data-sync="confirmed"]').waitFor({ timeout: 15_000 });
      const marks = await s.core.listSuggestionMarks(visitId);
      expect(marks.map((x) => [x.styleId, x.role, x.verdict, x.sync]).sort()).toEqual(
        [
          [socks.id, 'addon', 'used', 'confirmed'],
          [styles[0]!.styleId, 'style', 'not_relevant', 'confirmed'],
        ].sort(),
      );
      await nba.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`assist-card-${lang}.png`) });
    });

    it('a member who opted out gets the store’s best sellers, no add-on, and a size for this visit narrows them', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1360, height: 1000 } });
      const s = stack;
      await stockSocks(s);
      // A size that keeps some of the styles and drops others shows the narrowing best; else any size one has.
      let size = 0;
      const m = await memberWhere(s, (v) => {
        if (v.member.consents.personalization !== false || v.next?.personalized !== false) return false;
        const shown = cardStyles(v.next, v.recommendations);
        // Nearest the member's own size first: the size a clerk would most likely be given.
        const near = (z: number) => Math.abs(z - v.member.sizes.eu);
        const sizes = [...new Set(shown.flatMap((r) => r.stockBySize.filter((x) => x.qty > 0).map((x) => x.size)))].sort((a, b) => near(a) - near(b) || a - b);
        const narrowing = sizes.find((z) => shown.some((r) => stockIn(r, z) === 0));
        size = narrowing ?? sizes[0] ?? 0;
        return shown.length >= 2 && size > 0;
      });
      const next = m.next!;
      expect(next.addOn).toBeNull();

      const { visitId } = await s.arrive(m.member.id);
      const { page } = s;
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      const nba = page.locator('.nba[data-nba="popular"]');
      await nba.waitFor({ timeout: 10_000 });
      expect(await nba.locator('.nba-optout p').textContent()).toBe(cat['assist.optout']);
      expect(await nba.locator('.nba-addon').count()).toBe(0);
      expect(await nba.locator('.nba-style').count()).toBe(cardStyles(next, m.recommendations).length);

      // A size that is not one is said so, and filters nothing.
      await nba.locator('.nba-visit-size').fill('38.3');
      await nba.locator('.nba-size-bad').waitFor();
      expect(await nba.locator('.nba-style').count()).toBe(cardStyles(next, m.recommendations).length);
      await nba.locator('.nba-visit-size').fill(String(size));
      const expected = cardStyles(next, m.recommendations, size).map((r) => r.styleId);
      await expect.poll(() => nba.locator('.nba-style').evaluateAll((els) => els.map((e) => e.getAttribute('data-style-id')))).toEqual(expected);
      expect(await nba.locator('.nba-size-bad').count()).toBe(0);
      // The visit size is marked in each style's stock.
      for (const id of expected) expect(await nba.locator(`.nba-style[data-style-id="${id}"] .stock-size.is-member-size .stock-eu`).textContent()).toBe(String(size));
      // Reasons about the member are not said on this card.
      const why = (await nba.locator('.nba-style-why').allTextContents()).join(' ');
      expect(why).not.toContain(lang === 'en' ? 'Likes' : '喜欢');
      await nba.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`assist-card-optout-${lang}.png`) });
    });
  });
}
