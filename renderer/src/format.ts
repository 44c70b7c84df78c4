// Small display helpers that depend on the locale but not on React.
import type { VisitNotice } from '../../shared/deskApi.ts';
import type { Actor } from '../../shared/domain.ts';
import type { Rejection } from '../../shared/protocol.ts';
import type { Translate } from './i18n/index.ts';

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

/** Avatar initials: the first character of a Chinese name, or up to two initials of a Latin one. */
export function initials(name: string, nameEn: string): string {
  const trimmed = name.trim();
  if (/^[\u3400-\u9fff]/.test(trimmed)) return trimmed.slice(0, 1);
  const source = (trimmed || nameEn).split(/\s+/).filter(Boolean);
  return source
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
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

/** A visit notice in the clerk's language: "李娜 claimed this first", "王芳 took this visit over", or why HQ refused. */
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
