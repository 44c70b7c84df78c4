// The member page in a real Chromium against a real HQ and desk core: a member homed in Beijing
// walks into Shanghai; the clerk opens her page from the arrival card and sees her visits and
// purchases at both stores (store, clerk, outcome in words, notes, colour names), her birthday and
// anniversary with a countdown, her consents in words; adds a member note; then, with HQ gone, the
// page comes from the cache, marked with its age, and a note added offline shows as pending.
// Screenshots in zh-CN and en: member-page-online-<lang>.png, member-page-offline-<lang>.png.
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Actor } from '../../shared/domain.ts';
import { DAY } from '../support/seeds.ts';
import { shotPath, STORE, type Stack, startStack } from './stack.ts';

const BEIJING = 'bj-sanlitun';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const shot = (page: Page, name: string) => page.screenshot({ path: shotPath(name), fullPage: false });

/** A Beijing member with a served visit and purchases in Beijing and a purchase in Shanghai, a birthday in 5 days. */
async function beijingMember(s: Stack): Promise<{ id: string; name: string; visitId: string }> {
  return s.hq.store.withTx(async (tx) => {
    const [home] = await tx.listHomeMembers(BEIJING);
    const soon = new Date(Date.now() + 5 * DAY);
    const birthday = `${String(soon.getMonth() + 1).padStart(2, '0')}-${String(soon.getDate()).padStart(2, '0')}`;
    const m = { ...home!, tier: 'platinum' as const, points: 12_800, birthday, joinedAt: Date.now() - 800 * DAY, consents: { marketing: false, personalization: true, contact: true } };
    await tx.upsertMember(m);
    const styles = (await tx.listStyles()).filter((st) => st.category !== 'kids');
    const clerk: Actor = { deviceId: 'bj-counter', deviceName: '三里屯 1 号台', clerkId: 'bj-c1', clerkName: '王芳' };
    const visitId = `e2e-bj-visit-${m.id}`;
    const at = Date.now() - 12 * DAY;
    await tx.insertVisit({ id: visitId, storeId: BEIJING, memberId: m.id, source: 'door', status: 'closed', arrivedAt: at, lastSeenAt: at, arrivals: 1, claimedBy: clerk, claimedAt: at + 60_000, closedAt: at + 20 * 60_000, outcome: 'purchased' });
    await tx.insertNote({ id: `e2e-bj-note-${m.id}`, visitId, memberId: m.id, text: '试了 39 码，偏好宽楦 / Tried 39, likes a wide fit', by: clerk, at: at + 10 * 60_000 });
    for (const [i, storeId] of [BEIJING, STORE, BEIJING].entries()) {
      const style = styles[i]!;
      const color = style.colors[style.colors.length - 1]!;
      await tx.upsertPurchase({ id: `e2e-p-${m.id}-${i}`, memberId: m.id, styleId: style.id, styleName: style.name, category: style.category, color: color.code, size: m.sizes.eu, storeId, at: Date.now() - (12 + i * 30) * DAY, price: style.price });
    }
    return { id: m.id, name: m.name, visitId };
  });
}

describe.each([
  { lang: 'zh-CN', locale: 'zh-CN', outcome: '已购买', given: '已同意', cached: '离线', pending: '发送中' },
  { lang: 'en', locale: 'en-US', outcome: 'Purchased', given: 'Given', cached: 'Offline', pending: 'Sending' },
])('the member page ($lang, browser)', ({ lang, locale, outcome, given, cached, pending }) => {
  it('opens from an arrival card with history from two stores, takes a note, and works offline from the cache', async () => {
    stack = await startStack({ locale, viewport: { width: 1280, height: 900 } });
    const { page } = stack;
    const member = await beijingMember(stack);

    // She walks into Shanghai: the arrival card, then her page.
    const { visitId } = await stack.arrive(member.id);
    await page.locator(`[data-visit-id="${visitId}"]`).click({ timeout: 10_000 });
    await page.locator(`.member-card[data-member-id="${member.id}"] [data-open-member-page]`).click({ timeout: 5000 });
    const pageEl = page.locator(`.member-page[data-member-id="${member.id}"]`);
    await pageEl.waitFor({ timeout: 5000 });
    const visits = pageEl.locator('[data-testid="page-visits"] tbody tr');
    await expect.poll(() => visits.count(), { timeout: 5000 }).toBe(2);
    // Both stores, the Beijing clerk, the outcome in words, the note.
    expect(await visits.nth(1).getAttribute('data-store-id')).toBe(BEIJING);
    const beijingRow = (await visits.nth(1).textContent()) ?? '';
    expect(beijingRow).toContain('北京三里屯店');
    expect(beijingRow).toContain('王芳');
    expect(beijingRow).toContain(outcome);
    expect(beijingRow).toContain('偏好宽楦');
    expect(await visits.nth(0).getAttribute('data-store-id')).toBe(STORE);
    // Purchases with colour names (never the catalog codes) from both stores.
    const purchases = await pageEl.locator('[data-testid="page-purchases"] tbody tr').allTextContents();
    expect(purchases.length).toBeGreaterThanOrEqual(3); // the demo's own purchases and ours
    expect(purchases.join(' ')).toContain('北京三里屯店');
    for (const p of purchases) expect(p).not.toMatch(/\b(BLK|WHT|GRY|NVY|RED|BLU|GRN|PNK|BEI|ORG)\b/);
    expect(purchases.join(' ')).toContain('上海南京西路店');
    // Birthday in 5 days, consents in words, the masked phone only.
    expect(await pageEl.locator('[data-testid="page-birthday"]').textContent()).toMatch(lang === 'en' ? /in 5 days/ : /5天后/);
    expect(await pageEl.locator('[data-consent="personalization"]').textContent()).toContain(given);
    expect(await pageEl.locator('[data-consent="marketing"][data-given="false"]').count()).toBe(1);
    expect(await pageEl.textContent()).toMatch(/\d{3}\*{4}\d{4}/);

    // A member note, online: confirmed.
    const noteText = lang === 'en' ? 'Buys for her son too (EU 35)' : '也给儿子买鞋（EU 35）';
    await pageEl.locator('.page-note-form textarea').fill(noteText);
    await pageEl.locator('.page-note-form button[type="submit"]').click();
    await pageEl.locator('[data-testid="page-notes"] li[data-sync="confirmed"]', { hasText: noteText }).waitFor({ timeout: 5000 });
    await shot(page, `B-member-page-online-${lang}.png`);

    // Back returns to the desk as it was: the arrival still selected, her card open.
    await pageEl.locator('.member-page-back').click();
    await page.locator(`.member-card[data-member-id="${member.id}"]`).waitFor({ timeout: 5000 });

    // HQ gone: the page from the cache, marked; a note added now is pending.
    await stack.killHq();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    await page.locator(`.member-card[data-member-id="${member.id}"] [data-open-member-page]`).click();
    await pageEl.locator('.page-cache').waitFor({ timeout: 5000 });
    expect(await pageEl.locator('.page-cache').textContent()).toContain(cached);
    expect(await visits.count()).toBe(2);
    const offlineNote = lang === 'en' ? 'Asked us to call when the navy 39 is back' : '海军蓝 39 码到货后请致电';
    await pageEl.locator('.page-note-form textarea').fill(offlineNote);
    await pageEl.locator('.page-note-form button[type="submit"]').click();
    const pendingNote = pageEl.locator('[data-testid="page-notes"] li[data-sync="pending"]', { hasText: offlineNote });
    await pendingNote.waitFor({ timeout: 5000 });
    expect(await pendingNote.textContent()).toContain(pending);
    await shot(page, `B-member-page-offline-${lang}.png`);

    // HQ back: the note settles (confirmed by its event).
    await stack.restartHq();
    await pageEl.locator('[data-testid="page-notes"] li[data-sync="confirmed"]', { hasText: offlineNote }).waitFor({ timeout: 15_000 });
  });
});
