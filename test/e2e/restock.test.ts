// Restock matches in a real Chromium through the web shell, against a real HQ and desk core (7/8),
// in both languages: members who wear EU 47 and like running (one by a stated preference, one by a
// running shoe bought before) and consented to personalisation and contact join the demo chain,
// with one who did not consent to contact; a new running shoe's EU 47 goes from 0 to 3 pairs
// through the real stock ingest route. The Today pane's "到货提醒 / Restock matches" lists the match
// with its three members (platinum first, then the one seen most recently), why each matches and
// when each was last seen; each of the three one-click acts turns into where it stands: the card is
// in the member's chat, the follow-up is in the Today list, and a pass made offline shows pending
// and settles on return. Screenshots: restock-today-*.png (the list) and restock-done-*.png (after the three acts).
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const DAY = 24 * 3600_000;
const STYLE = { id: 'e2e-cloud-runner-2', name: 'Cloud Runner 2' };
/** No demo member wears EU 47 (the demo's feet stop at 46), so the match is exactly the members below. */
const SIZE = 47;
/** The store's zone (Shanghai): the desk's clock shows times in it, whatever the test machine's zone. */
const ZONE = 'Asia/Shanghai';

async function ingest(s: Stack, what: 'catalog' | 'members' | 'stock', body: unknown): Promise<void> {
  const res = await fetch(`${s.hq.url}/v1/ingest/${what}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Integration-Key': s.hq.integrationKey },
    body: JSON.stringify(body),
  });
  expect(res.status, `${what}: ${await res.clone().text()}`).toBe(200);
  expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([]);
}

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  const cat = zh ? zhCN : en;
  const fill = (key: keyof typeof en, vars: Record<string, string | number> = {}) =>
    Object.entries(vars).reduce<string>((s, [k, v]) => s.replace(`{${k}}`, String(v)), cat[key]);
  const running = cat['restock.category.running'];

  describe(`restock matches (browser, ${lang})`, () => {
    it('lists the members a size arrived for; send card, follow-up and pass each turn into their state', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 900 }, timezoneId: ZONE });
      const s = stack;
      const now = Date.now();
      const both = { marketing: false, personalization: true, contact: true };
      const member = (id: string, name: string, tier: string, over: Record<string, unknown> = {}) => ({
        id,
        code: `E2E-${id}`,
        name,
        tier,
        phone: '13800001234',
        homeStoreId: STORE,
        sizes: { eu: SIZE, cn: 285 },
        preferences: ['running'],
        points: 0,
        consents: both,
        ...over,
      });
      const ran = { id: 'e2e-p-ran', styleId: 'e2e-old-runner', styleName: 'Old Runner', category: 'running', color: 'BLK', size: SIZE, storeId: STORE, at: now - 40 * DAY, price: 79900 };
      await ingest(s, 'catalog', [
        { id: STYLE.id, name: STYLE.name, category: 'running', price: 89900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [45, 46, SIZE], releasedAt: now - DAY },
      ]);
      await ingest(s, 'members', [
        member('e2e-zhou', '周雅琴', 'platinum', { preferences: [], purchases: [ran] }), // bought running
        member('e2e-lin', '林晓峰', 'gold'), // likes running, seen here today
        member('e2e-xu', '许佳怡', 'silver'), // likes running, never seen
        member('e2e-zheng', '郑浩', 'gold', { consents: { marketing: true, personalization: true, contact: false } }), // no contact consent
      ]);
      await s.arrive('e2e-lin');

      // The size arrives: 0 → 3 pairs through the stock ingest route; HQ matches, the desk lists.
      await ingest(s, 'stock', [{ storeId: STORE, styleId: STYLE.id, color: 'BLK', size: SIZE, qty: 3 }]);
      await expect.poll(async () => (await s.core.listRestockMatches()).length, { timeout: 10_000 }).toBe(1);

      const { page } = s;
      await page.locator('.today-button').click();
      const pane = page.locator('#today-pane');
      const section = pane.locator('section.restock');
      await section.waitFor();
      expect(await section.locator('h3').textContent()).toBe(`${cat['restock.title']} 1`);
      const match = section.locator('li.restock-match');
      await expect.poll(() => match.count()).toBe(1);
      expect(await match.locator('.restock-style').textContent()).toBe(STYLE.name);
      expect(await match.locator('.restock-size').textContent()).toBe(fill('restock.size', { size: SIZE }));
      const [cached] = await s.core.listRestockMatches();
      const hhmm = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', timeZone: ZONE }).format(cached!.at);
      expect(await match.locator('.restock-match-head + .today-meta').textContent()).toBe(fill('restock.pairs', { n: 3 }) + fill('restock.arrived', { when: hhmm }));

      // Platinum first, then the member seen most recently; the one without contact consent is not there.
      const rows = match.locator('li.restock-member');
      expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-member-id')))).toEqual(['e2e-zhou', 'e2e-lin', 'e2e-xu']);
      const row = (id: string) => match.locator(`li.restock-member[data-member-id="${id}"]`);
      expect(await row('e2e-zhou').locator('.today-member').textContent()).toBe('周雅琴');
      expect(await row('e2e-zhou').locator('.restock-why').textContent()).toBe(fill('restock.why.bought', { shoes: cat['restock.shoes.running'] }));
      expect(await row('e2e-lin').locator('.restock-why').textContent()).toBe(fill('restock.why.preference', { category: running }));
      expect(await row('e2e-zhou').locator('.tier').getAttribute('class')).toBe('tier tier-platinum');
      expect(await row('e2e-xu').locator('.today-meta').textContent()).toBe(cat['restock.neverSeen']);
      expect(await row('e2e-lin').locator('.today-meta').textContent()).toMatch(new RegExp(`^${cat['restock.seen'].replace('{ago}', '.+')}$`));
      for (const id of ['e2e-zhou', 'e2e-lin', 'e2e-xu']) expect(await row(id).locator('.restock-actions button').count()).toBe(3);
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath(`restock-today-${zh ? 'zh-CN' : 'en'}.png`) });

      // Send card → the chat has the product card; the row says sent.
      await row('e2e-zhou').locator('.restock-actions button', { hasText: cat['restock.act.message'] }).click();
      // Until HQ confirmed it: done as `message` and no longer pending (right after the click it is neither yet).
      await expect.poll(async () => [await row('e2e-zhou').getAttribute('data-done'), await row('e2e-zhou').getAttribute('data-pending')], { timeout: 10_000 }).toEqual(['message', 'false']);
      expect(await row('e2e-zhou').locator('.restock-state-text').textContent()).toBe(cat['restock.done.message']);
      // Who did it and when: the list is the whole store's.
      expect(await row('e2e-zhou').locator('.restock-by').textContent()).toMatch(/^ · 王芳 · \d\d:\d\d/);
      expect(await row('e2e-zhou').locator('.restock-actions').count()).toBe(0);
      const chat = await s.hq.store.read((r) => r.chat.messages(STORE, 'e2e-zhou', null, 10));
      expect(chat.map((m) => [m.from, m.kind, m.product?.styleId])).toEqual([['clerk', 'product', STYLE.id]]);

      // Follow-up task → the task is in the Today list (the clerk's own, due today); the row says set.
      await row('e2e-lin').locator('.restock-actions button', { hasText: cat['restock.act.task'] }).click();
      // Until HQ confirmed it: done as `task` and no longer pending (right after the click it is neither yet).
      await expect.poll(async () => [await row('e2e-lin').getAttribute('data-done'), await row('e2e-lin').getAttribute('data-pending')], { timeout: 10_000 }).toEqual(['task', 'false']);
      expect(await row('e2e-lin').locator('.restock-state-text').textContent()).toBe(cat['restock.done.task']);
      const task = pane.locator('li.today-task', { hasText: '林晓峰' });
      await task.waitFor({ timeout: 10_000 });
      expect(await task.locator('.today-kind').textContent()).toBe(cat['kind.call_back']);
      // The size is in store: the follow-up reads "has arrived: call", not "call when it arrives", with no one-language note.
      expect(await task.locator('.today-title').textContent()).toBe(fill('task.restockTitle', { style: STYLE.name, size: SIZE, name: '林晓峰' }));
      expect(await task.locator('.today-note').count()).toBe(0);
      const atHq = (await s.hq.store.read((r) => r.tasks.tasksOfStore(STORE, 0, 200))).filter((x) => x.memberId === 'e2e-lin');
      expect(atHq.map((x) => [x.kind, x.want?.styleId, x.want?.size])).toEqual([['call_back', STYLE.id, SIZE]]);

      // Pass, with the desk offline: shown at once as passed and waiting for HQ; settled on return.
      await s.core.stop();
      await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
      await row('e2e-xu').locator('.restock-actions button', { hasText: cat['restock.act.dismissed'] }).click();
      await expect.poll(() => row('e2e-xu').getAttribute('data-pending')).toBe('true');
      expect(await row('e2e-xu').locator('.restock-state').textContent()).toBe(`${cat['restock.done.dismissed']} · ${cat['restock.pending']}`);
      expect(await row('e2e-xu').locator('.restock-by').count()).toBe(0);
      s.core.start();
      await expect.poll(() => row('e2e-xu').getAttribute('data-pending'), { timeout: 10_000 }).toBe('false');
      expect(await row('e2e-xu').locator('.restock-state-text').textContent()).toBe(cat['restock.done.dismissed']);
      expect(await row('e2e-xu').locator('.restock-pending').count()).toBe(0);
      const recorded = await s.hq.store.read((r) => r.restock.getMatch(cached!.id));
      expect(recorded!.done.map((d) => [d.memberId, d.how, d.by?.clerkId])).toEqual([
        ['e2e-zhou', 'message', 'sh-nanjing-c1'],
        ['e2e-lin', 'task', 'sh-nanjing-c1'],
        ['e2e-xu', 'dismissed', 'sh-nanjing-c1'],
      ]);
      await page.screenshot({ path: shotPath(`restock-done-${zh ? 'zh-CN' : 'en'}.png`) });

      // The card in the member's chat, one click from the row.
      await row('e2e-zhou').locator('.today-member').click();
      expect(await pane.count()).toBe(0);
      await expect.poll(() => page.locator('.member-name').first().textContent(), { timeout: 10_000 }).toContain('周雅琴');
      const card = page.locator('.chat-msg[data-from="clerk"] .chat-product');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('strong').textContent()).toBe(STYLE.name);
    }, 90_000);
  });
}
