// The arrival card's next best action (7/8), as pure functions over the profile HQ sent: which
// styles show, whether the card is personalised, the visit size filter, and the sentences a clerk
// reads aloud (the add-on's reason, the cues, the last purchase) in the desk's language.
//
// Invariant: a member who opted out of personalised suggestions (`next.personalized` false, or
// `consents.personalization` false) gets no suggestion derived from their data here — no add-on,
// no reason that speaks of their likes, purchases or size: only the styles HQ picked as this store's
// best sellers, narrowed to a size the clerk enters for this visit (never saved). The card still
// shows their loyalty record (size, last purchase) as it always did: that is not a suggestion.
import type { ActionCue, AddOn, AddOnReason, MemberProfile, NextBestAction, Reason, Recommendation } from '../../../shared/domain.ts';
import { isEuSize } from '../../../shared/limits.ts';
import { categoryName, type Locale } from '../../../shared/reasons.ts';
import { formatDate, formatPrice } from '../format.ts';
import type { Translate } from '../i18n/index.ts';

const DAY_MS = 86_400_000;

/** Whether the card may use the member's data: HQ computed it so, and the member has not opted out. */
export function isPersonalized(profile: Pick<MemberProfile, 'member' | 'next'>): boolean {
  return profile.next?.personalized === true && profile.member.consents?.personalization !== false;
}

/** Reasons that use none of the member's data (the store's best sellers, what is new). */
const PUBLIC_REASONS: ReadonlySet<Reason['code']> = new Set(['popular_in_store', 'new_this_week', 'new_arrival']);

/** The reasons a non-personalised card may say: HQ's, less any about the member's likes, purchases or size. */
export function publicReasons(reasons: readonly Reason[]): Reason[] {
  return reasons.filter((r) => PUBLIC_REASONS.has(r.code));
}

/** Pairs of a style in stock at this store in `size` (0 when the style does not come in it). */
export function stockIn(rec: Pick<Recommendation, 'stockBySize'>, size: number): number {
  return rec.stockBySize.find((s) => s.size === size)?.qty ?? 0;
}

/** The styles with stock in `size`, in order (the visit-size filter of a non-personalised card). */
export function inSize<T extends Pick<Recommendation, 'stockBySize'>>(recs: readonly T[], size: number): T[] {
  return recs.filter((r) => stockIn(r, size) > 0);
}

/**
 * The styles the card shows: `next.styles` in HQ's order, looked up in the profile's
 * recommendations (an id without one is skipped: nothing to show for it), at most 3 — narrowed to
 * `visitSize` when one was entered.
 */
export function cardStyles(next: Pick<NextBestAction, 'styles'>, recommendations: readonly Recommendation[], visitSize: number | null = null): Recommendation[] {
  const byId = new Map(recommendations.map((r) => [r.styleId, r]));
  const picked = next.styles.flatMap((id) => byId.get(id) ?? []).slice(0, 3);
  return visitSize === null ? picked : inSize(picked, visitSize);
}

/**
 * A size the clerk typed for this visit: EU, whole or half (38, 38.5, "38,5"); null when it is not
 * one (empty, out of 16–52, not a half step).
 */
export function parseVisitSize(input: string): number | null {
  const text = input.trim().replace(',', '.');
  if (!/^\d{2}(\.\d)?$/.test(text)) return null;
  const n = Number(text);
  return isEuSize(n) ? n : null;
}

/** The calendar day of `ms` in `timeZone`, as a day number (for "how many days ago" in the store's zone). */
function dayNumber(ms: number, timeZone: string): number {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms).split('-').map(Number);
  return Math.round(Date.UTC(y!, m! - 1, d!) / DAY_MS);
}

/** Whole calendar days from `at` to `now` in the store's zone (0: today). */
export function daysBetween(at: number, now: number, timeZone: string): number {
  return Math.max(0, dayNumber(now, timeZone) - dayNumber(at, timeZone));
}

/** "today", "5 days ago", "3 weeks ago", "4 months ago" (今天, 5天前, 3周前, 4个月前). */
export function agoText(days: number, locale: Locale): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (days < 14) return rtf.format(-days, 'day');
  if (days < 60) return rtf.format(-Math.round(days / 7), 'week');
  if (days < 730) return rtf.format(-Math.round(days / 30), 'month');
  return rtf.format(-Math.round(days / 365), 'year');
}

/** The shoe category as a clerk says it of a purchase: "running shoes" / "跑鞋". */
export function shoesOf(t: Translate, category: AddOnReason['category']): string {
  return t(`assist.shoes.${category}`);
}

/**
 * The add-on as one sentence a clerk can say: "Bought running shoes 3 weeks ago — Run Socks ¥59" /
 * "3周前买了跑鞋，推荐 Run Socks ¥59". `days` of a bought_recently reason are HQ's count.
 */
export function addOnSentence(t: Translate, addOn: Pick<AddOn, 'name' | 'price' | 'reason'>, locale: Locale): string {
  const item = t('assist.addon.item', { name: addOn.name, price: formatPrice(addOn.price, locale) });
  const r = addOn.reason;
  switch (r.code) {
    case 'bought_recently':
      return t('assist.addon.bought', { shoes: shoesOf(t, r.category), ago: agoText(r.days, locale), item });
    case 'goes_with_suggestion':
      return t('assist.addon.goesWith', { style: r.styleName, item });
    case 'likes_category':
      return t('assist.addon.likes', { category: locale === 'en' ? categoryName(r.category, locale).toLowerCase() : categoryName(r.category, locale), item });
  }
}

/** A cue as the card says it: "A pair of X in 38 is held for them until 12 Dec" / "已 120 天未到店". */
export function cueText(t: Translate, cue: ActionCue, locale: Locale): string {
  switch (cue.code) {
    case 'hold_waiting':
      return t('assist.cue.hold', { style: cue.styleName, size: cue.size, until: formatDate(cue.until, locale) });
    case 'long_absent':
      return t('assist.cue.absent', { n: cue.days });
  }
}

/** The last purchase: "Cloud Runner · 3 weeks ago · this store". */
export function lastPurchaseText(t: Translate, last: NonNullable<NextBestAction['lastPurchase']>, ownStoreId: string | null, now: number, timeZone: string, locale: Locale): string {
  const where = last.storeId === ownStoreId ? t('assist.last.here') : t('assist.last.elsewhere');
  return t('assist.last.line', { style: last.styleName, size: last.size, ago: agoText(daysBetween(last.at, now, timeZone), locale), where });
}
