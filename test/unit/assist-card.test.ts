// The arrival card's next best action (7/8 card), without a page: which styles show (HQ's order,
// at most 3, narrowed to a visit size), whether the card may be personalised, the visit size a
// clerk types, the sentences read aloud in both languages (the add-on's reason, the cues, the last
// purchase, days counted in the store's zone), and the marks store over a fake DeskClient.
import { describe, expect, it } from 'vitest';
import { createMarksStore, markOf } from '../../renderer/src/assist/marksStore.ts';
import { addOnSentence, agoText, cardStyles, cueText, daysBetween, inSize, isPersonalized, lastPurchaseText, parseVisitSize, publicReasons, stockIn } from '../../renderer/src/assist/nextAction.ts';
import type { DeskClient } from '../../renderer/src/api/types.ts';
import { translator } from '../../renderer/src/i18n/index.ts';
import type { DeskEvents, SuggestionMarkView } from '../../shared/deskApi.ts';
import type { AddOn, NextBestAction, Recommendation } from '../../shared/domain.ts';
import { Emitter } from '../../shared/emitter.ts';
import { member } from '../support/builders.ts';

const zh = translator('zh-CN');
const en = translator('en');

const rec = (styleId: string, stock: Record<number, number>): Recommendation => ({
  styleId,
  name: `Style ${styleId}`,
  category: 'running',
  price: 69_900,
  colors: [{ code: 'BLK', name: 'Black' }],
  stockBySize: Object.entries(stock).map(([size, qty]) => ({ size: Number(size), qty })),
  score: 1,
  reasons: [{ code: 'popular_in_store' }],
});
const next = (over: Partial<NextBestAction> = {}): NextBestAction => ({ personalized: true, lastPurchase: null, styles: ['s1', 's2', 's3'], addOn: null, cues: [], ...over });
const socks = (reason: AddOn['reason']): AddOn => ({ styleId: 'acc1', name: '跑步袜', kind: 'socks', price: 5_900, size: 42, image: null, reason });

describe('which styles the card shows', () => {
  const recs = [rec('s3', { 38: 0, 38.5: 2 }), rec('s1', { 38: 1, 39: 4 }), rec('s9', { 38: 5 }), rec('s2', { 40: 1 })];

  it('follows next.styles in HQ’s order, skips ids without a recommendation, keeps at most 3', () => {
    expect(cardStyles(next(), recs).map((r) => r.styleId)).toEqual(['s1', 's2', 's3']);
    expect(cardStyles(next({ styles: ['s2', 'gone', 's9'] }), recs).map((r) => r.styleId)).toEqual(['s2', 's9']);
    expect(cardStyles(next({ styles: [] }), recs)).toEqual([]);
  });

  it('narrows to styles with stock in the visit size (a pair held at 0 does not count)', () => {
    expect(stockIn(recs[0]!, 38)).toBe(0);
    expect(stockIn(recs[0]!, 38.5)).toBe(2);
    expect(stockIn(recs[0]!, 44)).toBe(0);
    expect(inSize(recs, 38).map((r) => r.styleId)).toEqual(['s1', 's9']);
    expect(cardStyles(next(), recs, 38).map((r) => r.styleId)).toEqual(['s1']);
    expect(cardStyles(next(), recs, 38.5).map((r) => r.styleId)).toEqual(['s3']);
    expect(cardStyles(next(), recs, 45)).toEqual([]);
  });

  it('is personalised only when HQ made it so and the member has not opted out', () => {
    const yes = member('m1');
    const no = member('m2', { consents: { marketing: true, personalization: false, contact: true } });
    expect(isPersonalized({ member: yes, next: next() })).toBe(true);
    expect(isPersonalized({ member: yes, next: next({ personalized: false }) })).toBe(false);
    expect(isPersonalized({ member: no, next: next() })).toBe(false);
    expect(isPersonalized({ member: yes })).toBe(false);
  });

  it('says no reason about the member on a non-personalised card', () => {
    expect(
      publicReasons([{ code: 'preference', category: 'running' }, { code: 'bought_category', category: 'running', count: 4 }, { code: 'size_in_stock', size: 38, qty: 2 }, { code: 'popular_in_store' }, { code: 'new_this_week' }, { code: 'new_arrival' }]).map((r) => r.code),
    ).toEqual(['popular_in_store', 'new_this_week', 'new_arrival']);
  });

  it('takes a visit size in EU whole or half sizes, nothing else', () => {
    expect(parseVisitSize('38')).toBe(38);
    expect(parseVisitSize(' 38.5 ')).toBe(38.5);
    expect(parseVisitSize('38,5')).toBe(38.5);
    for (const bad of ['', '38.3', '3', '99', '15', '240', 'abc', '38.', '-38']) expect(parseVisitSize(bad)).toBeNull();
  });
});

describe('the sentences a clerk reads aloud', () => {
  it('words each add-on reason in Chinese and English, with the price', () => {
    const bought = socks({ code: 'bought_recently', category: 'running', styleName: 'Cloud Runner', days: 21 });
    expect(addOnSentence(zh, bought, 'zh-CN')).toBe('3周前买了跑鞋，推荐跑步袜 ¥59');
    expect(addOnSentence(en, { ...bought, name: 'Run Socks' }, 'en')).toBe('Bought running shoes 3 weeks ago — Run Socks CN¥59');
    expect(addOnSentence(en, { ...bought, name: 'Run Socks', reason: { ...bought.reason, days: 2 } as AddOn['reason'] }, 'en')).toMatch(/^Bought running shoes 2 days ago — /);
    const goes = socks({ code: 'goes_with_suggestion', category: 'basketball', styleName: 'Court King' });
    expect(addOnSentence(zh, goes, 'zh-CN')).toBe('搭配Court King，推荐跑步袜 ¥59');
    expect(addOnSentence(en, goes, 'en')).toBe('Goes with Court King — 跑步袜 CN¥59');
    const likes = socks({ code: 'likes_category', category: 'basketball' });
    expect(addOnSentence(zh, likes, 'zh-CN')).toBe('喜欢篮球，推荐跑步袜 ¥59');
    expect(addOnSentence(en, likes, 'en')).toBe('Likes basketball — 跑步袜 CN¥59');
  });

  it('says how long ago in days, weeks, months', () => {
    expect(agoText(0, 'en')).toBe('today');
    expect(agoText(0, 'zh-CN')).toBe('今天');
    expect(agoText(5, 'en')).toBe('5 days ago');
    expect(agoText(21, 'zh-CN')).toBe('3周前');
    expect(agoText(120, 'en')).toBe('4 months ago');
  });

  it('counts days in the store’s zone, not UTC', () => {
    // 23:30 and 00:30 the next day in Shanghai are the same UTC day.
    const late = Date.UTC(2026, 2, 1, 15, 30); // 2026-03-01 23:30 +08
    const early = Date.UTC(2026, 2, 1, 16, 30); // 2026-03-02 00:30 +08
    expect(daysBetween(late, early, 'Asia/Shanghai')).toBe(1);
    expect(daysBetween(late, early, 'UTC')).toBe(0);
    expect(daysBetween(early, late, 'Asia/Shanghai')).toBe(0);
  });

  it('words the cues and the last purchase', () => {
    const until = Date.UTC(2026, 11, 12, 4);
    expect(cueText(zh, { code: 'hold_waiting', holdId: 'h1', styleName: 'Cloud Runner', size: 38, until }, 'zh-CN')).toBe(`有一双 Cloud Runner 38 码为 TA 保留到 ${new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'short', day: 'numeric' }).format(until)}`);
    expect(cueText(en, { code: 'hold_waiting', holdId: 'h1', styleName: 'Cloud Runner', size: 38, until }, 'en')).toMatch(/^A pair of Cloud Runner in EU 38 is held for them until Dec 12, 2026$/);
    expect(cueText(zh, { code: 'long_absent', days: 120 }, 'zh-CN')).toBe('已 120 天未到店');
    expect(cueText(en, { code: 'long_absent', days: 120 }, 'en')).toBe('Not in for 120 days');
    const now = Date.UTC(2026, 2, 22, 4);
    const last = { styleId: 's1', styleName: 'Cloud Runner', category: 'running' as const, size: 38, at: now - 21 * 86_400_000, storeId: 'a' };
    expect(lastPurchaseText(zh, last, 'a', now, 'Asia/Shanghai', 'zh-CN')).toBe('Cloud Runner（38 码）· 3周前 · 本店');
    expect(lastPurchaseText(en, last, 'b', now, 'Asia/Shanghai', 'en')).toBe('Cloud Runner (EU 38) · 3 weeks ago · another store');
  });
});

describe('the marks store', () => {
  const view = (styleId: string, sync: SuggestionMarkView['sync']): SuggestionMarkView => ({ visitId: 'v1', styleId, role: 'style', verdict: 'used', by: null, at: 1, sync, rejection: null });

  function fake() {
    const events = new Emitter<DeskEvents>();
    const calls: unknown[][] = [];
    let marks: SuggestionMarkView[] = [];
    const client = {
      on: (e: keyof DeskEvents, l: (p: never) => void) => events.on(e, l as never),
      async listSuggestionMarks(visitId: string) {
        calls.push(['list', visitId]);
        return marks.filter((m) => m.visitId === visitId);
      },
      async markSuggestion(visitId: string, styleId: string, role: string, verdict: string) {
        calls.push(['mark', visitId, styleId, role, verdict]);
        if (visitId === 'nope') throw new Error('no such visit at this store');
        marks = [...marks.filter((m) => m.styleId !== styleId), view(styleId, 'pending')];
        return { opId: 'op1' };
      },
    } as unknown as DeskClient;
    return { client, events, calls, set: (m: SuggestionMarkView[]) => (marks = m) };
  }

  it('loads a visit’s marks, marks (then reads the pending mark back), reloads on the core’s events', async () => {
    const f = fake();
    const store = createMarksStore(f.client);
    await store.getState().load('v1');
    expect(store.getState().byVisit).toEqual({ v1: [] });
    await store.getState().mark('v1', 's1', 'style', 'used');
    expect(f.calls).toContainEqual(['mark', 'v1', 's1', 'style', 'used']);
    expect(markOf(store.getState().byVisit.v1, 's1')?.sync).toBe('pending');
    expect(markOf(store.getState().byVisit.v1, 's2')).toBeNull();
    // HQ's event confirmed it: the core says so, the store reads it again.
    f.set([view('s1', 'confirmed')]);
    f.events.emit('marks', { visitId: 'v1', at: 2 });
    await new Promise((r) => setTimeout(r, 0));
    expect(markOf(store.getState().byVisit.v1, 's1')?.sync).toBe('confirmed');
    // A visit the card never showed is not read on its event.
    const before = f.calls.length;
    f.events.emit('marks', { visitId: 'v7', at: 3 });
    await new Promise((r) => setTimeout(r, 0));
    expect(f.calls.length).toBe(before);
  });

  it('keeps the core’s refusal to show beside the buttons', async () => {
    const f = fake();
    const store = createMarksStore(f.client);
    await store.getState().mark('nope', 's1', 'addon', 'not_relevant');
    expect(store.getState().failed.nope).toBe('no such visit at this store');
  });
});
