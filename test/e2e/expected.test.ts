// Expected visits in a real Chromium through the web shell, against a real HQ and desk core (5/8),
// in both languages: members say they will come — one by "hold a pair for me" from the chat (the
// real member HTTP route: a hold and an expectation linked by holdId), one from a group's product
// card — and then walk in. The arrival row carries the chip, the arrival card the cue "来试穿 X
// （来自 Y 群）/ Came to try X (from group Y)" with the pair held, and the Today pane's "Expected
// today" list shows who, what, where from and where it stands. Screenshots: expected-arrival-*.png
// (the card with the cue) and expected-today-*.png (the Today pane's list beside it).
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { type ExpectedVisit } from '../../shared/expected.ts';
import { type Hold } from '../../shared/holds.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** A member's session token, as the integration hands one to its mini-program. */
async function memberToken(s: Stack, memberId: string): Promise<string> {
  const res = await fetch(`${s.hq.url}/v1/integration/member-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-integration-key': s.hq.integrationKey },
    body: JSON.stringify({ memberId, storeId: STORE }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}
const post = (s: Stack, token: string, path: string, body: unknown) =>
  fetch(`${s.hq.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

/** For each member, a stock line of this store in their size with a pair free, of a style not picked for another. */
async function linesFor(s: Stack, memberIds: string[]): Promise<Array<{ styleId: string; styleName: string; color: string; size: number }>> {
  return s.hq.store.read(async (r) => {
    const styles = await r.listStyles();
    const stock = await r.stockForStore(STORE);
    const out: Array<{ styleId: string; styleName: string; color: string; size: number }> = [];
    for (const id of memberIds) {
      const size = (await r.getMember(id))!.sizes.eu;
      let l: (typeof stock)[number] | undefined;
      for (const x of stock) {
        if (x.size !== size || out.some((o) => o.styleId === x.styleId)) continue;
        if (x.qty - (await r.holds.heldQty(STORE, x.styleId, x.color, x.size)) > 0) {
          l = x;
          break;
        }
      }
      if (!l) throw new Error(`no free pair in EU ${size} for ${id}`);
      out.push({ styleId: l.styleId, styleName: styles.find((st) => st.id === l.styleId)!.name, color: l.color, size: l.size });
    }
    return out;
  });
}

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  const cat = zh ? zhCN : en;
  const fill = (key: keyof typeof en, vars: Record<string, string | number>) => Object.entries(vars).reduce<string>((s, [k, v]) => s.replace(`{${k}}`, String(v)), cat[key]);

  describe(`expected visits (browser, ${lang})`, () => {
    it('the arrival card says what the member came to try and from where, with the pair held; Today lists the expected', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 900 } });
      const s = stack;
      const [a, b, c] = [s.members[4]!, s.members[5]!, s.members[6]!];
      const [lineA, lineB] = await linesFor(s, [a, b]);
      const names = await s.hq.store.read(async (r) => Object.fromEntries(await Promise.all([a, b, c].map(async (id) => [id, (await r.getMember(id))!.name] as const))));

      // A: "hold a pair for me" from the chat — the real member route: a hold and its expectation.
      const tokenA = await memberToken(s, a);
      const resA = await post(s, tokenA, '/v1/member/holds', { clientId: `e2e-${randomUUID()}`, styleId: lineA!.styleId, color: lineA!.color, size: lineA!.size, source: { kind: 'chat', id: null } });
      expect(resA.status).toBe(201);
      const { hold: holdA } = (await resA.json()) as { hold: Hold; expected: ExpectedVisit };

      // B: a pair held from a group's product card. The group's title is HQ's lookup in groups
      // storage, which lands with migration 14; until then the expectation HQ would write for it is
      // written here, through the store's log as the use case does, and linked to B's real hold.
      const tokenB = await memberToken(s, b);
      const resB = await post(s, tokenB, '/v1/member/holds', { clientId: `e2e-${randomUUID()}`, styleId: lineB!.styleId, color: lineB!.color, size: lineB!.size, expect: false });
      expect(resB.status).toBe(201);
      const { hold: holdB } = (await resB.json()) as { hold: Hold };
      const groupTitle = zh ? '周末跑团' : 'Weekend Runners';
      await s.hq.eventLog.write(async (tx, append) => {
        await tx.lockStore(STORE);
        const now = Date.now();
        const expected: ExpectedVisit = {
          id: uuidv7(now),
          storeId: STORE,
          member: holdB.member,
          styleId: holdB.styleId,
          styleName: holdB.styleName,
          size: holdB.size,
          holdId: holdB.id,
          source: { kind: 'group', id: 'g-weekend-runners', title: groupTitle },
          createdAt: now,
          until: holdB.until,
          status: 'expected',
          visitId: null,
          arrivedAt: null,
        };
        await tx.expected.putExpected(expected, now, `e2e-${randomUUID()}`);
        await append(STORE, 'expect.updated', { expected }, now);
      });

      // C: "I'll come" from the member page, no style, not arrived yet.
      const tokenC = await memberToken(s, c);
      expect((await post(s, tokenC, '/v1/member/expected', { clientId: `e2e-${randomUUID()}`, source: { kind: 'member_page', id: null } })).status).toBe(201);
      await expect.poll(async () => (await s.core.listExpected()).length, { timeout: 10_000 }).toBe(3);

      // A and B walk in (the door): their rows carry the chip, their cards the cue.
      const { visitId: visitA } = await s.arrive(a);
      const { visitId: visitB } = await s.arrive(b);
      const rowA = s.page.locator(`li.arrival[data-visit-id="${visitA}"]`);
      const rowB = s.page.locator(`li.arrival[data-visit-id="${visitB}"]`);
      await rowB.locator('.expected-chip').waitFor({ timeout: 10_000 });
      expect(await rowA.locator('.expected-chip').textContent()).toBe(cat['expected.chip']);

      await rowA.click();
      const cueA = s.page.locator('.member-card .expected-cue');
      await cueA.waitFor({ timeout: 10_000 });
      const whatA = fill('expected.what', { style: lineA!.styleName, size: lineA!.size });
      expect(await cueA.locator('.expected-cue-text').textContent()).toBe(fill('expected.cueWithSource', { cue: fill('expected.cue', { what: whatA }), source: cat['expected.from.chat'] }));
      await expect.poll(() => cueA.locator('.expected-cue-hold').getAttribute('data-hold-id'), { timeout: 10_000 }).toBe(holdA.id);

      await rowB.click();
      const cueB = s.page.locator(`.member-card .expected-cue[data-source="group"]`);
      await cueB.waitFor({ timeout: 10_000 });
      const whatB = fill('expected.what', { style: lineB!.styleName, size: lineB!.size });
      const textB = await cueB.locator('.expected-cue-text').textContent();
      expect(textB).toBe(fill('expected.cueWithSource', { cue: fill('expected.cue', { what: whatB }), source: fill('expected.from.group', { title: groupTitle }) }));
      if (zh) expect(textB).toBe(`来试穿 ${lineB!.styleName} · ${lineB!.size} 码（来自 ${groupTitle} 群）`);
      else expect(textB).toBe(`Came to try ${lineB!.styleName} · EU ${lineB!.size} (from group ${groupTitle})`);
      await expect.poll(() => cueB.locator('.expected-cue-hold').textContent(), { timeout: 10_000 }).toContain(lineB!.styleName);
      await s.page.screenshot({ path: shotPath(`expected-arrival-${zh ? 'zh' : 'en'}.png`) });

      // The store's holds list says the member held it themselves (not "by member" as if a counter).
      await s.page.locator('[data-action="open-holds"]').click();
      const heldRow = s.page.locator(`.hold-row[data-hold-id="${holdA.id}"]`);
      await heldRow.waitFor({ timeout: 10_000 });
      expect(await heldRow.locator('.hold-meta').textContent()).toContain(cat['holds.byMember']);
      await s.page.locator('.holds-panel .holds-head button').click();

      // The Today pane: three expected, two arrived (at the counter now) and one still to come.
      await s.page.locator('.today-button').click();
      const list = s.page.locator('#today-pane .expected-today');
      await list.waitFor();
      const rows = list.locator('li.expected-row');
      await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
      await expect.poll(() => list.locator('li.expected-row[data-status="arrived"]').count(), { timeout: 10_000 }).toBe(2);
      const open = list.locator('li.expected-row[data-status="expected"]');
      expect(await open.locator('.today-member').textContent()).toBe(names[c]);
      expect(await open.locator('.expected-row-what').textContent()).toBe(cat['expected.justComing']);
      expect(await open.locator('.expected-source').textContent()).toBe(cat['expected.from.member_page']);
      expect(await open.locator('.expected-status').textContent()).toBe(cat['expected.status.expected']);
      const arrivedB = list.locator('li.expected-row', { hasText: names[b]! });
      expect(await arrivedB.locator('.expected-source').textContent()).toBe(fill('expected.from.group', { title: groupTitle }));
      expect(await arrivedB.locator('.expected-status').textContent()).toBe(cat['expected.status.arrived']);
      // No phone of any member on screen.
      const text = (await s.page.locator('body').textContent()) ?? '';
      const phones = await s.hq.store.read(async (r) => Promise.all([a, b, c].map(async (id) => (await r.getMember(id))!.phone)));
      for (const phone of phones) expect(text).not.toContain(phone);
      await s.page.screenshot({ path: shotPath(`expected-today-${zh ? 'zh' : 'en'}.png`) });
    });
  });
}
