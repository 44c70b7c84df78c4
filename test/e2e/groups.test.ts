// The Groups pane in a real Chromium through the web shell, against a real HQ and a real desk core,
// in both languages: the clerk creates a group and an invite link (with HQ's QR code), two members
// join by it over the member API and write (one a photo), the thread shows them by nickname (the
// open thread is read at once), the host answers the asker with a text and a product card for that
// member (their size only), mutes the other member, pins a notice and sends an announcement (its
// reach shown); a message written while HQ is down shows pending and is delivered once; the asker's
// name opens their member page. Screenshots of the pane at 1280×800 (docs/screenshots/
// groups-desk-*.png with FOOTFALL_SHOTS_DIR=docs/screenshots) and at 1024 px, where nothing may
// overflow sideways.
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { en } from '../../renderer/src/i18n/en.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { drawStylePicture } from '../../hq/demo/stylePictures.ts';
import { MemberClient } from '../support/memberClient.ts';
import { shotPath, type Stack, STORE, startStack } from './stack.ts';

let stack: Stack | null = null;
afterEach(async () => {
  await stack?.close();
  stack = null;
});

/** No element of the pane reaches past its right edge (nothing scrolls sideways). */
async function overflowsSideways(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pane = document.querySelector('.groups-pane')!;
    const right = pane.getBoundingClientRect().right + 1;
    return [...pane.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > right && el.getBoundingClientRect().width > 0)
      .map((el) => `${el.tagName.toLowerCase()}.${(el as HTMLElement).className}`)
      .slice(0, 5);
  });
}

for (const lang of ['zh-CN', 'en'] as const) {
  const zh = lang === 'zh-CN';
  const c = zh ? zhCN : en;

  describe(`groups pane (browser, ${lang})`, () => {
    it('creates a group, members join and ask, the host answers with a card for the asker, mutes, pins and announces', async () => {
      stack = await startStack({ locale: lang, viewport: { width: 1280, height: 800 } });
      const { page, hq, core } = stack;
      const [askerId, otherId] = [stack.members[0]!, stack.members[1]!];
      // The asker visits: the desk has their profile, whose suggestions the product picker offers.
      await stack.arrive(askerId);
      await expect.poll(async () => (await core.getMember(askerId))?.recommendations.length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);

      // Create the group from the pane.
      await page.locator('[data-action="open-groups"]').click();
      await page.locator('.groups-pane').waitFor();
      await page.locator('[data-action="new-group"]').click();
      const form = page.locator('.group-new form');
      await form.locator('input[name="name"]').fill(zh ? '南京路跑团' : 'Nanjing Rd runners');
      await form.locator('input[name="topic"]').fill(zh ? '周末晨跑与新品试穿' : 'Weekend runs and new shoes');
      await form.locator('textarea[name="welcome"]').fill(zh ? '欢迎 {nickname}！' : 'Welcome, {nickname}!');
      await form.locator('[data-action="create-group"]').click();
      await expect.poll(async () => (await core.listGroups()).map((g) => g.sync), { timeout: 10_000 }).toEqual([null]);
      const groupId = (await core.listGroups())[0]!.id;
      const thread = page.locator(`.group-thread[data-group-id="${groupId}"]`);
      await thread.waitFor();

      // An invite link, from the host tools.
      await page.locator('.group-tab[data-tab="invites"]').click();
      await page.locator('[data-action="new-invite"]').click();
      await page.locator('.group-link').waitFor({ timeout: 10_000 });
      const invite = (await core.listGroupInvites(groupId))[0]!;
      expect(await page.locator('.group-link').inputValue()).toBe(invite.link);
      // Its QR code, drawn by HQ (an SVG shown as a picture).
      await page.locator('[data-action="qr"]').click();
      const qr = page.locator('img.group-qr');
      await qr.waitFor({ timeout: 10_000 });
      expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

      // Two members join by it over HQ's member API, and write.
      const asker = await MemberClient.viaIntegration(hq.url, hq.integrationKey, STORE, askerId);
      const other = await MemberClient.viaIntegration(hq.url, hq.integrationKey, STORE, otherId);
      const askerNick = zh ? '晨跑小王' : 'RunnerWang';
      const otherNick = zh ? '阿杰' : 'Jay';
      for (const [m, nickname] of [[asker, askerNick], [other, otherNick]] as const) {
        const res = await m.http('/v1/member/groups/join', { body: { token: invite.token, nickname } });
        expect(res.status).toBeLessThan(300);
      }
      const question = zh ? '请问有适合 38 码的缓震跑鞋吗？' : 'Any cushioned running shoes in my size?';
      expect((await asker.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'ask-000001', kind: 'text', text: question } })).status).toBeLessThan(300);
      expect((await other.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'oth-000001', kind: 'text', text: zh ? '周六几点集合？' : 'What time on Saturday?' } })).status).toBeLessThan(300);

      // The other member also shows a photo (uploaded as chat images are).
      const upload = await other.http('/v1/member/images', { raw: drawStylePicture('running', 'BLK'), type: 'image/png' });
      expect(upload.status).toBe(201);
      const { image } = (await upload.json()) as { image: { id: string } };
      expect((await other.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'oth-000003', kind: 'image', imageId: image.id } })).status).toBeLessThan(300);

      // The thread shows them by nickname; the open thread is read (HQ's store read position follows).
      const ask = thread.locator('.group-msg.from-member[data-n="1"]');
      await ask.waitFor({ timeout: 10_000 });
      expect(await ask.locator('.group-asker').textContent()).toBe(askerNick);
      expect(await ask.locator('.group-text').textContent()).toBe(question);
      const photo = thread.locator('.group-msg[data-kind="image"] img.group-image');
      await photo.waitFor({ timeout: 10_000 });
      await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
      await expect.poll(async () => (await core.listGroups())[0]?.storeReadN, { timeout: 10_000 }).toBe(3);
      await expect.poll(() => page.locator('[data-action="open-groups"] .groups-badge').count()).toBe(0);

      // A text answer to the asker (Reply), then a product card for them: the picker offers their suggestions in their size.
      await ask.locator('[data-action="reply"]').click();
      expect(await page.locator('.group-replying').textContent()).toContain(askerNick);
      await page.locator('.group-composer textarea').fill(zh ? '有的，给您挑了一款' : 'Yes — here is one for you');
      await page.locator('.group-composer textarea').press('Enter');
      await ask.locator('[data-action="card-for"]').click();
      const picker = page.locator('.group-picker');
      await picker.locator('.group-style').first().waitFor({ timeout: 10_000 });
      expect(await picker.locator('.group-picker-head').textContent()).toContain(askerNick);
      await picker.locator('.group-style', { hasText: 'EU' }).first().click();
      const card = thread.locator('.group-msg[data-kind="product"]:not([data-pending])');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator('.group-for').textContent()).toContain(askerNick);
      const askerSize = (await hq.store.read((r) => r.getMember(askerId)))!.sizes.eu;
      const sent = (await core.getGroup(groupId)).messages.find((m) => m.kind === 'product')!;
      expect(sent).toMatchObject({ forMemberId: askerId, replyTo: { n: 1 } });
      expect(sent.product!.sizes.map((s) => s.size)).toEqual([askerSize]);

      // Mute the other member for an hour, from the member list.
      await page.locator('.group-tab[data-tab="members"]').click();
      const row = page.locator(`.group-member[data-member-id="${otherId}"]`);
      await row.locator('select[data-action="mute"]').selectOption('60');
      await row.locator('.group-muted').waitFor();
      await expect.poll(async () => (await core.listGroupMembers(groupId)).find((m) => m.memberId === otherId)?.sync, { timeout: 10_000 }).toBeNull();
      const refused = await other.http(`/v1/member/groups/${groupId}/messages`, { body: { clientId: 'oth-000002', kind: 'text', text: 'hi' } });
      expect(refused.status).toBeGreaterThanOrEqual(400);

      // Pin a notice and send an announcement: its reach is shown once HQ counted it.
      await page.locator('.group-tab[data-tab="settings"]').click();
      const notice = zh ? '周六 7:00 在门店集合，新品可试穿。' : 'Saturday 7:00 at the store — try the new pairs.';
      await page.locator('.group-side textarea[name="notice"]').fill(notice);
      await page.locator('[data-action="save-group"]').click();
      await expect.poll(() => thread.locator('.group-notice').textContent(), { timeout: 10_000 }).toContain(notice);
      await page.locator('.group-announce input').check();
      await page.locator('.group-composer textarea').fill(zh ? '本周末新款跑鞋到店，会员专享试穿！' : 'New running shoes this weekend: members try first!');
      await page.locator('[data-action="send"]').click();
      const reach = thread.locator('.group-msg.is-announcement .group-reach');
      await reach.waitFor({ timeout: 10_000 });
      const sentAnnouncement = (await core.getGroup(groupId)).messages.find((m) => m.kind === 'announcement')!;
      expect(await reach.textContent()).toBe(c['groups.reach'].replace('{pushed}', String(sentAnnouncement.reach!.pushed)).replace('{capped}', String(sentAnnouncement.reach!.capped)));

      // The screenshot the docs show, with the member list open (the muted member), at 1280×800.
      await page.locator('.group-tab[data-tab="members"]').click();
      await page.locator('.group-muted').waitFor();
      // The open thread is read: no badge on it, nor on the bar's button.
      await expect.poll(() => page.locator('.groups-badge').count(), { timeout: 5000 }).toBe(0);
      expect(await overflowsSideways(page)).toEqual([]);
      await page.screenshot({ path: shotPath(`groups-desk-${zh ? 'zh' : 'en'}.png`) });
      // And at 1024 px: the three columns narrow, nothing overflows.
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.waitForTimeout(100);
      expect(await overflowsSideways(page)).toEqual([]);
      await page.screenshot({ path: shotPath(`groups-desk-1024-${zh ? 'zh' : 'en'}.png`) });

      // Offline: a message written now is queued and shown pending, then delivered once HQ is back.
      await stack.killHq();
      await expect.poll(async () => (await core.getConnection()).status, { timeout: 10_000 }).not.toBe('online');
      const offlineText = zh ? '门店网络断了也能发' : 'Written while HQ is away';
      await page.locator('.group-composer textarea').fill(offlineText);
      await page.locator('.group-composer textarea').press('Enter');
      const queued = thread.locator('.group-msg[data-pending="true"]', { hasText: offlineText });
      await queued.waitFor({ timeout: 5000 });
      expect(await queued.locator('.group-msg-actions').textContent()).toContain(c['sync.pending']);
      await stack.restartHq();
      await thread.locator('.group-msg:not([data-pending])', { hasText: offlineText }).waitFor({ timeout: 15_000 });
      expect((await core.getGroup(groupId)).messages.filter((m) => m.body === offlineText)).toHaveLength(1);

      // One click from the asker's message to their member page.
      await ask.locator('.group-asker').click();
      await page.locator(`main.member-page[data-member-id="${askerId}"]`).waitFor({ timeout: 10_000 });
      expect(await page.locator('.groups-pane').count()).toBe(0);
    });
  });
}
