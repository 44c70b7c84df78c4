// Clerks and the manager in a real Chromium: a clerk's visits are recorded under their name, a clerk signs in
// through the UI and has no store review, a manager signs in and sees the KPIs, the per-clerk
// table and the by-hour chart. Screenshots go to docs/screenshots/manager-*.png.
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/waitFor.ts';
import { DEMO_MANAGER, type Stack, startStack } from './stack.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ clerk: null, viewport: { width: 1280, height: 1040 } });
  const { core } = stack;
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  // Two clerks serve three of five members; two are never served.
  const visits: string[] = [];
  for (const m of stack.members.slice(0, 5)) visits.push((await stack.arrive(m)).visitId);
  await waitFor(async () => (await Promise.all(visits.map((v) => core.getVisit(v)))).every(Boolean), 10_000, 'arrivals in the cache');
  expect((await core.signIn('sh-nanjing-c1', '1001')).ok).toBe(true);
  await core.claimVisit(visits[0]!);
  await core.closeVisit(visits[0]!, 'purchased', 'took the grey pair');
  await core.claimVisit(visits[1]!);
  await core.closeVisit(visits[1]!, 'tried');
  expect((await core.signIn('sh-nanjing-c2', '1002')).ok).toBe(true);
  await core.claimVisit(visits[2]!);
  await core.closeVisit(visits[2]!, 'purchased');
  await waitFor(async () => (await core.getConnection()).queued === 0, 10_000, 'outbox drained');
  await core.signOut();
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

describe('clerk sign-in and the store review', () => {
  it('a clerk signs in with a PIN and sees no store review; a wrong PIN says how many tries are left', async () => {
    const { page } = stack;
    await page.locator('.signin').waitFor();
    await page.locator('[data-clerk="sh-nanjing-c1"]').click();
    await page.locator('#signin-pin').fill('0000');
    await page.locator('.signin-form button[type="submit"]').click();
    await expect.poll(() => page.locator('#signin-error').textContent()).toContain('4 tries left');
    await page.locator('#signin-pin').fill('1001');
    await page.locator('.signin-form button[type="submit"]').click();
    await page.locator('.clerkbar').waitFor();
    expect(await page.locator('.clerkbar-name').getAttribute('data-clerk-id')).toBe('sh-nanjing-c1');
    expect(await page.locator('.nav-manager').count()).toBe(0);
    await page.locator('.clerkbar-actions button', { hasText: 'Sign out' }).click();
    await page.locator('.signin').waitFor();
  });

  it('a manager signs in and sees the KPIs, the clerks and the chart', async () => {
    const { page } = stack;
    await page.locator(`[data-clerk="${DEMO_MANAGER.id}"]`).click();
    await page.locator('#signin-pin').fill(DEMO_MANAGER.pin);
    await page.locator('.signin-form button[type="submit"]').click();
    await page.locator('.nav-manager').click();
    await page.locator('.mgr-source[data-source="hq"]').waitFor();
    const kpi = (name: string) => page.locator(`.kpi[data-kpi="${name}"] .kpi-value`).textContent();
    expect(await kpi('arrivals')).toBe('5');
    expect(await kpi('served')).toBe('60%'); // 3 of 5
    expect(await kpi('conversion')).toBe('67%'); // 2 bought of 3 served
    const rows = await page.locator('.mgr-grid .panel:nth-child(2) tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('王芳'); // sh-nanjing-c1 served 2
    const hour = new Date().getHours();
    const bar = page.locator(`[data-testid="hour-chart"] g[data-hour="${hour}"]`);
    expect(await bar.getAttribute('data-arrivals')).toBe('5');
    expect(await bar.getAttribute('data-served')).toBe('3');
    expect(await page.locator('.hour-chart rect').count()).toBe(2);
    // One visit's timeline.
    await page.locator('.visits-table .linklike').last().click();
    await page.locator('.timeline li[data-kind="close"]').waitFor();
    mkdirSync('docs/screenshots', { recursive: true });
    await page.locator('.manager').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: 'docs/screenshots/manager-en.png', fullPage: true });
  });

  it('in Chinese, and offline from the desk cache with its range', async () => {
    const { page } = stack;
    await page.evaluate(() => localStorage.setItem('footfall.locale', 'zh-CN'));
    await stack.killHq();
    await page.reload();
    // A reload keeps the desk core's sign-in (the core holds it, not the page).
    await page.locator('.nav-manager').click();
    await page.locator('.mgr-source[data-source="cache"]').waitFor();
    expect(await page.locator('.mgr-source').textContent()).toContain('离线');
    expect(await page.locator('.kpi[data-kpi="arrivals"] .kpi-value').textContent()).toBe('5');
    expect(await page.locator('.kpi[data-kpi="conversion"] .kpi-value').textContent()).toBe('67%');
    await page.screenshot({ path: 'docs/screenshots/manager-zh-CN-offline.png', fullPage: true });
  });
});
