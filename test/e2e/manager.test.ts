// Clerks and the manager in a real Chromium: a clerk's visits are recorded under their name, a clerk signs in
// through the UI and has no store review, a manager signs in and sees the KPIs, the per-clerk
// table (every clerk, one who served nobody too), the by-hour chart, a visit's timeline with who
// wrote each message and the member's photo as a picture, the served share of one clerk, the
// last 7 days by date, and the CSV export. Screenshots go to docs/screenshots/manager-*.png.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberClient } from '../support/memberClient.ts';
import { waitFor } from '../support/waitFor.ts';
import { DEMO_MANAGER, shotPath, STORE, type Stack, startStack } from './stack.ts';

let stack: Stack;
const DAY = 24 * 3600 * 1000;
/** yyyy-mm-dd of this machine's local date (the browser's, in the same process environment). */
const localDate = (at: number) => {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** No serious or critical axe-core violation on the page as it is. */
async function axeScan(label: string): Promise<void> {
  const { page } = stack;
  await page.addScriptTag({ path: resolve('node_modules/axe-core/axe.min.js') });
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** A real PNG (RGB, 8 bits) of w × h drawn by `pixel`, so the timeline has a picture to show. */
function png(w: number, h: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * (w * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
/** The member's photo of the shoe they want: an orange sole under a grey upper. */
const PHOTO = png(360, 240, (_x, y) => (y > 160 ? [235, 120, 40] : y > 60 ? [120, 128, 140] : [245, 245, 245]));

beforeAll(async () => {
  // bypassCsp: the axe scans inject axe-core, which the page's CSP rightly refuses.
  stack = await startStack({ clerk: null, viewport: { width: 1280, height: 1040 }, bypassCsp: true, assistant: false });
  const { core } = stack;
  await waitFor(async () => (await core.getConnection()).status === 'online', 10_000, 'online');
  // Two clerks serve three of five members; two are never served; the third clerk serves nobody.
  const visits: string[] = [];
  for (const m of stack.members.slice(0, 5)) visits.push((await stack.arrive(m)).visitId);
  await waitFor(async () => (await Promise.all(visits.map((v) => core.getVisit(v)))).every(Boolean), 10_000, 'arrivals in the cache');
  expect((await core.signIn('sh-nanjing-c1', '1001')).ok).toBe(true);
  await core.claimVisit(visits[0]!);
  // During the first visit the member writes and sends a photo of the shoe; the clerk answers.
  const member = await MemberClient.viaIntegration(stack.hq.url, stack.hq.integrationKey, STORE, stack.members[0]!);
  expect((await member.http('/v1/member/messages', { body: { clientId: 'e2e-mgr-1', kind: 'text', text: '这双有 38 码吗？' } })).status).toBe(201);
  const up = await member.http('/v1/member/images', { raw: PHOTO, type: 'image/png' });
  expect(up.status).toBe(201);
  const { image } = (await up.json()) as { image: { id: string } };
  expect((await member.http('/v1/member/messages', { body: { clientId: 'e2e-mgr-2', kind: 'image', imageId: image.id } })).status).toBe(201);
  await core.sendMessage(stack.members[0]!, { kind: 'text', text: '有的，给您拿一双' });
  await waitFor(async () => (await core.getConnection()).queued === 0, 10_000, 'reply sent');
  await core.closeVisit(visits[0]!, 'purchased', 'took the grey pair');
  await core.claimVisit(visits[1]!);
  await core.closeVisit(visits[1]!, 'tried');
  expect((await core.signIn('sh-nanjing-c2', '1002')).ok).toBe(true);
  await core.claimVisit(visits[2]!);
  await core.closeVisit(visits[2]!, 'purchased');
  await waitFor(async () => (await core.getConnection()).queued === 0, 10_000, 'outbox drained');
  await core.signOut();
  // A visit three days ago (served by 李娜), written through the store port: no route back-dates a claim.
  const past = Date.now() - 3 * DAY;
  await stack.hq.store.withTx((tx) =>
    tx.insertVisit({
      id: 'e2e-past-visit',
      storeId: STORE,
      memberId: stack.members[5]!,
      source: 'door',
      status: 'closed',
      arrivedAt: past,
      lastSeenAt: past,
      arrivals: 1,
      claimedBy: { deviceId: 'd-past', deviceName: 'Counter 2', clerkId: 'sh-nanjing-c2', clerkName: '李娜' },
      claimedAt: past + 40_000,
      closedAt: past + 600_000,
      outcome: 'browsed',
    }),
  );
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

  it('a manager signs in and sees the KPIs, every clerk, the chart and a timeline with its senders and the member’s photo', async () => {
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
    // Every clerk of the store, 张伟 (sh-nanjing-c3) with nobody served; not the manager.
    const rows = page.locator('.mgr-grid .panel:nth-child(2) tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(0).textContent()).toContain('王芳'); // sh-nanjing-c1 served 2
    const idle = page.locator('tr[data-clerk-id="sh-nanjing-c3"]');
    expect(await idle.getAttribute('data-served')).toBe('0');
    expect(await idle.textContent()).toContain('张伟');
    const hour = new Date().getHours();
    const bar = page.locator(`[data-testid="hour-chart"] g[data-hour="${hour}"]`);
    expect(await bar.getAttribute('data-arrivals')).toBe('5');
    expect(await bar.getAttribute('data-served')).toBe('3');
    expect(await page.locator('.hour-chart rect').count()).toBe(2);

    // The first visit's timeline: the member's words and photo, and the clerk's answer, each with its sender.
    await page.locator('.visits-table .linklike').last().click();
    await page.locator('.timeline li[data-kind="close"]').waitFor();
    const said = page.locator('.timeline li[data-kind="message"]');
    expect(await said.count()).toBe(3);
    expect(await said.nth(0).locator('.timeline-sender').getAttribute('data-from')).toBe('member');
    expect(await said.nth(0).textContent()).toMatch(/\(member\): 这双有 38 码吗？$/);
    const photo = said.nth(1).locator('.timeline-image img');
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(360);
    expect(await said.nth(1).locator('.timeline-sender').getAttribute('data-from')).toBe('member');
    expect(await said.nth(2).locator('.timeline-sender').textContent()).toBe('王芳 (store):');
    expect(await said.nth(2).textContent()).toContain('有的，给您拿一双');
    await page.locator('.manager').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shotPath('manager-en.png'), fullPage: true });
    await axeScan('store review with a timeline');
    // The thumbnail opens full size in place.
    await said.nth(1).locator('.timeline-image').click();
    expect(await said.nth(1).locator('.timeline-image').getAttribute('aria-expanded')).toBe('true');
    await page.screenshot({ path: shotPath('manager-timeline-photo.png'), fullPage: true });
  });

  it('under a clerk filter, served is that clerk’s share of all arrivals', async () => {
    const { page } = stack;
    await page.locator('.mgr-controls label', { hasText: 'Clerk' }).locator('select').selectOption('sh-nanjing-c1');
    await expect.poll(() => page.locator('.kpi[data-kpi="served"] .kpi-value').textContent()).toBe('40%'); // 2 of 5
    expect(await page.locator('.kpi[data-kpi="served"] .kpi-sub').textContent()).toBe('王芳 served 2 of 5');
    expect(await page.locator('.kpi[data-kpi="arrivals"] .kpi-value').textContent()).toBe('5');
    expect(await page.locator('.mgr-grid .panel:nth-child(2) tbody tr').count()).toBe(1);
    await page.screenshot({ path: shotPath('manager-clerk-filter.png'), fullPage: true });
    await page.locator('.mgr-controls label', { hasText: 'Clerk' }).locator('select').selectOption('');
    await expect.poll(() => page.locator('.kpi[data-kpi="served"] .kpi-value').textContent()).toBe('60%');
  });

  it('the last 7 days chart by date, and the CSV in the store’s zone with words and the store, card code, source and notes', async () => {
    const { page } = stack;
    await page.locator('.mgr-controls button', { hasText: 'Last 7 days' }).click();
    const chart = page.locator('[data-testid="day-chart"]');
    await chart.waitFor();
    expect(await page.locator('[data-testid="hour-chart"]').count()).toBe(0);
    const days = await chart.locator('g[data-day]').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-day'), g.getAttribute('data-arrivals'), g.getAttribute('data-served')]));
    expect(days).toHaveLength(7);
    expect(days[0]![0]).toBe(localDate(Date.now() - 6 * DAY));
    expect(days[6]).toEqual([localDate(Date.now()), '5', '3']);
    expect(days.find((d) => d[0] === localDate(Date.now() - 3 * DAY))).toEqual([localDate(Date.now() - 3 * DAY), '1', '1']);
    expect(await page.locator('.kpi[data-kpi="arrivals"] .kpi-value').textContent()).toBe('6');
    await page.locator('.manager').evaluate((el) => el.scrollTo(0, 0));
    await page.screenshot({ path: shotPath('manager-week-en.png'), fullPage: true });
    await axeScan('the last 7 days');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.mgr-controls .btn-primary').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    const lines = csv.replace(/^\ufeff/, '').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      `Store,Visit,Arrived (${zone}),Card code,Member,Tier,Source,Status,Served,Claimed (${zone}),Claimed after (s),Clerk,Counter,Outcome,Closed (${zone}),Notes`,
    );
    expect(lines).toHaveLength(7); // header + 6 visits
    const code = (await stack.hq.store.read((r) => r.getMember(stack.members[0]!)))!.code;
    const first = lines.find((l) => l.includes(`,${code},`))!;
    expect(first).toMatch(new RegExp(`^[^,]+,[^,]+,${localDate(Date.now())} \\d\\d:\\d\\d:\\d\\d,${code},`));
    expect(first).toContain(',Door,Closed,Yes,');
    expect(first).toContain(',王芳,Counter 1,Purchased,');
    expect(first.endsWith(',took the grey pair')).toBe(true);
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
    expect(await page.locator('tr[data-clerk-id="sh-nanjing-c3"]').getAttribute('data-served')).toBe('0');
    // The timeline from the cache: the same senders, and the photo from the counter's image cache.
    await page.locator('.visits-table .linklike').last().click();
    const said = page.locator('.timeline li[data-kind="message"]');
    await said.nth(2).waitFor();
    expect(await said.nth(0).locator('.timeline-sender').textContent()).toMatch(/（会员）：$/);
    expect(await said.nth(2).locator('.timeline-sender').textContent()).toBe('王芳（门店）：');
    const photo = said.nth(1).locator('.timeline-image img');
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(360);
    await page.screenshot({ path: shotPath('manager-zh-CN-offline.png'), fullPage: true });
  });
});
