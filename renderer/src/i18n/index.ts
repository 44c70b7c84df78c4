// Locale choice and message lookup. The default follows navigator.language (zh* → 简体中文,
// anything else → English); the clerk's choice is remembered in localStorage.
import type { Locale } from '../../../shared/reasons.ts';
import { type Catalog, en, type MessageKey } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type { Locale, MessageKey };

const catalogs: Record<Locale, Catalog> = { en, 'zh-CN': zhCN };
const STORAGE_KEY = 'footfall.locale';

export function detectLocale(language: string | undefined): Locale {
  return language && language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // Storage can be unavailable (privacy mode); fall back to the browser language.
  }
  return detectLocale(typeof navigator === 'undefined' ? undefined : navigator.language);
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Not remembered; the choice still applies for this session.
  }
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, vars) => {
    const text = catalog[key];
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
  };
}
