// Turns structured recommendation reasons into the sentence a clerk reads aloud,
// e.g. "Running · size 38 in stock · new this week" / "跑步 · 38码有货 · 本周新品".
import type { Category, Reason } from './domain.ts';

export type Locale = 'zh-CN' | 'en';

const categoryNames: Record<Locale, Record<Category, string>> = {
  en: { running: 'Running', basketball: 'Basketball', retro: 'Retro', casual: 'Casual', kids: 'Kids' },
  'zh-CN': { running: '跑步', basketball: '篮球', retro: '复古', casual: '休闲', kids: '童鞋' },
};

export function categoryName(category: Category, locale: Locale): string {
  return categoryNames[locale][category];
}

export function formatReason(reason: Reason, locale: Locale): string {
  const zh = locale === 'zh-CN';
  switch (reason.code) {
    case 'preference':
      return zh ? `喜欢${categoryName(reason.category, locale)}` : `Likes ${categoryName(reason.category, locale).toLowerCase()}`;
    case 'bought_category':
      return zh
        ? `买过${reason.count}双${categoryName(reason.category, locale)}`
        : `Bought ${reason.count} ${categoryName(reason.category, locale).toLowerCase()} pair${reason.count > 1 ? 's' : ''}`;
    case 'size_in_stock':
      return zh ? `${reason.size}码有货` : `size ${reason.size} in stock`;
    case 'new_this_week':
      return zh ? '本周新品' : 'new this week';
    case 'new_arrival':
      return zh ? '新品' : 'new arrival';
    case 'popular_in_store':
      return zh ? '本店热卖' : 'popular in this store';
  }
}

export function formatReasons(reasons: readonly Reason[], locale: Locale): string {
  const text = reasons.map((r) => formatReason(r, locale)).join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
