// An event's data as JSON text (hq/app/eventJson.ts): an arrival's text reads back as
// JSON.stringify's would, whichever of its suggestions' parts come from texts made before, and a
// text is kept only on a value no one can change (frozenWithJson).
import { describe, expect, it } from 'vitest';
import { eventJson, frozenJson, frozenWithJson } from '../../hq/app/eventJson.ts';
import { type EventPayload } from '../../hq/app/eventLog.ts';
import { recommend, recommendIndex, type RecommendInput } from '../../hq/app/recommend.ts';
import { type Member, type StockLine, type Style, type Visit } from '../../shared/domain.ts';
import { EventData } from '../../shared/protocol.ts';
import { member as builtMember, visit as builtVisit } from '../support/builders.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2026, 11, 4, 12);
const style = (id: string, category: Style['category'], colors: Style['colors'], releasedDaysAgo = 60): Style => ({
  id,
  name: `鞋款 ${id}`,
  category,
  price: 69_900,
  colors,
  sizes: [37, 38, 39, 40],
  releasedAt: now - releasedDaysAgo * DAY,
});
const BLK = { code: 'BLK', name: '黑色' };
const WHT = { code: 'WHT', name: '白色' };
const styles = [style('run-1', 'running', [BLK, WHT], 3), style('run-2', 'running', [WHT]), style('cas-1', 'casual', [BLK], 20), style('bb-1', 'basketball', [BLK, WHT])];
const line = (styleId: string, size: number, qty: number, color = 'BLK'): StockLine => ({ storeId: 'st-1', styleId, color, size, qty });
const stock = [line('run-1', 38, 2), line('run-1', 38, 1, 'WHT'), line('run-1', 40, 4), line('run-2', 38, 3, 'WHT'), line('cas-1', 38, 1), line('bb-1', 39, 5), line('bb-1', 38, 0)];
const index = recommendIndex(styles, stock, 'st-1');
const popularity = new Map([['bb-1', 6]]);

// The builders' member and visit (test/support/builders.ts), at this test's store, size and time.
const member = (consented: boolean): Member =>
  builtMember('m-1', { name: '王芳 "小芳"', homeStoreId: 'st-1', sizes: { eu: 38, cn: 240 }, consents: { marketing: false, personalization: consented, contact: false } });
const visit: Visit = builtVisit('v-1', 'm-1', { storeId: 'st-1', arrivedAt: now });

function arrival(consented: boolean, extra: Partial<EventPayload<'arrival'>> = {}): EventPayload<'arrival'> {
  const m = member(consented);
  const input: RecommendInput = { member: m, purchases: [{ styleId: 'cas-9', category: 'casual', at: now - 10 * DAY }], styles, storeId: 'st-1', stock, popularity, now, index };
  const recommendations = recommend(input);
  return {
    visit,
    profile: { member: m, purchases: [], recommendations, next: { personalized: consented, lastPurchase: null, styles: recommendations.slice(0, 3).map((r) => r.styleId), addOn: null, cues: [] } },
    ...extra,
  };
}

const reread = (text: string) => JSON.parse(text) as unknown;

describe('event JSON', () => {
  it('an arrival reads back as JSON.stringify of its data, its suggestions with and without consent, again and again', () => {
    const cases = [
      arrival(true),
      arrival(false),
      arrival(true, { by: { deviceId: 'd-1', deviceName: '收银台 1', clerkId: 'c-1', clerkName: '李娜' }, opId: 'op-1', checkinId: 'ck-1' }),
      { ...arrival(true), profile: { ...arrival(true).profile, recommendations: [] } },
    ];
    expect(cases[0]!.profile.recommendations.length).toBeGreaterThan(1);
    expect(cases[1]!.profile.recommendations.length).toBeGreaterThan(0);
    // The texts are reused as recommend.ts hands the suggestions out: a personal suggestion's
    // colours and stock per size, a suggestion made without consent whole.
    for (const r of cases[0]!.profile.recommendations) {
      expect(frozenJson(r)).toBeUndefined();
      expect([frozenJson(r.colors), frozenJson(r.stockBySize)]).toEqual([JSON.stringify(r.colors), JSON.stringify(r.stockBySize)]);
    }
    for (const r of cases[1]!.profile.recommendations) expect(frozenJson(r)).toBe(JSON.stringify(r));
    for (let round = 0; round < 3; round++) {
      for (const data of cases) {
        const text = eventJson('arrival', data);
        expect(reread(text)).toEqual(reread(JSON.stringify(data)));
        // What a desk checks it against.
        const checked = EventData.arrival.safeParse(reread(text));
        expect(checked.error?.issues ?? []).toEqual([]);
      }
    }
  });

  it('other events are JSON.stringify of their data, as it is', () => {
    const data = { visit: { ...visit, arrivals: 2 } };
    expect(eventJson('visit.updated', data)).toBe(JSON.stringify(data));
  });

  it('a suggestion with one part frozen and the other not: each as it is', () => {
    const data = arrival(true);
    const [a, b] = data.profile.recommendations;
    data.profile.recommendations[0] = { ...a!, colors: [{ code: 'RED', name: '红色' }] };
    data.profile.recommendations[1] = { ...b!, stockBySize: [{ size: 38, qty: 9 }] };
    expect(reread(eventJson('arrival', data))).toEqual(reread(JSON.stringify(data)));
  });

  it('a suggestion whose parts are not frozen is serialized as it is now, each time', () => {
    const data = arrival(true);
    const first = data.profile.recommendations[0]!;
    const colors = [{ code: 'RED', name: '红色' }];
    const stockBySize = [{ size: 38, qty: 1 }];
    data.profile.recommendations[0] = { ...first, colors, stockBySize };
    expect(reread(eventJson('arrival', data))).toEqual(reread(JSON.stringify(data)));
    colors[0]!.name = '酒红';
    stockBySize.push({ size: 39, qty: 2 });
    const again = reread(eventJson('arrival', data)) as { profile: { recommendations: { colors: unknown; stockBySize: unknown }[] } };
    expect(again.profile.recommendations[0]!.colors).toEqual([{ code: 'RED', name: '酒红' }]);
    expect(again.profile.recommendations[0]!.stockBySize).toEqual([
      { size: 38, qty: 1 },
      { size: 39, qty: 2 },
    ]);
  });

  it('a value made by frozenWithJson carries its text and is frozen deeply; nothing else has a text', () => {
    const inner = { size: 38, qty: 1 };
    const list = frozenWithJson([inner, { size: 39, qty: 0 }]);
    expect(frozenJson(list)).toBe('[{"size":38,"qty":1},{"size":39,"qty":0}]');
    expect([Object.isFrozen(list), Object.isFrozen(inner)]).toEqual([true, true]); // its text cannot go stale
    expect(() => {
      'use strict';
      inner.qty = 2;
    }).toThrow(TypeError);
    // The text is the value's own: not enumerable, not carried by a copy, not in its JSON.
    expect(Object.keys(list)).toEqual(['0', '1']);
    expect(JSON.stringify(list)).toBe(frozenJson(list));
    for (const copy of [list.slice(), [...list], Object.assign([], list), Object.create(list) as object]) expect(frozenJson(copy)).toBeUndefined();
    const nested = frozenWithJson({ a: null, b: ['x', 1, true], c: { d: [{ e: 'f' }] } });
    expect(frozenJson(nested)).toBe('{"a":null,"b":["x",1,true],"c":{"d":[{"e":"f"}]}}');
    expect(frozenJson(nested.c.d)).toBeUndefined(); // a part is frozen, its text is the whole's
    expect(Object.isFrozen(nested.c.d[0])).toBe(true);
    // No text where one could answer differently each time, or where none can be added; frozen all the same.
    const getter = frozenWithJson({
      get qty() {
        return Math.random();
      },
    });
    const deepGetter = frozenWithJson({ part: { toJSON: () => 'x' } });
    const already = frozenWithJson(Object.freeze([1, 2]));
    for (const v of [getter, deepGetter, frozenWithJson({ toJSON: () => 'x' }), already]) {
      expect(frozenJson(v)).toBeUndefined();
      expect(Object.isFrozen(v)).toBe(true);
    }
    expect(Object.isFrozen(deepGetter.part)).toBe(true);
    expect(frozenJson(Object.freeze({ a: 1 }))).toBeUndefined(); // frozen by hand: no text
    expect(frozenJson({ a: 1 })).toBeUndefined();
  });
});
