// What a clerk sees is true, in a real Chromium against a real HQ and desk core: a member's real
// profile however they were opened (online from HQ, offline from the cache with its age), search
// as clerks type, names and initials that survive any text, one language setting, the lock
// screen's queue, the chat's own sound and newest image, and the member chat page riding out an
// HQ outage. Screenshots go to /tmp/h2-*.png.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chromium, type Page } from 'playwright-core';
import { DeskCore, enroll } from '../../electron/desk/deskCore.ts';
import { createWebDeskHost } from '../../electron/web/webHost.ts';
import { startWebShell } from '../../electron/web/webShell.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import type { MemberRecord } from '../../hq/ports/store.ts';
import { startHq } from '../../hq/server.ts';
import { encodePng } from '../../scripts/make-assets.ts';
import { DAY } from '../support/seeds.ts';
import { CHROMIUM, DEMO_CLERK, shotPath, STORE, type Stack, startStack } from './stack.ts';

let stack: Stack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

const shot = (page: Page, name: string) => page.screenshot({ path: shotPath(`profile-${name}.png`) });

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
    // A Gold member's tier is said once, by the VIP badge (4/8 part A), not the plain tier chip.
    expect(await card.locator('.vip-badge[data-vip="gold"]').count()).toBeGreaterThan(0);
    // Colours read as names, not catalog codes.
    const lines = await card.locator('.purchases li .muted').allTextContents();
    for (const line of lines) expect(line).not.toMatch(/\b(BLK|WHT|GRY|NVY|RED|BLU|GRN|PNK|BEI|ORG)\b/);
    await shot(page, 'profile-online');

    // Opened from the chat list, with no visit either: the same real profile.
    const [, writer] = await stack.hq.store.read((r) => r.listHomeMembers(STORE));
    const writerGold = await stack.hq.store.withTx(async (tx) => {
      const m = { ...writer!, tier: 'gold' as const };
      await tx.upsertMember(m);
      const style = (await tx.listStyles()).find((st) => st.category !== 'kids')!;
      await tx.upsertPurchase({ id: `${m.id}-chat-1`, memberId: m.id, styleId: style.id, styleName: style.name, category: style.category, color: style.colors[0]!.code, size: m.sizes.eu, storeId: STORE, at: Date.now() - DAY, price: style.price });
      return m;
    });
    await stack.hq.chat.sendFromMember(STORE, writerGold.id, { clientId: 'e2e-profile-chat', kind: 'text', text: 'Is my size in?' });
    await page.locator(`.chat-conv[data-member-id="${writerGold.id}"]`).click({ timeout: 5000 });
    const chatCard = page.locator(`.member-card[data-member-id="${writerGold.id}"]`);
    const writerPurchases = (await stack.hq.store.read((r) => r.purchasesOf(writerGold.id, 50))).length;
    await expect.poll(() => chatCard.locator('.purchases li').count(), { timeout: 5000 }).toBe(Math.min(5, writerPurchases));
    expect(await chatCard.locator('.vip-badge[data-vip="gold"]').count()).toBeGreaterThan(0);

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
    await shot(page, 'profile-unknown-offline');
  });
});

describe('search finds people as clerks type them (browser)', () => {
  it('folds diacritics and punctuation, finds long words, pages past 8, reaches other stores through HQ, and works from the keyboard', async () => {
    stack = await startStack({ locale: 'en-US', bypassCsp: true });
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
    // The open list is a proper combobox + listbox: no serious or critical axe violation.
    await page.addScriptTag({ path: resolve('node_modules/axe-core/axe.min.js') });
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
      return axe.run(document.querySelector('.search'), { resultTypes: ['violations'] });
    })) as { violations: Array<{ id: string; impact: string | null }> };
    expect(violations.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.locator('#member-search').focus();
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

/** A member of the store with a given name and tier, written at HQ; then walked in (an arrival carries the profile). */
async function arriveAs(s: Stack, index: number, over: Partial<MemberRecord>): Promise<{ member: MemberRecord; visitId: string }> {
  const member = await s.hq.store.withTx(async (tx) => {
    const m = (await tx.listHomeMembers(STORE))[index]!;
    const changed = { ...m, ...over };
    await tx.upsertMember(changed);
    return changed;
  });
  const { visitId } = await s.arrive(member.id);
  await s.page.locator(`li.arrival[data-visit-id="${visitId}"]`).waitFor({ timeout: 5000 });
  return { member, visitId };
}

/** Records the sounds the page plays (the Audio elements' play calls), without playing them. */
async function recordSounds(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { played: string[] };
    w.played = [];
    HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
      w.played.push(new URL(this.src).pathname);
      return Promise.resolve();
    };
  });
}
const played = (page: Page) => page.evaluate(() => (window as unknown as { played: string[] }).played);

/** The member chat page of HQ, signed in as `member`. */
async function memberPage(s: Stack, member: MemberRecord, locale = 'en-US'): Promise<Page> {
  const context = await s.browser.newContext({ locale, viewport: { width: 420, height: 760 } });
  const phone = await context.newPage();
  phone.on('pageerror', (e) => console.error('member page error:', e.message));
  await phone.goto(`${s.hq.url}/m/?store=${STORE}`);
  await phone.locator('#code').fill(member.code);
  await phone.locator('#phone').fill(member.phone.slice(-4));
  await phone.locator('#login-btn').click();
  await phone.locator('#store-status[data-link="up"]').waitFor({ timeout: 10_000 });
  return phone;
}

describe('display (browser)', () => {
  it('isolates names, takes whole characters for initials, ends long names in an ellipsis with the time in view, and fits the lost-claim notice', async () => {
    stack = await startStack({ locale: 'en-US' });
    const { page } = stack;
    const long = 'Maximiliana Alexandrovna Konstantinopolskaya-Wolkenstein Jr';
    const evil = '\u202eLiam Evil';
    const cases = [
      await arriveAs(stack, 0, { name: '𠀀明', nameEn: '' }),
      await arriveAs(stack, 1, { name: '👩🏽‍💻 Coder', nameEn: '' }),
      await arriveAs(stack, 2, { name: evil, nameEn: '' }),
      await arriveAs(stack, 3, { name: long, nameEn: '' }),
    ];
    for (const { visitId } of cases) {
      const row = page.locator(`li.arrival[data-visit-id="${visitId}"]`);
      // The arrival time stays inside the card, to the right of the name, whatever the name.
      const [rowBox, nameBox, ageBox] = await Promise.all([row.boundingBox(), row.locator('.arrival-name').boundingBox(), row.locator('.arrival-age').boundingBox()]);
      expect(ageBox!.x + ageBox!.width).toBeLessThanOrEqual(rowBox!.x + rowBox!.width + 0.5);
      expect(ageBox!.x).toBeGreaterThanOrEqual(nameBox!.x + nameBox!.width - 0.5);
      expect(await row.locator('.arrival-name').evaluate((el) => [el.tagName, getComputedStyle(el).unicodeBidi])).toEqual(['BDI', 'isolate']);
    }
    const longName = page.locator(`li.arrival[data-visit-id="${cases[3]!.visitId}"] .arrival-name`);
    expect(await longName.evaluate((el) => [el.scrollWidth > el.clientWidth, getComputedStyle(el).textOverflow])).toEqual([true, 'ellipsis']);
    expect(await longName.getAttribute('title')).toBe(long);

    // Avatar initials: whole graphemes, never half a surrogate pair.
    const avatar = async (visitId: string) => {
      await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
      return page.locator('.member-card .avatar').textContent();
    };
    expect(await avatar(cases[0]!.visitId)).toBe('𠀀');
    expect(await avatar(cases[1]!.visitId)).toBe('👩🏽‍💻');
    expect(await avatar(cases[2]!.visitId)).toBe('LE');
    // The override inside the name does not reach the text after it.
    expect(await page.locator('.member-card .member-name bdi').first().evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
    await shot(page, 'names');

    // A lost claim race in English: the notice ("Claimed by 李娜 first", in the state's place) fits the card.
    const second = await stack.hq.createEnrollmentCode(STORE).then((code) => enroll(stack!.hq.url, code, 'Counter 2'));
    const other = DeskCore.open({ dbPath: join(stack.dir, 'desk2.db'), hqUrls: [stack.hq.url], token: second.token, reconnect: { minMs: 100, maxMs: 400 } });
    try {
      other.start();
      await expect.poll(async () => (await other.getConnection()).status, { timeout: 10_000 }).toBe('online');
      await expect.poll(async () => (await other.listClerks()).length, { timeout: 5000 }).toBeGreaterThan(0);
      expect(await other.signIn('sh-nanjing-c2', '1002')).toMatchObject({ ok: true }); // 李娜
      const race = cases[3]!.visitId;
      await expect.poll(async () => (await other.getVisit(race)) !== null, { timeout: 5000 }).toBe(true);
      // HQ settles a race by action time: 李娜 claims first, this counter (offline) after her.
      await stack.core.stop();
      await other.claimVisit(race);
      await expect.poll(async () => (await other.getVisit(race))?.status, { timeout: 5000 }).toBe('claimed');
      await page.locator(`li.arrival[data-visit-id="${race}"]`).click();
      await page.locator('[data-action="claim"]').click();
      stack.core.start();
      const pill = page.locator(`li.arrival[data-visit-id="${race}"] .arrival-notice`);
      await pill.waitFor({ timeout: 10_000 });
      expect(await pill.getAttribute('title')).toBe('Claimed by 李娜 first');
      const [rowBox, pillBox] = await Promise.all([page.locator(`li.arrival[data-visit-id="${race}"]`).boundingBox(), pill.boundingBox()]);
      expect(pillBox!.x + pillBox!.width).toBeLessThanOrEqual(rowBox!.x + rowBox!.width + 0.5);
      // The whole notice reads in the card (no ellipsis: its text is no wider than its box), isolated
      // from the text around it.
      // (An ellipsis cuts the text's own boxes, and scrollWidth rounds away a cut of under 1px, so the
      // text is measured with the ellipsis off against the pill's content box, both unrounded.)
      expect(await pill.locator('bdi').evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
      const cut = await pill.evaluate((el) => {
        const text = document.createRange();
        text.selectNodeContents(el.querySelector('bdi')!);
        el.style.textOverflow = 'clip';
        const width = text.getBoundingClientRect().width;
        el.style.textOverflow = '';
        const style = getComputedStyle(el);
        return width - (el.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight));
      });
      expect(cut, 'px of the notice cut off').toBeLessThanOrEqual(0);
      await page.locator('.queue').screenshot({ path: shotPath('profile-claimed-pill.png') });
    } finally {
      await other.close();
    }
  });

  it('names purchase colours in Chinese too, and the lock screen says who waits, flagging a Platinum member', async () => {
    stack = await startStack({ locale: 'zh-CN' });
    const { page } = stack;
    const gold = await goldWithEightPurchases(stack);
    await searchFor(page, gold.code);
    await page.locator('#member-search').press('Enter');
    const lines = page.locator(`.member-card[data-member-id="${gold.id}"] .purchases li .muted`);
    await expect.poll(() => lines.count(), { timeout: 5000 }).toBe(5);
    for (const line of await lines.allTextContents()) expect(line).toMatch(/^(黑色|白色|灰色|藏青|红色|蓝色|绿色|粉色|米色|橙色) · 欧码/);

    await arriveAs(stack, 4, { tier: 'gold' });
    await arriveAs(stack, 5, { tier: 'platinum' });
    await arriveAs(stack, 6, { tier: 'basic' });
    await page.locator('.clerkbar-actions [data-action="lock"]').click(); // 锁定
    const waiting = page.locator('.signin-waiting');
    await waiting.waitFor({ timeout: 5000 });
    expect(await waiting.getAttribute('data-waiting')).toBe('3');
    expect(await waiting.textContent()).toContain('3 位会员在等候');
    expect(await page.locator('[data-testid="platinum-waiting"]').textContent()).toBe('有铂金会员在等候');
    await shot(page, 'lock-screen');
  });

  it('shows the newest chat image whole, once it has loaded', async () => {
    stack = await startStack({ locale: 'en-US', assistant: false });
    const { page, hq } = stack;
    const { visitId, member } = await arriveAs(stack, 0, {});
    // A long conversation, then an image: the newest image is fully in view once it has loaded.
    for (let i = 0; i < 14; i++) await hq.chat.sendFromMember(STORE, member.id, { clientId: `e2e-long-${i}`, kind: 'text', text: `Message number ${i} about shoes` });
    await page.locator(`li.arrival[data-visit-id="${visitId}"]`).click();
    await page.locator('.chat-msg', { hasText: 'Message number 13' }).waitFor({ timeout: 5000 });
    const phone = await memberPage(stack, member);
    const png = encodePng(240, (x, y) => [(x * 7) % 256, (y * 3) % 256, 120, 255]);
    await phone.locator('#image').setInputFiles({ name: 'shoe.png', mimeType: 'image/png', buffer: png });
    const img = page.locator('.chat-msg[data-kind="image"] img.chat-image').last();
    await img.waitFor({ timeout: 10_000 });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalHeight > 0), { timeout: 5000 }).toBe(true);
    await expect
      .poll(
        async () => {
          const [list, box] = await Promise.all([page.locator('.chat-messages').boundingBox(), img.boundingBox()]);
          return box!.y >= list!.y - 0.5 && box!.y + box!.height <= list!.y + list!.height + 0.5;
        },
        { timeout: 3000 },
      )
      .toBe(true);
    await shot(page, 'chat-image');
    await phone.context().close();
  });

  it('"signed in offline" goes when the link returns', async () => {
    stack = await startStack({ locale: 'en-US' });
    const { page } = stack;
    await stack.killHq();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    await page.locator('.clerkbar-actions [data-action="sign-out"]').click();
    await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).click();
    await page.locator('#signin-pin').fill(DEMO_CLERK.pin);
    await page.locator('.signin-form button[type="submit"]').click();
    await page.locator('.clerkbar-offline').waitFor({ timeout: 5000 });
    await stack.restartHq();
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 15_000 });
    await page.locator('.clerkbar-offline').waitFor({ state: 'detached', timeout: 10_000 });
    expect((await stack.core.currentClerk()).verifiedOnline).toBe(true);
  });
});

/** The desk as the web shell runs it for real: a DeskHost (settings, sounds) enrolled with a real HQ. */
async function hostRig(locale: string) {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-host-'));
  const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
  await seedDemo(hq, { members: 20, styles: 10, seed: 5 });
  const host = createWebDeskHost({ dataDir: join(dir, 'desk') });
  host.start();
  await host.api.enroll([hq.url], await hq.createEnrollmentCode(STORE), 'Counter 1');
  const shell = await startWebShell({ core: host.api, staticDir: resolve('out/renderer') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await (await browser.newContext({ locale, viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(shell.url);
  await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).click({ timeout: 20_000 });
  await page.locator('#signin-pin').fill(DEMO_CLERK.pin);
  await page.locator('.signin-form button[type="submit"]').click();
  await page.locator('.conn[data-status="online"]').waitFor({ timeout: 20_000 });
  return {
    hq,
    host,
    page,
    async close() {
      await browser.close();
      await shell.close();
      await host.close();
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('settings the shell keeps (browser)', () => {
  it('the top bar\'s language switch and Settings → Language are one setting', async () => {
    const rig = await hostRig('en-US');
    try {
      const { page, host } = rig;
      await page.locator('.lang-switch button[lang="zh-CN"]').click();
      await expect.poll(async () => (await host.api.getSettings()).settings.language).toBe('zh-CN');
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await page.locator('.topbar .settings-button').click();
      expect(await page.locator('#settings-language').inputValue()).toBe('zh-CN');
      await page.locator('#settings-language').selectOption('en');
      await expect.poll(() => page.locator('.lang-switch button[lang="en"]').getAttribute('aria-pressed')).toBe('true');
      expect((await host.api.getSettings()).settings.language).toBe('en');
      // A reload keeps the one setting.
      await page.reload();
      await page.locator('.lang-switch button[lang="en"][aria-pressed="true"]').waitFor({ timeout: 20_000 });
    } finally {
      await rig.close();
    }
  });

  it('a member\'s chat message plays its own sound, not the arrival sound', async () => {
    const rig = await hostRig('en-US');
    try {
      const { page, hq } = rig;
      await recordSounds(page);
      const [walker, writer] = await hq.store.read((r) => r.listHomeMembers(STORE));
      const res = await fetch(`${hq.url}/v1/ingest/arrivals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-integration-key': hq.integrationKey },
        body: JSON.stringify({ storeId: STORE, memberId: walker!.id, source: 'door' }),
      });
      expect(res.ok).toBe(true);
      await expect.poll(() => played(page), { timeout: 5000 }).toEqual(['/sounds/chime.wav']);
      await hq.chat.sendFromMember(STORE, writer!.id, { clientId: 'e2e-sound-1', kind: 'text', text: 'Do you have size 42?' });
      await expect.poll(() => played(page), { timeout: 5000 }).toEqual(['/sounds/chime.wav', '/sounds/message.wav']);
    } finally {
      await rig.close();
    }
  });
});

describe('the member chat page (browser)', () => {
  it('reconnects after HQ is stopped and started again on the same port, and sends its queue once', async () => {
    stack = await startStack({ locale: 'en-US' });
    const member = (await stack.hq.store.read((r) => r.listHomeMembers(STORE)))[0]!;
    const phone = await memberPage(stack, member);
    await phone.locator('#text').fill('before the outage');
    await phone.locator('#send').click();
    await phone.locator('li.msg.me[data-from="member"]', { hasText: 'before the outage' }).waitFor({ timeout: 5000 });

    await stack.killHq();
    await phone.locator('#store-status[data-link="down"]').waitFor({ timeout: 5000 });
    for (const text of ['written while HQ is down', 'and one more']) {
      await phone.locator('#text').fill(text);
      await phone.locator('#send').click();
    }
    await expect.poll(() => phone.locator('li.msg.me[data-state="sending"]').count()).toBe(2);
    await shot(phone, 'member-page-down');
    await new Promise((r) => setTimeout(r, 1500)); // a few failed reconnects while HQ is away

    await stack.restartHq();
    await phone.locator('#store-status[data-link="up"]').waitFor({ timeout: 20_000 });
    for (const text of ['written while HQ is down', 'and one more']) await phone.locator('li.msg.me[data-from="member"]', { hasText: text }).waitFor({ timeout: 10_000 });
    expect(await phone.locator('li.msg.me[data-state="sending"]').count()).toBe(0);
    await shot(phone, 'member-page-back');
    const stored = await stack.hq.store.read((r) => r.chat.messages(STORE, member.id, null, 100));
    expect(stored.filter((m) => m.from === 'member').map((m) => m.body)).toEqual(['before the outage', 'written while HQ is down', 'and one more']);
    // Still live: a message now goes at once.
    await phone.locator('#text').fill('after');
    await phone.locator('#send').click();
    await phone.locator('li.msg.me[data-from="member"]', { hasText: 'after' }).waitFor({ timeout: 5000 });
    await phone.context().close();
  });
});

