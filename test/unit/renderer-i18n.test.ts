// The message catalogs and the locale-dependent helpers of the renderer.
import { describe, expect, it } from 'vitest';
import { en } from '../../renderer/src/i18n/en.ts';
import { detectLocale, translator } from '../../renderer/src/i18n/index.ts';
import { zhCN } from '../../renderer/src/i18n/zh-CN.ts';
import { colorName, formatAge, formatAgo, initials, nearSize, rejectionText } from '../../renderer/src/format.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys (tsc enforces it too) and no empty text', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(zhCN)) expect(text.trim(), key).not.toBe('');
  });
  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });
});

describe('locale', () => {
  it('follows the browser: zh* is Chinese, anything else English', () => {
    expect(detectLocale('zh-CN')).toBe('zh-CN');
    expect(detectLocale('zh-TW')).toBe('zh-CN');
    expect(detectLocale('ZH')).toBe('zh-CN');
    expect(detectLocale('en-GB')).toBe('en');
    expect(detectLocale('fr')).toBe('en');
    expect(detectLocale(undefined)).toBe('en');
  });
  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('en');
    expect(t('conn.queued', { n: 3 })).toBe('3 actions waiting to send');
    expect(t('conn.queued')).toBe('{n} actions waiting to send');
  });
});

describe('format', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it('ticks ages in minutes', () => {
    const en = translator('en');
    const zh = translator('zh-CN');
    expect(formatAge(en, now - 20_000, now)).toBe('just now');
    expect(formatAge(en, now - 2 * 60_000, now)).toBe('2 min');
    expect(formatAge(zh, now - 2 * 60_000, now)).toBe('2分钟');
    expect(formatAge(en, now - 65 * 60_000, now)).toBe('1 h 5 min');
    expect(formatAge(en, now + 5000, now)).toBe('just now');
  });
  it('makes avatar initials', () => {
    expect(initials('王芳', 'Wang Fang')).toBe('王');
    expect(initials('Anna Lee', '')).toBe('AL');
  });
  it('makes avatar initials of whole characters, never half a surrogate pair', () => {
    expect(initials('𠀀明', '')).toBe('𠀀');
    expect(initials('👩🏽‍💻 Coder', '')).toBe('👩🏽‍💻');
    expect(initials('😀', '')).toBe('😀');
    expect(initials('émile zola', '')).toBe('ÉZ');
    expect(initials('e\u0301mile Zola', '')).toBe('E\u0301Z');
    // A bidi override in a name is not part of the initials (it would reverse what follows).
    expect(initials('\u202eAnna Lee', '')).toBe('AL');
    expect(initials('', 'Wang Fang')).toBe('WF');
    for (const name of ['𠀀', '😀 x', '👨‍👩‍👧', '\ud840\udc00abc']) expect(initials(name, '')).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });
  it('names colour codes in both languages, and keeps an unknown code readable', () => {
    expect(colorName(translator('en'), 'PNK')).toBe('Pink');
    expect(colorName(translator('zh-CN'), 'PNK')).toBe('粉色');
    expect(colorName(translator('zh-CN'), 'red')).toBe('红色');
    expect(colorName(translator('en'), 'XQZ')).toBe('XQZ');
    expect(colorName(translator('en'), 'XQZ', 'Aurora')).toBe('Aurora');
  });
  it('says how old a copy is', () => {
    expect(formatAgo(now - 3 * 24 * 3_600_000, now, 'en')).toBe('3 days ago');
    expect(formatAgo(now - 3 * 24 * 3_600_000, now, 'zh-CN')).toBe('3天前');
    expect(formatAgo(now - 2 * 3_600_000, now, 'en')).toBe('2 hours ago');
  });
  it('says who won a claim race', () => {
    const en = translator('en');
    const by = { deviceId: 'd2', deviceName: 'Counter 2' };
    expect(rejectionText(en, { code: 'already_claimed', message: 'x', by })).toBe('Claimed by Counter 2 first');
    expect(rejectionText(translator('zh-CN'), { code: 'already_claimed', message: 'x', by })).toBe('已被 Counter 2 先接待');
    expect(rejectionText(en, { code: 'visit_closed', message: 'x' })).toBe('This visit is already closed');
  });
  it('shows stock near the member size, or the whole run when none is near', () => {
    const stock = [36, 37, 37.5, 38, 38.5, 39, 40, 42].map((size) => ({ size, qty: 1 }));
    expect(nearSize(stock, 38).map((s) => s.size)).toEqual([37, 37.5, 38, 38.5, 39]);
    expect(nearSize(stock, 28).map((s) => s.size)).toEqual(stock.map((s) => s.size));
  });
});
