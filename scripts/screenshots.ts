// Screenshots of the desk for docs/screenshots/: 1280×800, English and 简体中文, online and with
// HQ stopped. Uses the same real stack as `npm start` (demo HQ seeded by seedDemo, a desk core
// enrolled with it, the web shell) and Debian's Chromium through playwright-core.
//
//   npm run build:renderer && npx tsx scripts/screenshots.ts [outDir]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { DeskCore, enroll } from '../electron/desk/deskCore.ts';
import { startWebShell } from '../electron/web/webShell.ts';
import { seedDemo } from '../hq/demo/seed.ts';
import { startHq } from '../hq/server.ts';

const outDir = resolve(process.argv[2] ?? 'docs/screenshots');
const STORE = 'sh-nanjing';
mkdirSync(outDir, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'footfall-shots-'));

const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
await seedDemo(hq, { members: 300, styles: 60, seed: 20251124 });
const identity = await enroll(hq.url, await hq.createEnrollmentCode(STORE), 'Counter 1');
const core = DeskCore.open({ dbPath: join(dir, 'desk.db'), hqUrls: [hq.url], token: identity.token, reconnect: { minMs: 200, maxMs: 60_000 } });
core.start();
// The desk opens for a signed-in clerk (a demo clerk of the store, PIN from hq/demo/clerks.ts).
// Wait until the desk is online so the clerk signs in at HQ (as at a counter with a network),
// not offline from the cached hash.
while ((await core.listClerks()).length === 0 || (await core.getConnection()).status !== 'online') await new Promise((r) => setTimeout(r, 50));
await core.signIn(`${STORE}-c1`, '1001');
const shell = await startWebShell({ core, staticDir: resolve('out/renderer') });

// Pick members with a purchase history and recommendations, so the card shows what it can.
const members = await hq.store.read(async (r) => {
  const withHistory = [];
  for (const m of await r.listHomeMembers(STORE)) if ((await r.purchasesOf(m.id, 5)).length >= 2) withHistory.push(m);
  return withHistory.slice(0, 6);
});
const arrive = async (memberId: string) => {
  const res = await fetch(`${hq.url}/v1/ingest/arrivals`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Integration-Key': hq.integrationKey },
    body: JSON.stringify({ storeId: STORE, memberId, source: 'door' }),
  });
  return ((await res.json()) as { visitId: string }).visitId;
};
const visits: string[] = [];
for (const m of members) visits.push(await arrive(m.id));

const browser = await chromium.launch({
  executablePath: process.env.FOOTFALL_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--hide-scrollbars'],
});

async function open(locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(shell.url);
  await page.locator('li.arrival').nth(visits.length - 1).waitFor();
  return page;
}

const sel = (visitId: string) => `li.arrival[data-visit-id="${visitId}"]`;
const en = await open('en-US');
// One visit already with this counter and one closed, so the queue shows every state.
await en.locator(sel(visits[0]!)).click();
await en.locator('[data-action="claim"]').click();
await en.locator(`${sel(visits[0]!)}[data-sync="confirmed"]`).waitFor();
await en.locator('.close-form input[value="tried"]').check();
await en.locator('[data-action="close"]').click();
await en.locator(`${sel(visits[0]!)}[data-status="closed"]`).waitFor();
await en.locator(sel(visits[3]!)).click();
await en.locator('[data-action="claim"]').click();
await en.locator(`${sel(visits[3]!)}[data-sync="confirmed"]`).waitFor();
await en.locator('.note-form textarea').fill('Liked the white colourway; back on Saturday to try 38.5.');
await en.locator('[data-action="note"]').click();
await en.locator('.note[data-sync="confirmed"]').first().waitFor();
await en.locator(sel(visits[visits.length - 1]!)).click();
await en.locator('.member-card').waitFor();
await en.screenshot({ path: join(outDir, 'desk-en-online.png') });

const zh = await open('zh-CN');
await zh.locator(sel(visits[3]!)).click();
await zh.locator('.member-card').waitFor();
await zh.screenshot({ path: join(outDir, 'desk-zh-online.png') });

// HQ goes away: the desk keeps working, and what the clerk does waits, marked, in the outbox.
await hq.close();
await en.locator('.conn[data-status="offline"]').waitFor({ timeout: 10_000 });
await en.locator(sel(visits[visits.length - 1]!)).click();
await en.locator('[data-action="claim"]').click();
await en.locator(`${sel(visits[visits.length - 1]!)}[data-sync="pending"]`).waitFor();
await en.locator('.note-form textarea').fill('Asked about kids sizes for her son.');
await en.locator('[data-action="note"]').click();
await en.locator('.note[data-sync="pending"]').waitFor();
await en.locator('.note-form textarea').fill('');
await en.locator('.note-form textarea').blur();
await en.mouse.move(0, 0);
await en.screenshot({ path: join(outDir, 'desk-en-offline.png') });

await zh.locator(sel(visits[visits.length - 1]!)).click();
await zh.locator('.note[data-sync="pending"]').waitFor();
await zh.mouse.move(0, 0);
await zh.screenshot({ path: join(outDir, 'desk-zh-offline.png') });

await browser.close();
await shell.close();
await core.close();
rmSync(dir, { recursive: true, force: true });
console.log(`screenshots in ${outDir}`);
