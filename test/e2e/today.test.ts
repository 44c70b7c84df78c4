// Follow-up tasks in a real Chromium through the web shell, against a real HQ and desk core: the
// clerk bar's Today button with its count; the Mine and Store lists; a restock task HQ made when a
// wanted size arrived; the new-task form (member found by search, the style they wait for, due
// later today) saved through the outbox; done and snooze in one click each, offline too; a task's
// member opened in one click. Screenshots of both lists and the form in zh-CN and en.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLERK, shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

const LI_NA = 'sh-nanjing-c2'; // another demo clerk of the store
const HOUR = 3600_000;

const cases = [
  { locale: 'zh-CN', lang: 'zh', t: { today: '今日跟进', store: '全店', mine: '我的', newTask: '+ 新建任务', save: '保存任务', done: '完成', hour: '1 小时', later: '今天稍后', arrived: '码到货了：致电' } },
  { locale: 'en-US', lang: 'en', t: { today: 'Today', store: 'Store', mine: 'Mine', newTask: '+ New task', save: 'Save task', done: 'Done', hour: '1 h', later: 'Later today', arrived: 'has arrived: call' } },
] as const;

describe('Today list (browser)', () => {
  for (const c of cases) {
    it(`lists, creates, completes and snoozes follow-ups (${c.locale})`, async () => {
      stack = await startStack({ locale: c.locale, viewport: { width: 1280, height: 860 } });
      const { page, core, hq } = stack;

      // A size nobody has in stock here, of a style the member can wait for.
      const { styleId, size, styleName } = await hq.store.read(async (r) => {
        const stock = await r.stockForStore(STORE);
        for (const st of await r.listStyles()) {
          const free = st.sizes.find((sz) => !stock.some((l) => l.styleId === st.id && l.size === sz && l.qty > 0));
          if (free !== undefined) return { styleId: st.id, size: free, styleName: st.name };
        }
        throw new Error('no size out of stock');
      });
      const [m1, m2, m3, m4] = stack.members as [string, string, string, string];
      const names = await hq.store.read(async (r) => Object.fromEntries(await Promise.all([m1, m2, m3, m4].map(async (id) => [id, (await r.getMember(id))!.name] as const))));

      // The demo's own birthday-week tasks (store-wide), if its members have any this week.
      const baseline = (await core.listTasks({ scope: 'store' })).length;
      // Tasks set at this counter (via the core, as the UI would): overdue, today, another clerk's, a want.
      await core.createTask({ memberId: m1, kind: 'call_back', text: c.lang === 'zh' ? '想要黑色，下午六点后方便' : 'Wants black; after 6 pm', dueAt: Date.now() - 26 * HOUR, assignee: DEMO_CLERK.id });
      await core.createTask({ memberId: null, kind: 'other', text: c.lang === 'zh' ? '整理跑鞋展台' : 'Tidy the running-shoe wall', dueAt: Date.now() - 60_000, assignee: null });
      await core.createTask({ memberId: m2, kind: 'birthday', text: '', dueAt: Date.now() - 60_000, assignee: LI_NA });
      const want = await core.createTask({ memberId: m3, kind: 'call_back', text: '', dueAt: Date.now() + 30 * 24 * HOUR, assignee: DEMO_CLERK.id, want: { styleId, size } });
      await expect.poll(() => core.outbox().length, { timeout: 10_000 }).toBe(0);
      // The size arrives: HQ makes the restock task for this clerk and closes the want.
      const res = await fetch(`${hq.url}/v1/ingest/stock`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Integration-Key': hq.integrationKey },
        body: JSON.stringify([{ storeId: STORE, styleId, color: (await hq.store.read((r) => r.listStyles())).find((s) => s.id === styleId)!.colors[0]!.code, size, qty: 3 }]),
      });
      expect(res.ok).toBe(true);
      await expect.poll(async () => (await core.listTasks({ scope: 'mine' })).some((x) => x.kind === 'restock' && x.refId === want.taskId), { timeout: 10_000 }).toBe(true);

      // One click to the list; the badge counts the clerk's tasks due.
      const button = page.locator('.today-button');
      await expect.poll(() => button.locator('.today-badge').textContent(), { timeout: 10_000 }).toBe('2');
      await button.click();
      const pane = page.locator('#today-pane');
      await pane.waitFor();
      const rows = pane.locator('li.today-task');
      await expect.poll(() => rows.count()).toBe(2);
      await expect.poll(() => pane.locator('.today-kind-restock .today-title').textContent()).toContain(c.t.arrived);
      expect(await pane.locator('.today-kind-restock .today-title').textContent()).toContain(styleName);
      expect(await pane.locator('.today-kind-restock .today-title').textContent()).toContain(names[m3]);
      expect(await pane.locator('.today-overdue .today-member').textContent()).toContain(names[m1]);
      await page.screenshot({ path: shotPath(`today-mine-${c.lang}.png`) });

      // The store's list: also the store-wide task and 李娜's birthday call.
      await pane.locator('.today-tab', { hasText: c.t.store }).click();
      await expect.poll(() => rows.count()).toBe(baseline + 4);
      await expect.poll(() => pane.locator('.today-kind-birthday .today-title').textContent()).toContain(names[m2]);
      await page.screenshot({ path: shotPath(`today-store-${c.lang}.png`) });

      // The new-task form: the member found by search, the style they wait for, due later today.
      await pane.locator('.today-new').click();
      const form = pane.locator('form.task-form');
      await form.locator('input[type="search"]').fill(names[m4]!);
      await form.locator('.task-hit').first().click();
      await form.locator('.task-member').waitFor();
      // The style they wait for: one suggested to them or bought before, in their size.
      const styles = form.locator('#task-style option');
      await expect.poll(() => styles.count(), { timeout: 5000 }).toBeGreaterThan(1);
      await form.locator('#task-style').selectOption({ index: 1 });
      await form.locator('.task-size input').fill('39.5');
      await form.locator('textarea').fill(c.lang === 'zh' ? '到店试穿后回电确认尺码' : 'Call to confirm the size after the fitting');
      await form.locator('.task-due button', { hasText: c.t.later }).click();
      await page.screenshot({ path: shotPath(`today-new-task-${c.lang}.png`) });
      await form.locator('button[type="submit"]', { hasText: c.t.save }).click();
      await pane.locator('.today-tab', { hasText: c.t.mine }).click();
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
      const created = (await core.listTasks({ scope: 'mine' })).find((x) => x.memberId === m4)!;
      expect(created).toMatchObject({ kind: 'call_back', assignee: DEMO_CLERK.id, want: { size: 39.5 } });
      await expect.poll(() => hq.store.read((r) => r.tasks.getTask(created.id)).then((x) => x?.status), { timeout: 10_000 }).toBe('open');

      // Done and snooze, one click each; the desk offline for the snooze: shown at once, settled on return.
      await pane.locator(`li[data-task-id="${created.id}"] .today-done`).click();
      await expect.poll(() => rows.count()).toBe(2);
      await expect.poll(() => hq.store.read((r) => r.tasks.getTask(created.id)).then((x) => x?.status), { timeout: 10_000 }).toBe('done');
      await core.stop();
      await page.locator('.conn.conn-bad').waitFor({ timeout: 5000 });
      const overdue = pane.locator('li.today-overdue');
      const overdueId = (await overdue.getAttribute('data-task-id'))!;
      await overdue.locator('.today-snooze button', { hasText: c.t.hour }).click();
      await expect.poll(() => rows.count()).toBe(1);
      expect((await hq.store.read((r) => r.tasks.getTask(overdueId)))?.snoozedUntil).toBeNull();
      core.start();
      await expect.poll(() => hq.store.read((r) => r.tasks.getTask(overdueId)).then((x) => x?.snoozedUntil ?? null), { timeout: 10_000 }).not.toBeNull();
      await expect.poll(() => button.locator('.today-badge').textContent()).toBe('1');

      // The member of a task, in one click.
      await pane.locator('.today-kind-restock .today-member').click();
      await expect.poll(() => page.locator('.member-name').first().textContent()).toContain(names[m3]);
      expect(await pane.count()).toBe(0);
    }, 90_000);
  }
});
