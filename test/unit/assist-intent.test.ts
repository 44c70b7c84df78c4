// The assistant's understanding (hq/app/assist/intent.ts) and the size chart (shared/sizeChart.ts):
// many phrasings in Chinese and English, full-width and mixed case, "this one", stores named by
// Chinese name, English words and city, ambiguous names, and sizes off the chart.
import { describe, expect, it } from 'vitest';
import { findSize, type IntentContext, understand } from '../../hq/app/assist/intent.ts';
import { convertSize, SIZE_CHART, sizeRow, toEu } from '../../shared/sizeChart.ts';

const ctx: IntentContext = {
  styles: [
    { id: 'st-run', name: 'Cloud Runner' },
    { id: 'st-retro', name: 'Court 84' },
    { id: 'st-001', name: '云跑 Cloudrun 1' },
    { id: 'st-003', name: '云跑 Cloudrun 3' },
    { id: 'st-dunk', name: '扣篮 Dunk 2' },
  ],
  stores: [
    { id: 'sh-nanjing', name: '上海南京西路店', city: '上海' },
    { id: 'bj-sanlitun', name: '北京三里屯店', city: '北京' },
    { id: 'sz-mixc', name: '深圳万象城店', city: '深圳' },
  ],
  storeId: 'sh-nanjing',
  lastCardStyleId: 'st-run',
};
const u = (text: string, c: Partial<IntentContext> = {}) => understand(text, { ...ctx, ...c });

describe('size chart', () => {
  it('is a table in half EU steps, every column rising with EU', () => {
    expect(SIZE_CHART[0]).toEqual({ eu: 35, mm: 225, usMen: 3.5, usWomen: 5, uk: 2.5 });
    expect(SIZE_CHART.at(-1)!.eu).toBe(47);
    for (let i = 1; i < SIZE_CHART.length; i++) {
      const [a, b] = [SIZE_CHART[i - 1]!, SIZE_CHART[i]!];
      expect(b.eu - a.eu).toBe(0.5);
      for (const k of ['mm', 'usMen', 'usWomen', 'uk'] as const) expect(b[k]).toBeGreaterThanOrEqual(a[k]);
    }
  });
  it('converts both ways, half sizes included, and refuses sizes off the chart', () => {
    expect(convertSize('eu', 38, 'mm')).toBe(240);
    expect(convertSize('eu', 38.5, 'mm')).toBe(242.5);
    expect(convertSize('eu', 42, 'usMen')).toBe(8.5);
    expect(convertSize('eu', 42, 'usWomen')).toBe(10);
    expect(convertSize('eu', 42, 'uk')).toBe(7.5);
    expect(toEu('usMen', 8)).toBe(41);
    expect(toEu('usWomen', 7.5)).toBe(38);
    expect(toEu('mm', 260)).toBe(42);
    expect(toEu('mm', 243)).toBe(38.5);
    expect(toEu('eu', 60)).toBeNull();
    expect(toEu('usMen', 30)).toBeNull();
    expect(sizeRow('mm', 100)).toBeNull();
    expect(toEu('eu', Number.NaN)).toBeNull();
  });
});

describe('sizes in a message', () => {
  it.each([
    ['有38码吗', 'eu', 38],
    ['38.5码有吗', 'eu', 38.5],
    ['size 38 please', 'eu', 38],
    ['do you have a 42?', 'eu', 42],
    ['US 8', 'usMen', 8],
    ['us women 7.5', 'usWomen', 7.5],
    ['美码8', 'usMen', 8],
    ['美码女7', 'usWomen', 7],
    ['UK 7', 'uk', 7],
    ['欧码42', 'eu', 42],
    ['脚长260mm', 'mm', 260],
    ['24.5厘米', 'mm', 245],
    ['４２码', 'eu', 42],
  ] as const)('%s → %s %s', (text, system, value) => {
    expect(findSize(text.normalize('NFKC').toLowerCase())).toMatchObject({ system, value });
  });
  it('does not read a time, a price or a count as a size', () => {
    expect(findSize('10点开门吗')).toBeNull();
    expect(findSize('3 pairs')).toBeNull();
    expect(findSize('99元')).toBeNull();
  });
});

describe('intents', () => {
  it.each([
    ['Cloud Runner 有38码吗？', 'stock'],
    ['is size 38 of this in stock at Nanjing West Road?', 'stock'],
    ['这款还有42码吗', 'stock'],
    ['有没有US 8的', 'stock'],
    ['Court 84 available?', 'stock'],
    ['几点关门？', 'hours'],
    ['你们营业时间是？', 'hours'],
    ['What are your opening hours?', 'hours'],
    ['when do you close', 'hours'],
    ['我的预留还在吗', 'hold_status'],
    ['我留的鞋什么时候到期', 'hold_status'],
    ['is my hold still there?', 'hold_status'],
    ['38码是多少毫米', 'size_convert'],
    ['EU 42 in US', 'size_convert'],
    ['美码8是多少码', 'size_convert'],
    ['what is UK 7 in EU?', 'size_convert'],
    ['你好', 'greeting'],
    ['Hello!', 'greeting'],
    ['在吗？', 'greeting'],
    ['转人工', 'handover'],
    ['我要找店员', 'handover'],
    ['真人客服', 'handover'],
    ['can I talk to someone?', 'handover'],
    ['I want a real person', 'handover'],
    ['human please', 'handover'],
    ['有38码吗？还是转人工吧', 'handover'],
    ['帮我留一双', 'unknown'],
    ['你们的鞋子防水吗', 'unknown'],
    ['do you ship to Hangzhou', 'unknown'],
  ] as const)('%s → %s', (text, intent) => {
    expect(u(text).intent).toBe(intent);
  });

  it('answers in the language of the message', () => {
    expect(u('有38码吗').lang).toBe('zh');
    expect(u('size 38?').lang).toBe('en');
    expect(u('Cloud Runner 38码').lang).toBe('zh');
    // Chinese names in an English question do not make it Chinese.
    expect(u('Is 云跑 Cloudrun 3 in stock in size 38?').lang).toBe('en');
    expect(u('is it in stock at 三里屯店?').lang).toBe('en');
    expect(u('云跑3有38码吗').lang).toBe('zh');
  });

  it('fills the stock slots: style by whole or partial name, case and width folded; size; store', () => {
    expect(u('ＣＬＯＵＤ ｒｕｎｎｅｒ 38码有吗')).toMatchObject({ style: { kind: 'named', styleId: 'st-run' }, size: 38, store: { kind: 'this', storeId: 'sh-nanjing' } });
    expect(u('do you have the runner in size 42')).toMatchObject({ style: { kind: 'named', styleId: 'st-run' }, size: 42 });
    // The number of a name is not a size, and breaks a tie between names.
    expect(u('Court 84 有40码吗')).toMatchObject({ style: { kind: 'named', styleId: 'st-retro' }, size: 40 });
    expect(u('云跑3有38码吗')).toMatchObject({ style: { kind: 'named', styleId: 'st-003' }, size: 38 });
    expect(u('云跑有38码吗').style).toEqual({ kind: 'ambiguous', styleIds: ['st-001', 'st-003'] });
    // "this one" is the conversation's last product card.
    expect(u('这款有38码吗').style).toEqual({ kind: 'this', styleId: 'st-run' });
    expect(u('is size 38 of this in stock?', { lastCardStyleId: null }).style).toEqual({ kind: 'this', styleId: null });
    expect(u('有38码吗').style).toEqual({ kind: 'none' });
    // US sizes convert to EU.
    expect(u('Cloud Runner US 8?')).toMatchObject({ size: 41, sizeAsked: { system: 'usMen', value: 8 } });
    expect(u('Cloud Runner 美码8')).toMatchObject({ size: 41 });
    expect(u('Cloud Runner size 60')).toMatchObject({ size: null, sizeAsked: { system: 'eu', value: 60 } });
  });

  it('names another store of the chain by Chinese name, English words or city', () => {
    expect(u('南京西路有38码吗').store).toEqual({ kind: 'this', storeId: 'sh-nanjing' });
    expect(u('三里屯店有这款38码吗').store).toEqual({ kind: 'named', storeId: 'bj-sanlitun' });
    expect(u('is size 38 of this in stock at Sanlitun?').store).toEqual({ kind: 'named', storeId: 'bj-sanlitun' });
    expect(u('is size 38 of this in stock at Nanjing West Road?', { storeId: 'bj-sanlitun' }).store).toEqual({ kind: 'named', storeId: 'sh-nanjing' });
    expect(u('深圳有吗').store).toEqual({ kind: 'named', storeId: 'sz-mixc' });
    expect(u('万象城几点关门').store).toEqual({ kind: 'named', storeId: 'sz-mixc' });
    const twoInOneCity = [...ctx.stores, { id: 'sh-2', name: '上海徐家汇店', city: '上海' }];
    expect(u('上海有吗', { stores: twoInOneCity, storeId: 'bj-sanlitun' }).store).toEqual({ kind: 'ambiguous', storeIds: ['sh-nanjing', 'sh-2'] });
  });

  it('knows which system a conversion asks for', () => {
    expect(u('38码是多少毫米')).toMatchObject({ intent: 'size_convert', sizeAsked: { system: 'eu', value: 38 }, convertTo: 'mm' });
    expect(u('EU 42 in US')).toMatchObject({ convertTo: 'usMen' });
    expect(u('美码8是多少码')).toMatchObject({ sizeAsked: { system: 'usMen', value: 8 }, convertTo: 'eu' });
    expect(u('what is 42 in UK?')).toMatchObject({ intent: 'size_convert', convertTo: 'uk' });
    expect(u('convert 42')).toMatchObject({ intent: 'size_convert', convertTo: null });
  });

  it('is deterministic and survives empty, long and odd input', () => {
    expect(u('')).toMatchObject({ intent: 'unknown', style: { kind: 'none' }, size: null });
    expect(u('🙂🙂🙂').intent).toBe('unknown');
    expect(u('a'.repeat(4000)).intent).toBe('unknown');
    const odd = '(((' + '[[[*+?';
    expect(u(odd).intent).toBe('unknown');
    expect(u('Cloud Runner 38码')).toEqual(u('Cloud Runner 38码'));
  });
});
