// The clerk desk in a real Chromium, through the web shell, against a real HQ and desk core.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sawIt, type Stack, startStack, watchFor } from './stack.ts';

let stack: Stack | null = null;

afterEach(async () => {
  await stack?.close();
  stack = null;
});

const arrival = (visitId: string) => `li.arrival[data-visit-id="${visitId}"]`;

describe('clerk desk (browser)', () => {
  it('shows an arrival ingested over HTTP within a second', async () => {
    stack = await startStack();
    const { page } = stack;
    const started = Date.now();
    const { visitId } = await stack.arrive(stack.members[0]!);
    await page.locator(arrival(visitId)).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await expect.poll(() => page.locator(arrival(visitId)).getAttribute('data-status')).toBe('open');
  });

  it('marks a claim pending, then confirmed by HQ', async () => {
    stack = await startStack();
    const { page } = stack;
    const { visitId } = await stack.arrive(stack.members[1]!);
    await page.locator(arrival(visitId)).click();
    await watchFor(page, 'sawPending', `${arrival(visitId)}[data-sync="pending"]`);
    await page.locator('[data-action="claim"]').click();
    await page.locator(`${arrival(visitId)}[data-sync="confirmed"][data-status="claimed"]`).waitFor({ timeout: 5000 });
    expect(await sawIt(page, 'sawPending')).toBe(true);
    // Claimed by this counter: release and close become available. Close it as "tried on".
    await page.locator('[data-action="release"]').waitFor();
    await page.locator('.close-form input[value="tried"]').check();
    await page.locator('[data-action="close"]').click();
    await page.locator(`${arrival(visitId)}[data-status="closed"][data-sync="confirmed"]`).waitFor({ timeout: 5000 });
    expect(await page.locator('.action-error').count()).toBe(0);
  });

  it('keeps working offline and confirms queued actions after HQ restarts, without a duplicate alert', async () => {
    stack = await startStack();
    const { page } = stack;
    const first = await stack.arrive(stack.members[2]!);
    const second = await stack.arrive(stack.members[3]!);
    await page.locator(arrival(first.visitId)).waitFor();
    await page.locator(arrival(second.visitId)).waitFor();

    await stack.killHq();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    expect(await page.locator('.conn').getAttribute('data-status')).not.toBe('online');

    // Claim by keyboard: select the older arrival with the arrow keys, Enter claims it.
    await page.locator('#arrivals').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator(arrival(first.visitId)).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await page.locator(`${arrival(first.visitId)}[data-sync="pending"]`).waitFor({ timeout: 3000 });

    await page.locator('.note-form textarea').fill('Wants the trail runner in 38.5');
    await page.locator('[data-action="note"]').click();
    await page.locator('.note[data-sync="pending"]').waitFor({ timeout: 3000 });
    await page.locator('.conn-queued').waitFor();

    await stack.restartHq();
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 10_000 });
    await page.locator(`${arrival(first.visitId)}[data-sync="confirmed"][data-status="claimed"]`).waitFor({ timeout: 10_000 });
    await page.locator('.note[data-sync="confirmed"]').filter({ hasText: 'trail runner' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('.conn-queued').count()).toBe(0);

    // Each visit appears once, whatever was replayed on resume.
    expect(await page.locator(arrival(first.visitId)).count()).toBe(1);
    expect(await page.locator(arrival(second.visitId)).count()).toBe(1);
    const ids = await page.locator('li.arrival').evaluateAll((els) => els.map((e) => e.getAttribute('data-visit-id')));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await page.locator('.note').filter({ hasText: 'trail runner' }).count()).toBe(1);
  });

  it('reconnects to a restarted web shell and catches up', async () => {
    stack = await startStack();
    const { page } = stack;
    await stack.shell.close();
    await page.locator('.conn[data-status="bridge-down"]').waitFor({ timeout: 5000 });
    // Arrives while the page has no bridge: it must show after the reconnect's reload.
    const { visitId } = await stack.arrive(stack.members[8]!);
    await stack.restartShell();
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 10_000 });
    await page.locator(arrival(visitId)).waitFor({ timeout: 5000 });
  });

  it('switches language and remembers it', async () => {
    stack = await startStack({ locale: 'en-US' });
    const { page } = stack;
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Arrivals');
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('到店');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.locator('.conn').textContent()).toContain('在线');
    await page.reload();
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('到店');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('Arrivals');
  });

  it('finds a member in the cache by card code and opens the card', async () => {
    stack = await startStack();
    const { page } = stack;
    const memberId = stack.members[7]!;
    const member = (await stack.hq.store.read((r) => r.getMember(memberId)))!;
    await page.locator('#member-search').fill(member.code);
    const hit = page.locator('.search-hit').filter({ hasText: member.code });
    await hit.waitFor({ timeout: 3000 });
    await hit.click();
    await page.locator(`.member-card[data-member-id="${member.id}"]`).waitFor({ timeout: 3000 });
    expect(await page.locator('.member-name').textContent()).toContain(member.name);
    // Never the full phone number on screen.
    expect(await page.locator('.member-card').textContent()).not.toContain(member.phone);
  });

  it('follows a Chinese browser by default', async () => {
    stack = await startStack({ locale: 'zh-CN' });
    await expect.poll(() => stack!.page.locator('#queue-title').textContent()).toBe('到店');
  });

  it('has no serious or critical axe violations in the main views', async () => {
    stack = await startStack({ bypassCsp: true });
    const { page } = stack;
    const { visitId } = await stack.arrive(stack.members[4]!);
    await stack.arrive(stack.members[5]!);
    const axePath = resolve('node_modules/axe-core/axe.min.js');
    expect(readFileSync(axePath).length).toBeGreaterThan(0);
    const scan = async (label: string) => {
      await page.addScriptTag({ path: axePath });
      const result = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
        return axe.run(document, { resultTypes: ['violations'] });
      })) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> };
      const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad.map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    };
    await page.locator(arrival(visitId)).waitFor();
    await scan('queue, no member');
    await page.locator(arrival(visitId)).click();
    await page.locator('.member-card').waitFor();
    await scan('member card, open visit');
    await page.locator('[data-action="claim"]').click();
    await page.locator('[data-action="release"]').waitFor();
    await scan('member card, claimed (close form)');
    await page.locator('#member-search').fill('a');
    await page.locator('.search-results').waitFor();
    await scan('search results');
    await page.locator('#member-search').fill('');
    await page.getByRole('button', { name: '中文' }).click();
    await scan('zh-CN');
    await stack.killHq();
    await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
    await scan('offline');
  });
});

describe('two counters (browser)', () => {
  it('tells the loser of a claim race who won', async () => {
    stack = await startStack();
    const { page, hq } = stack;
    const { visitId } = await stack.arrive(stack.members[6]!);
    await page.locator(arrival(visitId)).click();

    // A second, real desk core at the same store: "Counter 2".
    const { DeskCore, enroll } = await import('../../electron/desk/deskCore.ts');
    const { join } = await import('node:path');
    const other = await enroll(hq.url, await hq.createEnrollmentCode('sh-nanjing'), 'Counter 2');
    const counter2 = DeskCore.open({ dbPath: join(stack.dir, 'desk2.db'), hqUrls: [hq.url], token: other.token, reconnect: { minMs: 100, maxMs: 400 } });
    try {
      // This counter loses its link (as if its Wi-Fi dropped)...
      await stack.core.stop();
      await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });

      // ...while Counter 2, online, claims the visit...
      counter2.start();
      await expect.poll(async () => (await counter2.getVisit(visitId))?.status, { timeout: 10_000 }).toBe('open');
      await counter2.claimVisit(visitId);
      await expect.poll(async () => (await counter2.getVisit(visitId))?.sync, { timeout: 10_000 }).toBe('confirmed');

      // ...and this one claims it later, cut off.
      await page.locator('[data-action="claim"]').click();
      await page.locator(`${arrival(visitId)}[data-sync="pending"]`).waitFor({ timeout: 3000 });

      // Back online: the earlier claim holds it, and this counter sees who claimed first.
      stack.core.start();
      await page.locator(`${arrival(visitId)}[data-notice="already_claimed"]`).waitFor({ timeout: 10_000 });
      await expect.poll(() => page.locator(`${arrival(visitId)} .arrival-notice`).textContent()).toBe('Claimed by Counter 2 first');
    } finally {
      await counter2.close();
    }
  });
});
