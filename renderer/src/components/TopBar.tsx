// Top bar: which store and counter this is, member search over the desk's cache, language switch.
import { useEffect, useRef, useState } from 'react';
import type { MemberSearchHit } from '../../../shared/deskApi.ts';
import { SEARCH_PAGE } from '../state/deskStore.ts';
import type { Locale } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useStores } from '../state/StoresProvider.tsx';
import { TierBadge } from './TierBadge.tsx';
import { SettingsButton } from '../settings/SettingsDialog.tsx';
import { InStoreCount } from '../checkin/InStoreNow.tsx'; // 4/8 part A

const SEARCH_DEBOUNCE_MS = 200;

export function TopBar() {
  const t = useT();
  const identity = useDesk((s) => s.identity);
  const locale = useDesk((s) => s.locale);
  const setLocale = useDesk((s) => s.setLocale);
  const { settings } = useStores();
  // One language setting: the switch here writes Settings → Language (the shell keeps it), and
  // only a shell without settings falls back to this page's own memory.
  const choose = (language: Locale) => {
    if (settings.getState().view) void settings.getState().update({ language });
    else setLocale(language);
  };
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
      <InStoreCount />
      <div className="lang-switch" role="group" aria-label={t('top.language')}>
        <button type="button" lang="zh-CN" aria-pressed={locale === 'zh-CN'} onClick={() => choose('zh-CN')}>
          {t('top.langZh')}
        </button>
        <button type="button" lang="en" aria-pressed={locale === 'en'} onClick={() => choose('en')}>
          {t('top.langEn')}
        </button>
      </div>
      <SettingsButton />
    </header>
  );
}

/** The key that focuses member search from anywhere on the desk (with Ctrl/⌘+K): shown as a hint. */
export const SEARCH_KEY = '/';
export const SEARCH_INPUT_ID = 'member-search';

function MemberSearch() {
  const t = useT();
  const hits = useDesk((s) => s.searchHits);
  const hasMore = useDesk((s) => s.searchHasMore);
  const remote = useDesk((s) => s.searchRemote);
  const search = useDesk((s) => s.search);
  const clearSearch = useDesk((s) => s.clearSearch);
  const openMember = useDesk((s) => s.openMember);
  const { desk } = useStores();
  const [query, setQuery] = useState('');
  const [limit, setLimit] = useState(SEARCH_PAGE);
  const [active, setActive] = useState(-1);
  const [focused, setFocused] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    // Debounced: the cache search is cheap, but not on every keystroke of a fast typist.
    const timer = setTimeout(() => void search(query, limit), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, limit, search]);

  // The options in the order ↓ walks them: this counter's hits, "More", then other stores' hits.
  const options: Array<{ kind: 'hit'; hit: MemberSearchHit } | { kind: 'more' }> = [
    ...(hits ?? []).map((hit) => ({ kind: 'hit' as const, hit })),
    ...(hasMore ? [{ kind: 'more' as const }] : []),
    ...(remote ?? []).map((hit) => ({ kind: 'hit' as const, hit })),
  ];
  const open = hits !== null && query.trim() !== '';
  const activeIndex = active < options.length ? active : -1;
  const optionId = (i: number) => `member-search-option-${i}`;

  useEffect(() => {
    if (activeIndex >= 0) document.getElementById(optionId(activeIndex))?.scrollIntoView({ block: 'nearest' });
  }, [activeIndex]);

  const reset = () => {
    setQuery('');
    setLimit(SEARCH_PAGE);
    setActive(-1);
    clearSearch();
  };
  const pick = (memberId: string) => {
    openMember(memberId);
    reset();
  };
  const more = () => {
    // Keep the highlight on the first new hit, where the "More" row was.
    setActive(hits?.length ?? -1);
    setLimit((n) => n + SEARCH_PAGE);
  };
  const choose = (i: number) => {
    const option = options[i];
    if (!option) return;
    if (option.kind === 'more') more();
    else pick(option.hit.id);
  };

  const renderHit = (hit: MemberSearchHit, i: number) => (
    <li key={`${hit.id}-${i}`} id={optionId(i)} role="option" aria-selected={i === activeIndex} className={`search-hit${i === activeIndex ? ' is-active' : ''}`} data-member-id={hit.id} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(hit.id)}>
      <span className="search-hit-line">
        <bdi className="search-hit-name">{hit.name}</bdi>
        {hit.nameEn && hit.nameEn !== hit.name && <bdi className="muted search-hit-en">{hit.nameEn}</bdi>}
        <TierBadge tier={hit.tier} />
      </span>
      <span className="muted search-hit-meta">
        {hit.code} · {hit.phoneMasked}
        {hit.homeStoreName && <bdi className="search-hit-store">{hit.homeStoreName}</bdi>}
      </span>
    </li>
  );

  return (
    <div className="search" role="search">
      <label className="visually-hidden" htmlFor={SEARCH_INPUT_ID}>
        {t('top.search')}
      </label>
      <input
        id={SEARCH_INPUT_ID}
        ref={inputRef}
        type="search"
        role="combobox"
        aria-expanded={open}
        aria-controls="member-search-results"
        aria-autocomplete="list"
        aria-activedescendant={open && activeIndex >= 0 ? optionId(activeIndex) : undefined}
        aria-keyshortcuts="/ Control+K Meta+K"
        autoComplete="off"
        spellCheck={false}
        maxLength={60}
        placeholder={t('top.searchPlaceholder')}
        value={query}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        onChange={(e) => {
          setQuery(e.target.value);
          setLimit(SEARCH_PAGE);
          setActive(-1);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            reset();
          } else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && open && options.length > 0) {
            e.preventDefault();
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((i) => (i < 0 ? (step > 0 ? 0 : options.length - 1) : (i + step + options.length) % options.length));
          } else if (e.key === 'Enter' && query.trim() !== '' && !e.nativeEvent.isComposing) {
            e.preventDefault();
            const current = desk.getState().searchedFor === query.trim().slice(0, 60);
            if (open && options.length > 0 && current) choose(activeIndex >= 0 ? activeIndex : 0);
            else {
              // Typed and Enter before the debounced search answered: search now, open the first hit.
              void search(query, limit).then(() => {
                const first = desk.getState().searchHits?.[0];
                if (first) pick(first.id);
              });
            }
          }
        }}
      />
      {!focused && query === '' && (
        <kbd className="search-key" aria-hidden="true" title={t('top.searchKeyHint')}>
          {SEARCH_KEY}
        </kbd>
      )}
      {open && (
        <div className="search-results" aria-live="polite">
          {options.length === 0 ? (
            <p className="search-empty">{t('top.searchNoHits')}</p>
          ) : (
            <ul id="member-search-results" ref={listRef} role="listbox" aria-label={t('top.search')}>
              {(hits ?? []).map((hit, i) => renderHit(hit, i))}
              {hasMore && (
                <li id={optionId(hits!.length)} role="option" aria-selected={activeIndex === hits!.length} className={`search-more${activeIndex === hits!.length ? ' is-active' : ''}`} onMouseDown={(e) => e.preventDefault()} onClick={more}>
                  {t('top.searchMore')}
                </li>
              )}
              {remote && remote.length > 0 && (
                <li role="presentation" className="search-group">
                  {t('top.searchOtherStores')}
                </li>
              )}
              {(remote ?? []).map((hit, k) => renderHit(hit, (hits?.length ?? 0) + (hasMore ? 1 : 0) + k))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
