// Title and body of the native arrival notification. The main process does not know the language
// the clerk picked in the window, so it follows the OS locale (zh* → Chinese, otherwise English).
import type { VisitView } from '../../shared/deskApi.ts';

const tierNames = {
  en: { basic: 'Member', silver: 'Silver', gold: 'Gold', platinum: 'Platinum' },
  zh: { basic: '会员', silver: '银卡', gold: '金卡', platinum: '白金卡' },
} as const;

export function notificationText(visit: VisitView, osLocale: string): { title: string; body: string } {
  const zh = osLocale.toLowerCase().startsWith('zh');
  const m = visit.member;
  const tier = tierNames[zh ? 'zh' : 'en'][m.tier];
  const size = `EU ${m.sizes.eu} / ${m.sizes.cn}`;
  if (zh) {
    return { title: `${m.name} 到店了`, body: `${tier} · ${size}${visit.arrivals > 1 ? ` · 第${visit.arrivals}次` : ''}` };
  }
  const name = m.nameEn || m.name;
  return { title: `${name} just walked in`, body: `${tier} · ${size}` };
}
