// Claims in a real Chromium through the web shell, against a real HQ and real desk cores: a claim
// lost while offline is told on the card and in the panel until dismissed; closing needs an
// outcome the clerk picks; a claim is the clerk's ("With 王芳" after a switch of clerk) and changes
// hands only by "Take over", which the manager's timeline shows; arrivals nobody serves leave the
// queue as "Left unserved", by a clerk's one click or by HQ when the store's wait runs out.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskCore, enroll } from '../../electron/desk/deskCore.ts';
import { DEMO_MANAGER, shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
const others: DeskCore[] = [];

afterEach(async () => {
  for (const d of others.splice(0)) await d.close();
  await stack?.close();
  stack = null;
});

const arrival = (visitId: string) => `li.arrival[data-visit-id="${visitId}"]`;
const LI_NA = { id: 'sh-nanjing-c2', pin: '1002' }; // demo clerk 李娜; the stack signs in 王芳 (c1)

/** A second, real counter of the store with its own cache, signed in as `clerk`. */
async function secondCounter(s: Stack, clerk: { id: string; pin: string }): Promise<DeskCore> {
  const { hq } = s;
  const e = await enroll(hq.url, await hq.createEnrollmentCode(STORE), 'Counter 2');
  const desk = DeskCore.open({ dbPath: join(s.dir, 'desk2.db'), hqUrls: [hq.url], token: e.token, reconnect: { minMs: 100, maxMs: 400 } });
  others.push(desk);
  desk.start();
  await expect.poll(async () => (await desk.getConnection()).status === 'online' && (await desk.listClerks()).length > 0, { timeout: 10_000 }).toBe(true);
  expect((await desk.signIn(clerk.id, clerk.pin)).ok).toBe(true);
  return desk;
}

/** Signs in another clerk at this counter through "Switch clerk". */
async function switchClerk(s: Stack, clerk: { id: string; pin: string }, label = 'Switch clerk'): Promise<void> {
  const { page } = s;
  await page.locator('.clerkbar-actions button', { hasText: label }).click();
  await page.locator(`[data-clerk="${clerk.id}"]`).click();
  await page.locator('#signin-pin').fill(clerk.pin);
  await page.locator('.signin-form button[type="submit"]').click();
  await expect.poll(() => page.locator('.clerkbar-name').getAttribute('data-clerk-id')).toBe(clerk.id);
}

describe('claims (browser)', () => {
  it('tells the loser of an offline claim race on the card and in the panel until dismissed', async () => {
    stack = await startStack({ locale: 'zh-CN' });
    const { page } = stack;
    const { visitId } = await stack.arrive(stack.members[6]!);
    await page.locator(arrival(visitId)).click();
    const counter2 = await secondCounter(stack, LI_NA);
    await expect.poll(async () => (await counter2.getVisit(visitId))?.status, { timeout: 10_000 }).toBe('open');

    // This counter's Wi-Fi drops; 李娜 claims at Counter 2; 王芳 claims here later, cut off.
    await stack.core.stop();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    await counter2.claimVisit(visitId);
    await expect.poll(async () => (await counter2.getVisit(visitId))?.sync, { timeout: 10_000 }).toBe('confirmed');
    await page.locator('[data-action="claim"]').click();
    await page.locator(`${arrival(visitId)}[data-sync="pending"]`).waitFor({ timeout: 3000 });

    // Back online: the card and the panel say who claimed first.
    stack.core.start();
    await page.locator(`${arrival(visitId)}[data-notice="already_claimed"]`).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator(`${arrival(visitId)} .arrival-notice`).textContent()).toBe('李娜 先接待了这位会员');
    await expect.poll(() => page.locator('.visit-notice .visit-notice-text').textContent()).toBe('李娜 先接待了这位会员');
    expect(await page.locator('.visit .visit-holder').textContent()).toBe('李娜 接待中');
    await page.screenshot({ path: shotPath('claims-lost-zh.png') });

    // The visit's next event (李娜's note) and a reload of the page leave it in place.
    await counter2.addNote(visitId, '想试 42 码');
    await page.locator('.note').filter({ hasText: '想试 42 码' }).waitFor({ timeout: 5000 });
    await page.reload();
    await page.locator(arrival(visitId)).click();
    await page.locator(`${arrival(visitId)}[data-notice="already_claimed"]`).waitFor({ timeout: 5000 });
    await page.locator('.visit-notice').waitFor();

    // Dismissed: gone from the card and the panel.
    await page.locator('[data-action="dismiss-notice"]').click();
    await page.locator(`${arrival(visitId)}[data-notice="none"]`).waitFor({ timeout: 3000 });
    expect(await page.locator('.visit-notice').count()).toBe(0);
    expect(await page.locator(`${arrival(visitId)} .arrival-notice`).count()).toBe(0);
  });

  it('closing needs an outcome the clerk picks: nothing is pre-selected and the button waits for it', async () => {
    stack = await startStack();
    const { page } = stack;
    const { visitId } = await stack.arrive(stack.members[1]!);
    await page.locator(arrival(visitId)).click();
    await page.locator('[data-action="claim"]').click();
    await page.locator(`${arrival(visitId)}[data-sync="confirmed"][data-status="claimed"]`).waitFor({ timeout: 5000 });
    await page.locator('.close-form').waitFor();
    expect(await page.locator('.close-form input[type="radio"]:checked').count()).toBe(0);
    expect(await page.locator('[data-action="close"]').isDisabled()).toBe(true);
    await page.screenshot({ path: shotPath('claims-close-no-default-en.png') });
    // One click on the button records nothing.
    await page.locator('[data-action="close"]').click({ force: true });
    expect(await page.locator(arrival(visitId)).getAttribute('data-status')).toBe('claimed');
    await page.locator('.close-form input[value="browsed"]').check();
    expect(await page.locator('[data-action="close"]').isEnabled()).toBe(true);
    await page.locator('[data-action="close"]').click();
    await page.locator(`${arrival(visitId)}[data-status="closed"][data-sync="confirmed"]`).waitFor({ timeout: 5000 });
    expect((await stack.hq.store.read((r) => r.getVisit(visitId)))?.outcome).toBe('browsed');
  });

  it('a claim is the clerk’s: after a switch it is “With 王芳”, and only “Take over” lets another clerk close it, as the timeline shows', async () => {
    stack = await startStack();
    const { page } = stack;
    const { visitId } = await stack.arrive(stack.members[2]!);
    await page.locator(arrival(visitId)).click();
    await page.locator('[data-action="claim"]').click();
    await page.locator(`${arrival(visitId)}[data-sync="confirmed"][data-status="claimed"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(`${arrival(visitId)} .arrival-state`).textContent()).toBe('With you');

    await switchClerk(stack, LI_NA);
    await page.locator(arrival(visitId)).click();
    await expect.poll(() => page.locator(`${arrival(visitId)} .arrival-state`).textContent()).toBe('With 王芳');
    expect(await page.locator('.visit .visit-holder').textContent()).toBe('With 王芳');
    // Neither close nor note under 王芳's claim: take it over first.
    expect(await page.locator('.close-form').count()).toBe(0);
    expect(await page.locator('.note-form').count()).toBe(0);
    expect(await page.locator('[data-action="release"]').count()).toBe(0);
    await page.locator('.take-over-hint').waitFor();
    await page.screenshot({ path: shotPath('claims-with-other-clerk-zh.png') });

    await page.locator('[data-action="takeover"]').click();
    await page.locator(`${arrival(visitId)}[data-sync="confirmed"]`).waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator(`${arrival(visitId)} .arrival-state`).textContent()).toBe('With you');
    await page.locator('.close-form input[value="tried"]').check();
    await page.locator('[data-action="close"]').click();
    await page.locator(`${arrival(visitId)}[data-status="closed"][data-sync="confirmed"]`).waitFor({ timeout: 5000 });
    expect(await stack.hq.store.read((r) => r.getVisit(visitId))).toMatchObject({
      outcome: 'tried',
      claimedBy: { clerkName: '李娜' },
      takeovers: [{ from: { clerkName: '王芳' }, by: { clerkName: '李娜' } }],
    });

    // The store manager's timeline shows who took it over from whom.
    await switchClerk(stack, DEMO_MANAGER);
    await page.locator('.nav-manager').click();
    await page.locator('.mgr-source[data-source="hq"]').waitFor({ timeout: 10_000 });
    await page.locator('table button.linklike').first().click();
    await page.locator('.timeline li[data-kind="takeover"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.timeline li[data-kind="takeover"]').textContent()).toContain('Taken over by 李娜 from 王芳');
    expect(await page.locator('.timeline li[data-kind="claim"]').textContent()).toContain('Claimed by 王芳');
    await page.locator('.timeline-panel').screenshot({ path: shotPath('claims-timeline-takeover.png') });
  });

  it('arrivals leave the queue: a clerk marks one left in one click, HQ the rest when the store’s wait runs out', async () => {
    stack = await startStack();
    const { page } = stack;
    const visits = [];
    for (const m of stack.members.slice(10, 13)) visits.push((await stack.arrive(m)).visitId);
    const [left, unclaimed, served] = visits as [string, string, string];
    for (const id of visits) await page.locator(arrival(id)).waitFor();
    await expect.poll(() => page.locator('.queue-count').textContent()).toBe('Waiting 3');

    await page.locator(arrival(served)).click();
    await page.locator('[data-action="claim"]').click();
    await page.locator(arrival(left)).click();
    await page.locator('[data-action="left"]').click();
    await page.locator(`${arrival(left)}[data-status="closed"][data-sync="confirmed"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(`${arrival(left)} .arrival-state`).textContent()).toBe('Left unserved');
    await expect.poll(() => page.locator('.queue-count').textContent()).toBe('Waiting 1');

    // The demo store's wait is 15 minutes: HQ's sweep, run as if it were later, closes the one nobody claimed.
    expect(await stack.hq.sweepUnserved(Date.now() + 20 * 60_000)).toBe(1);
    await page.locator(`${arrival(unclaimed)}[data-status="closed"]`).waitFor({ timeout: 5000 });
    expect(await page.locator(`${arrival(unclaimed)} .arrival-state`).textContent()).toBe('Left unserved');
    await expect.poll(() => page.locator('.queue-count').textContent()).toBe('');
    expect(await page.locator(arrival(served)).getAttribute('data-status')).toBe('claimed');
    await page.screenshot({ path: shotPath('claims-left-unserved.png') });
    const facts = await stack.hq.store.read((r) => r.clerks.figures([STORE], { from: Date.now() - 3_600_000, to: Date.now() + 60_000, tzOffsetMin: 480, limit: 10 }));
    expect(facts.kpis).toMatchObject({ arrivals: 3, served: 1 });
  });
});
