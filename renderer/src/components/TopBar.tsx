// Top bar: which store and counter this is, member search over the desk's cache, language switch.
import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';
import { TierBadge } from './TierBadge.tsx';
import { SettingsButton } from '../settings/SettingsDialog.tsx';

const SEARCH_DEBOUNCE_MS = 200;

export function TopBar() {
  const t = useT();
  const identity = useDesk((s) => s.identity);
  const locale = useDesk((s) => s.locale);
  const setLocale = useDesk((s) => s.setLocale);
  return (
    <header className="topbar">
      <div className="topbar-brand">
        <span className="brand-mark" aria-hidden="true">
          F
        </span>
        <div className="topbar-where">
          <span className="topbar-store">
            <span className="visually-hidden">{t('top.store')}: </span>
            {identity?.storeName ?? '—'}
          </span>
          <span className="topbar-device">
            <span className="visually-hidden">{t('top.device')}: </span>
            {identity?.deviceName ?? '—'}
          </span>
        </div>
      </div>
      <MemberSearch />
      <div className="lang-switch" role="group" aria-label={t('top.language')}>
        <button type="button" lang="zh-CN" aria-pressed={locale === 'zh-CN'} onClick={() => setLocale('zh-CN')}>
          {t('top.langZh')}
        </button>
        <button type="button" lang="en" aria-pressed={locale === 'en'} onClick={() => setLocale('en')}>
          {t('top.langEn')}
        </button>
      </div>
      <SettingsButton />
    </header>
  );
}

function MemberSearch() {
  const t = useT();
  const hits = useDesk((s) => s.searchHits);
  const search = useDesk((s) => s.search);
  const clearSearch = useDesk((s) => s.clearSearch);
  const openMember = useDesk((s) => s.openMember);
  const [query, setQuery] = useState('');
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // Debounced: the cache search is cheap, but not on every keystroke of a fast typist.
    const timer = setTimeout(() => void search(query), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, search]);

  const pick = (memberId: string) => {
    openMember(memberId);
    setQuery('');
    clearSearch();
  };

  return (
    <div className="search" role="search">
      <label className="visually-hidden" htmlFor="member-search">
        {t('top.search')}
      </label>
      <input
        id="member-search"
        ref={inputRef}
        type="search"
        autoComplete="off"
        spellCheck={false}
        maxLength={60}
        placeholder={t('top.searchPlaceholder')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setQuery('');
            clearSearch();
          }
        }}
      />
      {hits !== null && query.trim() !== '' && (
        <div className="search-results" aria-live="polite">
          {hits.length === 0 ? (
            <p className="search-empty">{t('top.searchNoHits')}</p>
          ) : (
            <ul>
              {hits.map((hit) => (
                <li key={hit.id}>
                  <button type="button" className="search-hit" onClick={() => pick(hit.id)}>
                    <span className="search-hit-name">{hit.name}</span>
                    {hit.nameEn && <span className="muted">{hit.nameEn}</span>}
                    <TierBadge tier={hit.tier} />
                    <span className="muted search-hit-meta">
                      {hit.code} · {hit.phoneMasked}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
