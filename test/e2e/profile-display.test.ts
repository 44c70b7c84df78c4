// What a clerk sees is true, in a real Chromium against a real HQ and desk core: a member's real
// profile however they were opened (online from HQ, offline from the cache with its age), search
// as clerks type, names and initials that survive any text, one language setting, the lock
// screen's queue, the chat's own sound and newest image, and the member chat page riding out an
// HQ outage. Screenshots go to /tmp/h2-*.png.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MemberRecord } from '../../hq/ports/store.ts';
import { DAY } from '../support/seeds.ts';
import { DEMO_CLERK, STORE, type Stack, startStack } from './stack.ts';

let stack: Stack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/h2-${name}.png` });

/** POST /v1/ingest/members as the chain's CRM would (each member's home store gets `member.updated`). */
async function ingestMembers(s: Stack, members: unknown[]): Promise<void> {
  const res = await fetch(`${s.hq.url}/v1/ingest/members`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': s.hq.integrationKey },
    body: JSON.stringify(members),
  });
  if (!res.ok) throw new Error(`ingest members: ${res.status} ${await res.text()}`);
}

/**
 * Turns a home member the desk cached from its first snapshot (so: without purchases) into a Gold
 * member with 8 purchases, written straight into HQ's database the way a back-office import
 * without events would: the desk's copy does not change, only HQ knows.
 */
async function goldWithEightPurchases(s: Stack): Promise<MemberRecord> {
  return s.hq.store.withTx(async (tx) => {
    const [member] = await tx.listHomeMembers(STORE);
    const styles = (await tx.listStyles()).filter((st) => st.category !== 'kids').sort((a, b) => a.releasedAt - b.releasedAt);
    const gold: MemberRecord = { ...member!, tier: 'gold' };
    await tx.upsertMember(gold);
    const old = await tx.purchasesOf(gold.id, 50);
    for (let i = old.length; i < 8; i++) {
      const style = styles[i]!;
      await tx.upsertPurchase({
        id: `${gold.id}-e2e-${i}`,
        memberId: gold.id,
        styleId: style.id,
        styleName: style.name,
        category: style.category,
        color: style.colors[0]!.code,
        size: gold.sizes.eu,
        storeId: STORE,
        at: Math.max(style.releasedAt + DAY, Date.now() - (i + 1) * DAY),
        price: style.price,
      });
    }
    return gold;
  });
}

async function searchFor(page: Page, text: string): Promise<void> {
  const input = page.locator('#member-search');
  await input.fill('');
  await input.pressSequentially(text, { delay: 10 });
}

describe('the real profile, always (browser)', () => {
  it('shows a Gold member opened from search with her purchases and in-stock suggestions, then the cached copy with its age offline', async () => {
    stack = await startStack({ locale: 'en-US' });
    const { page } = stack;
    const gold = await goldWithEightPurchases(stack);

    // Opened from search, with no visit: HQ's profile, not "No purchases yet".
    await searchFor(page, gold.name);
    await page.locator(`.search-hit[data-member-id="${gold.id}"]`).click();
    const card = page.locator(`.member-card[data-member-id="${gold.id}"]`);
    await card.waitFor({ timeout: 5000 });
    await expect.poll(() => card.locator('.purchases li').count(), { timeout: 5000 }).toBe(5); // the newest five of eight
    expect(await card.getByText('No purchases yet').count()).toBe(0);
    expect(await card.getByText('Nothing to suggest in stock').count()).toBe(0);
    expect(await card.locator('.rec').count()).toBeGreaterThan(0);
    expect(await card.locator('.rec-reason').first().textContent()).not.toBe('');
    expect(await card.locator('.tier-gold').count()).toBeGreaterThan(0);
    // Colours read as names, not catalog codes.
    const lines = await card.locator('.purchases li .muted').allTextContents();
    for (const line of lines) expect(line).not.toMatch(/\b(BLK|WHT|GRY|NVY|RED|BLU|GRN|PNK|BEI|ORG)\b/);
    await shot(page, 'profile-online');

    // Offline, three days later as far as the copy is concerned: the same purchases, with their age.
    await stack.killHq();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    const db = new Database(join(stack.dir, 'desk.db'));
    db.prepare('UPDATE profiles SET received_at = ? WHERE member_id = ?').run(Date.now() - 3 * DAY, gold.id);
    db.close();
    await page.locator('#arrivals, .queue .empty').first().click();
    await searchFor(page, gold.name);
    await page.locator('#member-search').press('Enter');
    await card.locator('.profile-age').waitFor({ timeout: 5000 });
    expect(await card.locator('.profile-age').textContent()).toContain('3 days ago');
    expect(await card.locator('.purchases li').count()).toBe(5);
    await shot(page, 'profile-offline-age');

    // A home member whose profile this counter never had says so, instead of "No purchases yet".
    const unknown = (await stack.core.searchMembers({ query: 'M1', limit: 50 })).find((h) => h.id !== gold.id)!;
    await searchFor(page, unknown.code);
    await page.locator('#member-search').press('Enter');
    await page.locator(`.member-card[data-member-id="${unknown.id}"] .profile-unknown`).waitFor({ timeout: 5000 });
    expect(await page.locator(`.member-card[data-member-id="${unknown.id}"]`).getByText('No purchases yet').count()).toBe(0);
  });
});

describe('search finds people as clerks type them (browser)', () => {
  it('folds diacritics and punctuation, finds long words, pages past 8, reaches other stores through HQ, and works from the keyboard', async () => {
    stack = await startStack({ locale: 'en-US' });
    const { page } = stack;
    await ingestMembers(stack, [
      { id: 'e2e-obrien', code: 'E2E0001', name: "Alexandra O'Brien-Smith", nameEn: '', tier: 'silver', phone: '13700001111', homeStoreId: STORE, sizes: { eu: 39, cn: 245 } },
      { id: 'e2e-renee', code: 'E2E0002', name: 'Renée Dubois', nameEn: '', tier: 'platinum', phone: '13700002222', homeStoreId: 'bj-sanlitun', sizes: { eu: 38, cn: 240 } },
    ]);
    await expect.poll(async () => (await stack!.core.searchMembers({ query: 'alexandra' })).length, { timeout: 5000 }).toBe(1);

    // "/" focuses search from anywhere on the desk; the hint shows the key.
    expect(await page.locator('.search-key').textContent()).toBe('/');
    await page.locator('.queue').click();
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('member-search');
    for (const query of ['alexandra', 'o’brien', "o'brien", 'obrien', 'smith', 'brien-smith']) {
      await searchFor(page, query);
      await expect.poll(() => page.locator('.search-hit').evaluateAll((els) => els.map((e) => e.getAttribute('data-member-id'))), { message: query }).toEqual(['e2e-obrien']);
    }
    // A member of another store, through HQ, with her store named.
    await searchFor(page, 'renee');
    const renee = page.locator('.search-hit[data-member-id="e2e-renee"]');
    await renee.waitFor({ timeout: 5000 });
    expect(await renee.locator('.search-hit-store').textContent()).toBe('北京三里屯店');
    expect(await page.locator('.search-group').textContent()).toContain('Other stores');
    await shot(page, 'search-other-store');
    // ↓ and Enter open her; her real profile comes from HQ.
    await page.locator('#member-search').press('ArrowDown');
    expect(await renee.getAttribute('aria-selected')).toBe('true');
    await page.locator('#member-search').press('Enter');
    await page.locator('.member-card[data-member-id="e2e-renee"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.member-card[data-member-id="e2e-renee"] .member-name').textContent()).toContain('Renée Dubois');

    // More than 8 hits: "More" reaches the rest, by mouse or keyboard.
    await page.keyboard.press('Control+k');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('member-search');
    await searchFor(page, 'm1000');
    await expect.poll(() => page.locator('.search-hit').count()).toBe(8);
    const total = (await stack.core.searchMembers({ query: 'm1000', limit: 100 })).length;
    expect(total).toBeGreaterThan(8);
    for (let i = 0; i < 9; i++) await page.locator('#member-search').press('ArrowDown');
    expect(await page.locator('.search-more').getAttribute('aria-selected')).toBe('true');
    await page.locator('#member-search').press('Enter');
    await expect.poll(() => page.locator('.search-hit').count()).toBe(Math.min(16, total));
    await shot(page, 'search-more');
  });
});
