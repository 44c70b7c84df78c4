// Small display helpers that depend on the locale but not on React.
import type { VisitNotice } from '../../shared/deskApi.ts';
import type { Actor } from '../../shared/domain.ts';
import type { Rejection } from '../../shared/protocol.ts';
import type { MessageKey, Translate } from './i18n/index.ts';

/** "just now" / "2 min" / "1 h 5 min" — minutes are what a clerk at the counter cares about. */
export function formatAge(t: Translate, sinceMs: number, nowMs: number): string {
  const minutes = Math.max(0, Math.floor((nowMs - sinceMs) / 60_000));
  if (minutes < 1) return t('age.justNow');
  if (minutes < 60) return t('age.min', { n: minutes });
  return t('age.hourMin', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** Prices are kept in fen; shown as whole yuan when round. */
export function formatPrice(fen: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY', maximumFractionDigits: fen % 100 === 0 ? 0 : 2 }).format(fen / 100);
}

export function formatDate(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(ms);
}

/** A note's time: "15:37" today, the date otherwise. */
export function formatWhen(ms: number, nowMs: number, locale: string): string {
  const sameDay = new Date(ms).toDateString() === new Date(nowMs).toDateString();
  return sameDay ? formatTime(ms, locale) : formatDate(ms, locale);
}

export function formatTime(ms: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** The user-perceived characters of a text: an emoji with its modifiers, 𠀀 (two UTF-16 units), é as e + ◌́ — each one. */
export function graphemes(text: string): string[] {
  if (typeof Intl !== 'undefined' && 'Segmenter' in Intl) return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
  return [...text]; // code points at least: never half a surrogate pair
}

/** Bidirectional controls (RLO, LRI…): never drawn in an avatar, where they would turn the rest around. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Avatar initials, by whole characters (graphemes, never half of one): up to two initials of a name
 * written with spaces between words (Latin, Cyrillic, Greek); otherwise its first character — a
 * CJK name's surname, an emoji, 𠀀.
 */
export function initials(name: string, nameEn: string): string {
  const clean = (s: string) => s.replace(BIDI_CONTROLS, '').trim();
  const source = clean(name) || clean(nameEn);
  const first = graphemes(source)[0] ?? '';
  if (!/^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}]/u.test(first)) return first;
  return source
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => (graphemes(w)[0] ?? '').toLocaleUpperCase())
    .join('');
}

/** "3 days ago", "2 hours ago" (3天前, 2小时前): how old something shown from this counter's copy is. */
export function formatAgo(ms: number, nowMs: number, locale: string): string {
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const minutes = Math.round((ms - nowMs) / 60_000);
  if (Math.abs(minutes) < 60) return rtf.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return rtf.format(hours, 'hour');
  return rtf.format(Math.round(hours / 24), 'day');
}

/** A colour code of the catalog (PNK) as the clerk reads it (Pink, 粉色); an unknown code as it is, or its catalog name. */
export function colorName(t: Translate, code: string, catalogName?: string): string {
  const key = `color.${code.toUpperCase()}` as MessageKey;
  const text = t(key);
  return typeof text === 'string' && text !== '' && text !== key ? text : (catalogName ?? code);
}

/** Why HQ refused, in the clerk's language: "Claimed by Counter 2 first". */
export function rejectionText(t: Translate, rejection: Rejection | null): string {
  if (!rejection) return t('sync.rejected');
  if (rejection.code === 'already_claimed') {
    const by = rejection.by?.clerkName ?? rejection.by?.deviceName;
    return by ? t('reject.already_claimed', { name: by }) : t('reject.already_claimed_anon');
  }
  return t(`reject.${rejection.code}`);
}

/** Who holds a claim or acted, as the clerk knows them: the clerk's name, else the counter's. */
export const actorName = (a: Actor | null | undefined): string => a?.clerkName ?? a?.deviceName ?? '';

/** A visit notice in the clerk's language: "Claimed by 李娜 first", "Taken over by 王芳", or why HQ refused. */
export function noticeText(t: Translate, notice: VisitNotice): string {
  const name = actorName(notice.by);
  if (notice.code === 'taken_over') return t('notice.taken_over', { name });
  if (notice.code === 'already_claimed') return name ? t('notice.already_claimed', { name }) : t('reject.already_claimed_anon');
  return t('notice.refused', { reason: rejectionText(t, { code: notice.code, message: '', by: notice.by }) });
}

/** Sizes worth showing at the counter: the member's own and a size either side (half steps). */
const NEAR = 1.5;

export function nearSize<T extends { size: number }>(stock: readonly T[], memberSize: number): T[] {
  const near = stock.filter((s) => Math.abs(s.size - memberSize) <= NEAR);
  // Kids' styles, or a member outside the style's range: show the whole run rather than nothing.
  return near.length > 0 ? near : [...stock];
}
