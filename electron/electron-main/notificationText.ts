// Title and body of the native arrival notification. The main process does not know the language
// the clerk picked in the window, so it follows the OS locale (zh* → Chinese, otherwise English).
import { birthdayWeek } from '../../shared/birthday.ts';
import type { VisitView } from '../../shared/deskApi.ts';

const tierNames = {
  en: { basic: 'Member', silver: 'Silver', gold: 'Gold', platinum: 'Platinum' },
  zh: { basic: '会员', silver: '银卡', gold: '金卡', platinum: '白金卡' },
} as const;

/** 4/8 part A: a Gold or Platinum member is named a VIP, and a birthday week is flagged on the alert. */
const vipNames = { en: { gold: 'Gold VIP', platinum: 'Platinum VIP' }, zh: { gold: '金卡贵宾', platinum: '白金贵宾' } } as const;

export function notificationText(visit: VisitView, osLocale: string, now = Date.now(), timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone): { title: string; body: string } {
  const zh = osLocale.toLowerCase().startsWith('zh');
  const m = visit.member;
  const lang = zh ? 'zh' : 'en';
  const tier = m.tier === 'gold' || m.tier === 'platinum' ? vipNames[lang][m.tier] : tierNames[lang][m.tier];
  const size = `EU ${m.sizes.eu} / ${m.sizes.cn}`;
  const birthday = birthdayWeek(m.birthday, now, timeZone || 'UTC') !== null ? (zh ? ' · 生日周' : ' · Birthday week') : '';
  if (zh) {
    return { title: `${m.name} 到店了`, body: `${tier} · ${size}${visit.arrivals > 1 ? ` · 第${visit.arrivals}次` : ''}${birthday}` };
  }
  const name = m.nameEn || m.name;
  return { title: `${name} just walked in`, body: `${tier} · ${size}${birthday}` };
}
