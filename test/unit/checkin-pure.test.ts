// The pure parts of 4/8 part A: the birthday week (year ends, 29 February, time zones), what a
// scanner or a clerk types at the counter, the scanner's burst, who is in the store now, the VIP
// sound, and a check-in's payload.
import { describe, expect, it } from 'vitest';
import { checkinPayload } from '../../electron/desk/checkins/checkins.ts';
import { notificationText } from '../../electron/electron-main/notificationText.ts';
import { memberCardSvg, memberQrText } from '../../hq/app/memberCard.ts';
import { inStoreNow, startOfDay } from '../../renderer/src/checkin/inStore.ts';
import { birthdayDays, deskTimeZone, vipSoundUrl, vipTier } from '../../renderer/src/checkin/vip.ts';
import { birthdayWeek } from '../../shared/birthday.ts';
import { type VisitView } from '../../shared/deskApi.ts';
import { parseMemberScan, phoneHint, ScanCatcher } from '../../shared/memberScan.ts';

const SH = 'Asia/Shanghai';
/** Noon in Shanghai on y-m-d. */
const sh = (y: number, m: number, d: number, h = 12) => Date.UTC(y, m - 1, d, h - 8);

describe('birthdayWeek', () => {
  it('today is 0, the next 7 days count, the 8th does not, yesterday does not', () => {
    const now = sh(2025, 6, 10);
    expect(birthdayWeek('06-10', now, SH)).toBe(0);
    expect(birthdayWeek('06-11', now, SH)).toBe(1);
    expect(birthdayWeek('06-17', now, SH)).toBe(7);
    expect(birthdayWeek('06-18', now, SH)).toBeNull();
    expect(birthdayWeek('06-09', now, SH)).toBeNull();
  });
  it('crosses the year end', () => {
    expect(birthdayWeek('01-02', sh(2025, 12, 29), SH)).toBe(4);
    expect(birthdayWeek('12-31', sh(2025, 12, 29), SH)).toBe(2);
    expect(birthdayWeek('12-28', sh(2025, 12, 29), SH)).toBeNull();
  });
  it('keeps 29 February on the 28th in a year without one, and on the 29th in a leap year', () => {
    expect(birthdayWeek('02-29', sh(2025, 2, 28), SH)).toBe(0);
    expect(birthdayWeek('02-29', sh(2025, 2, 25), SH)).toBe(3);
    expect(birthdayWeek('02-29', sh(2025, 3, 1), SH)).toBeNull();
    expect(birthdayWeek('02-29', sh(2028, 2, 28), SH)).toBe(1);
    expect(birthdayWeek('02-29', sh(2027, 12, 30), SH)).toBeNull();
    // Across a year end into a non-leap year: 25 Feb 2026 → 28 Feb 2026.
    expect(birthdayWeek('02-29', sh(2026, 2, 25), SH)).toBe(3);
  });
  it("counts by the store's calendar, not UTC's", () => {
    // 00:30 on 10 June in Shanghai is still 9 June in UTC.
    const now = Date.UTC(2025, 5, 9, 16, 30);
    expect(birthdayWeek('06-10', now, SH)).toBe(0);
    expect(birthdayWeek('06-10', now, 'UTC')).toBe(1);
    expect(birthdayWeek('06-02', now, 'America/Los_Angeles')).toBeNull();
  });
  it('no birthday, or a malformed one, is no flag', () => {
    expect(birthdayWeek(null, sh(2025, 1, 1), SH)).toBeNull();
    expect(birthdayWeek(undefined, sh(2025, 1, 1), SH)).toBeNull();
    expect(birthdayWeek('13-01', sh(2025, 1, 1), SH)).toBeNull();
    expect(birthdayWeek('1-2', sh(2025, 1, 1), SH)).toBeNull();
  });
});

describe('parseMemberScan', () => {
  it('reads the member QR and card codes (case and spaces ignored)', () => {
    expect(parseMemberScan('FOOTFALL:M100013')).toEqual({ kind: 'code', code: 'M100013', fromQr: true });
    expect(parseMemberScan(' footfall:m100013 ')).toEqual({ kind: 'code', code: 'M100013', fromQr: true });
    expect(parseMemberScan('M100013')).toEqual({ kind: 'code', code: 'M100013', fromQr: false });
    expect(parseMemberScan('m 1000 13')).toEqual({ kind: 'code', code: 'M100013', fromQr: false });
  });
  it('reads phone numbers with spaces, dashes and +86', () => {
    expect(parseMemberScan('138 0013 8000')).toEqual({ kind: 'phone', phone: '13800138000' });
    expect(parseMemberScan('138-0013-8000')).toEqual({ kind: 'phone', phone: '13800138000' });
    expect(parseMemberScan('+86 138 0013 8000')).toEqual({ kind: 'phone', phone: '13800138000' });
  });
  it('refuses what is none of these', () => {
    for (const bad of ['', '   ', '1234', 'FOOTFALL:', 'FOOTFALL:12', 'hello world', '王芳', 'M1', `M${'1'.repeat(40)}`, 'https://example.com/x']) expect(parseMemberScan(bad), bad).toBeNull();
  });
  it('hints a phone by its first three digits', () => {
    expect(phoneHint('13800138000')).toBe('138…');
    expect(phoneHint('138…')).toBe('138…');
  });
});

describe('ScanCatcher', () => {
  const feed = (c: ScanCatcher, text: string, start: number, gap: number) => {
    let at = start;
    for (const ch of text) {
      expect(c.key(ch, at)).toBeNull();
      at += gap;
    }
    return c.key('Enter', at);
  };
  it('catches a fast burst of 6+ characters ended by Enter', () => {
    expect(feed(new ScanCatcher(), 'FOOTFALL:M100013', 0, 8)).toBe('FOOTFALL:M100013');
    expect(feed(new ScanCatcher(), 'M10001', 0, 20)).toBe('M10001');
  });
  it('ignores a person typing (slow keys), a short burst, and Enter alone', () => {
    expect(feed(new ScanCatcher(), 'M100013', 0, 120)).toBeNull();
    expect(feed(new ScanCatcher(), 'M1000', 0, 5)).toBeNull();
    expect(new ScanCatcher().key('Enter', 0)).toBeNull();
  });
  it('a slow key starts a new burst; Shift does not break one, an arrow key does', () => {
    const c = new ScanCatcher();
    c.key('x', 0);
    c.key('y', 500); // slow: a new burst from here
    expect(feed(c, 'M100013', 510, 5)).toBe('yM100013');
    const s = new ScanCatcher();
    let at = 0;
    for (const k of ['Shift', 'F', 'Shift', 'O', 'O', 'T', 'F', 'A', 'L', 'L']) s.key(k, (at += 5));
    expect(s.key('Enter', at + 5)).toBe('FOOTFALL');
    const a = new ScanCatcher();
    for (const k of ['M', '1', '0', 'ArrowDown', '0', '1', '3']) a.key(k, (at += 5));
    expect(a.key('Enter', at + 5)).toBeNull();
  });
});

const visit = (id: string, status: VisitView['status'], arrivedAt: number, tier: VisitView['member']['tier'] = 'basic'): VisitView =>
  ({ id, status, arrivedAt, memberId: `m-${id}`, member: { id: `m-${id}`, code: 'M1', name: id, nameEn: '', tier, sizes: { eu: 40, cn: 250 }, preferences: [], phoneMasked: '' } }) as unknown as VisitView;

describe('inStoreNow', () => {
  it("lists today's open and claimed visits, longest in store first, with time in store", () => {
    const now = new Date(2025, 5, 10, 15, 0).getTime();
    const list = inStoreNow(
      [
        visit('a', 'open', now - 23 * 60_000),
        visit('b', 'claimed', now - 90 * 60_000),
        visit('c', 'closed', now - 10 * 60_000),
        visit('d', 'open', startOfDay(now) - 60_000), // yesterday, still open: not in the store today
      ],
      now,
    );
    expect(list.map((x) => [x.visit.id, x.inStoreMs / 60_000])).toEqual([
      ['b', 90],
      ['a', 23],
    ]);
  });
});

describe('VIP cues and the check-in payload', () => {
  it('gold and platinum have their own sounds; others none', () => {
    expect(vipSoundUrl('gold')).toBe('./sounds/vip-gold.wav');
    expect(vipSoundUrl('platinum')).toBe('./sounds/vip-platinum.wav');
    expect(vipSoundUrl('silver')).toBeNull();
    expect(vipTier('basic')).toBeNull();
  });
  it("the desk's time zone is read from Intl once a minute, not at every row's render", () => {
    const real = Intl.DateTimeFormat;
    let made = 0;
    const counting = function (...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    Intl.DateTimeFormat = counting;
    try {
      const t0 = Date.now() + 3_600_000; // past any read an earlier test made
      const zone = deskTimeZone(t0);
      expect(zone).toBe(real().resolvedOptions().timeZone || 'UTC');
      for (let i = 1; i <= 500; i++) expect(deskTimeZone(t0 + i * 100)).toBe(zone);
      expect(made).toBe(1);
      deskTimeZone(t0 + 60_000); // a minute on: read again
      expect(made).toBe(2);
      // A row without a birthday asks nothing.
      expect(birthdayDays(null, t0)).toBeNull();
      expect(birthdayDays(undefined, t0)).toBeNull();
      expect(made).toBe(2);
    } finally {
      Intl.DateTimeFormat = real;
    }
  });
  it('a check-in carries exactly what the clerk gave, normalised', () => {
    expect(checkinPayload('c1', { memberCode: ' m100013 ' })).toEqual({ checkinId: 'c1', memberCode: 'M100013' });
    // Digits only; HQ's normalizePhone drops the +86 (hq/app/phone.ts).
    expect(checkinPayload('c1', { phone: '+86 138-0013-8000' })).toEqual({ checkinId: 'c1', phone: '8613800138000' });
    expect(checkinPayload('c1', { memberId: 'm1' })).toEqual({ checkinId: 'c1', memberId: 'm1' });
  });
  it('the member QR is the card code behind FOOTFALL:, drawn as an SVG', async () => {
    expect(memberQrText('M100013')).toBe('FOOTFALL:M100013');
    expect(parseMemberScan(memberQrText('M100013'))).toMatchObject({ kind: 'code', code: 'M100013' });
    const svg = await memberCardSvg('M100013');
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('<path');
  });
});

describe('the native arrival notification', () => {
  it('names a VIP and flags a birthday week in both languages', () => {
    const now = sh(2025, 6, 10);
    const v = (tier: VisitView['member']['tier'], birthday: string | null) =>
      ({ arrivals: 1, member: { id: 'm1', code: 'M1', name: '郭平', nameEn: 'Guo Ping', tier, sizes: { eu: 37, cn: 235 }, preferences: [], phoneMasked: '', birthday } }) as unknown as VisitView;
    expect(notificationText(v('platinum', '06-12'), 'zh-CN', now, SH).body).toBe('白金贵宾 · EU 37 / 235 · 生日周');
    expect(notificationText(v('gold', null), 'en-US', now, SH).body).toBe('Gold VIP · EU 37 / 235');
    expect(notificationText(v('silver', '06-10'), 'en-US', now, SH).body).toBe('Silver · EU 37 / 235 · Birthday week');
    expect(notificationText(v('basic', '07-30'), 'zh-CN', now, SH).body).toBe('会员 · EU 37 / 235');
  });
});
