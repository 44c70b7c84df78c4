// The member page: one member of the chain, full width — who they are, birthday and membership
// anniversary, what they consented to, their visits at every store, their purchases, and notes about
// them with an "add note" box. Read through DeskApi.getMemberPage: HQ's history when online, this
// counter's copy offline (marked, with its age). A note added offline shows at once as pending.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MemberPageView } from '../../../shared/deskApi.ts';
import { daysUntil } from '../../../shared/anniversary.ts';
import { colorName, formatAgo, formatDate, formatPrice } from '../format.ts';
import type { MessageKey } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useDeskClient, useHolds, useStores } from '../state/StoresProvider.tsx';
import { FollowUpButton } from '../tasks/TodayPane.tsx';
import { StylePicture } from '../pictures/StylePicture.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { TierBadge } from '../components/TierBadge.tsx';
import { MemberAvatar, MemberNameLine, MemberSizes } from '../components/MemberIdentity.tsx';
import { useMemberPage } from './memberPageStore.ts';
import './memberPage.css';

type Status = 'loading' | 'ready' | 'missing';

export function MemberPage({ memberId }: { memberId: string }) {
  const t = useT();
  const client = useDeskClient();
  const close = useMemberPage((s) => s.close);
  const [page, setPage] = useState<MemberPageView | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const view = await client.getMemberPage(memberId);
      if (request !== latest.current) return;
      setPage(view);
      setStatus(view ? 'ready' : 'missing');
    } catch {
      if (request === latest.current) setStatus('missing');
    }
  }, [client, memberId]);

  useEffect(() => {
    setStatus('loading');
    void load();
    // A note settled or refused, a note from another store, the member changed or was erased.
    const off = client.on('member', (e) => {
      if (e.memberId === memberId) void load();
    });
    const offReset = client.on('reset', () => void load());
    return () => {
      off();
      offReset();
    };
  }, [client, memberId, load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLTextAreaElement)) close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [close]);

  return (
    <main className="member-page" aria-labelledby="member-page-title" data-member-id={memberId} data-status={status}>
      <div className="member-page-bar">
        <button type="button" className="member-page-back" onClick={close}>
          {t('page.back')}
        </button>
        <h2 id="member-page-title">{page ? page.member.name : t('page.open')}</h2>
      </div>
      {status === 'loading' && !page ? (
        <p className="empty">{t('page.loading')}</p>
      ) : !page ? (
        <p className="empty">{t('page.notFound')}</p>
      ) : (
        <PageBody page={page} onNoted={load} />
      )}
    </main>
  );
}

function PageBody({ page, onNoted }: { page: MemberPageView; onNoted: () => Promise<void> }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = Math.max(useDesk((s) => s.now), Date.now());
  const m = page.member;
  const homeName = page.visits.find((v) => v.storeId === m.homeStoreId)?.storeName;
  return (
    <div className="member-page-body">
      {page.fromCache && (
        <p className="page-cache" role="status" data-cache={page.fetchedAt === null ? 'never' : 'stale'}>
          {page.fetchedAt === null ? t('page.neverFetched') : t('page.fromCache', { age: formatAgo(page.fetchedAt, now, locale) })}
        </p>
      )}
      <section className="panel page-head" aria-label={m.name}>
        <MemberAvatar member={m} />
        <div className="page-who">
          <MemberNameLine member={m} />
          <p className="member-sub">
            <TierBadge tier={m.tier} />
            <span>{t('member.code', { code: m.code })}</span>
            <span data-testid="page-points">{t('member.points', { n: m.points.toLocaleString(locale) })}</span>
            {m.phoneMasked && (
              <span>
                {t('member.phone')} {m.phoneMasked}
              </span>
            )}
            {homeName && <span>{t('page.homeStore', { store: homeName })}</span>}
          </p>
        </div>
        <MemberSizes sizes={m.sizes} />
        <div className="page-actions">
          <FollowUpButton memberId={m.id} />
        </div>
      </section>

      <MemberHolds memberId={m.id} />

      <div className="page-facts">
        <section className="panel" aria-labelledby="page-dates">
          <h3 id="page-dates" className="visually-hidden">
            {t('page.birthday')}
          </h3>
          <dl className="page-dates">
            <div data-testid="page-birthday">
              <dt>{t('page.birthday')}</dt>
              <dd>{m.birthday ? <DayAndCountdown monthDay={m.birthday} now={now} /> : <span className="muted">{t('page.notGiven')}</span>}</dd>
            </div>
            <div data-testid="page-anniversary">
              <dt>{t('page.anniversary')}</dt>
              <dd>
                <DayAndCountdown monthDay={page.anniversary} now={now} />
                <span className="muted"> · {t('page.memberSince', { date: formatDate(m.joinedAt, locale) })}</span>
              </dd>
            </div>
          </dl>
        </section>
        <section className="panel" aria-labelledby="page-consents">
          <h3 id="page-consents">{t('page.consents')}</h3>
          <ul className="page-consents">
            {(['marketing', 'personalization', 'contact'] as const).map((k) => (
              <li key={k} data-consent={k} data-given={m.consents[k]}>
                <span>{t(`page.consent.${k}` as MessageKey)}</span>
                <span className={`consent ${m.consents[k] ? 'consent-yes' : 'consent-no'}`}>{m.consents[k] ? `✓ ${t('page.consent.given')}` : `✕ ${t('page.consent.notGiven')}`}</span>
              </li>
            ))}
          </ul>
        </section>
      </div>

      <MemberNotes page={page} onNoted={onNoted} />

      <section className="panel" aria-labelledby="page-visits">
        <h3 id="page-visits">{t('page.visits')}</h3>
        {page.fetchedAt === null ? (
          <p className="muted">{t('member.purchasesUnknown')}</p>
        ) : page.visits.length === 0 ? (
          <p className="muted">{t('page.noVisits')}</p>
        ) : (
          <table className="page-table" data-testid="page-visits">
            <thead>
              <tr>
                <th scope="col">{t('page.col.date')}</th>
                <th scope="col">{t('page.col.store')}</th>
                <th scope="col">{t('page.col.clerk')}</th>
                <th scope="col">{t('page.col.outcome')}</th>
                <th scope="col">{t('page.col.notes')}</th>
              </tr>
            </thead>
            <tbody>
              {page.visits.map((v) => (
                <tr key={v.id} data-visit-id={v.id} data-store-id={v.storeId}>
                  <td className="nowrap">{formatDate(v.arrivedAt, locale)}</td>
                  <td>
                    <bdi>{v.storeName}</bdi>
                  </td>
                  <td>
                    <bdi>{v.clerkName ?? t('page.nobody')}</bdi>
                  </td>
                  <td className="nowrap">{v.outcome ? t(`outcome.${v.outcome}` as MessageKey) : t('page.visitOpen')}</td>
                  <td className="page-visit-notes">
                    {v.notes.map((n) => (
                      <p key={n.id}>{n.text}</p>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.more.visits && <p className="muted">{t('page.more')}</p>}
      </section>

      <section className="panel" aria-labelledby="page-purchases">
        <h3 id="page-purchases">{t('page.purchases')}</h3>
        {page.fetchedAt === null ? (
          <p className="muted">{t('member.purchasesUnknown')}</p>
        ) : page.purchases.length === 0 ? (
          <p className="muted">{t('page.noPurchases')}</p>
        ) : (
          <table className="page-table" data-testid="page-purchases">
            <thead>
              <tr>
                <th scope="col">{t('page.col.date')}</th>
                <th scope="col">{t('page.col.style')}</th>
                <th scope="col">{t('page.col.color')}</th>
                <th scope="col">{t('page.col.size')}</th>
                <th scope="col">{t('page.col.store')}</th>
                <th scope="col" className="num">
                  {t('page.col.price')}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.purchases.map((p) => (
                <tr key={p.id} data-purchase-id={p.id}>
                  <td className="nowrap">{formatDate(p.at, locale)}</td>
                  <td>
                    <bdi>{p.styleName}</bdi>
                  </td>
                  <td>{colorName(t, p.color, p.colorName)}</td>
                  <td className="nowrap">{t('member.sizeEu', { n: p.size })}</td>
                  <td>
                    <bdi>{p.storeName}</bdi>
                  </td>
                  <td className="num nowrap">{formatPrice(p.price, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.more.purchases && <p className="muted">{t('page.more')}</p>}
      </section>
    </div>
  );
}

/** "06-15 · in 5 days" in the clerk's language (the date without a year: none is kept). */
function DayAndCountdown({ monthDay, now }: { monthDay: string; now: number }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const [mm, dd] = monthDay.split('-').map(Number) as [number, number];
  const day = new Intl.DateTimeFormat(locale, { month: 'long', day: 'numeric' }).format(new Date(2000, mm - 1, dd));
  const n = daysUntil(monthDay, now);
  const when = n === 0 ? t('page.today') : n === 1 ? t('page.tomorrow') : t('page.inDays', { n });
  return (
    <>
      <span>{day}</span> <span className={`countdown${n <= 7 ? ' countdown-soon' : ''}`}>({when})</span>
    </>
  );
}

function MemberNotes({ page, onNoted }: { page: MemberPageView; onNoted: () => Promise<void> }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const { client } = useStores();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const note = text.trim();
    if (!note || busy) return;
    setBusy(true);
    try {
      await client.addMemberNote(page.member.id, note);
      setText('');
      await onNoted();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="page-notes">
      <h3 id="page-notes">{t('page.notes')}</h3>
      <p className="muted page-hint">{t('page.notesHint')}</p>
      <form
        className="page-note-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <textarea aria-label={t('page.noteLabel')} placeholder={t('page.notePlaceholder')} value={text} maxLength={2000} rows={2} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          {t('page.addNote')}
        </button>
      </form>
      {page.notes.length === 0 ? (
        <p className="muted">{t('page.noNotes')}</p>
      ) : (
        <ul className="notes page-notes" data-testid="page-notes">
          {page.notes.map((n) => (
            <li key={n.id} className={`note note-${n.sync}`} data-sync={n.sync}>
              <p className="note-text">{n.text}</p>
              <p className="note-meta">
                {t('page.noteBy', { name: n.by.clerkName ?? n.by.deviceName, date: formatDate(n.at, locale) })} <SyncMark sync={n.sync} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The button that opens a member's page (member panel, chat conversation). */
export function OpenMemberPage({ memberId, name }: { memberId: string; name: string }) {
  const t = useT();
  const open = useMemberPage((s) => s.open);
  return (
    <button type="button" className="open-member-page" data-open-member-page={memberId} aria-label={t('page.openFor', { name })} onClick={() => open(memberId)}>
      {t('page.open')}
    </button>
  );
}

/** The member's pairs put aside at this store (from the holds this counter keeps), with their pictures. */
function MemberHolds({ memberId }: { memberId: string }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const all = useHolds((s) => s.holds); // selected whole (a stable reference), filtered here
  const holds = all.filter((h) => h.member.id === memberId && h.status === 'active');
  if (holds.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="page-holds">
      <h3 id="page-holds">{t('page.holds')}</h3>
      <ul className="page-holds">
        {holds.map((h) => (
          <li key={h.id} data-hold-id={h.id}>
            <StylePicture image={h.image} category={h.category ?? 'casual'} name={h.styleName} size="thumb" />
            <span>
              <bdi>{t('holds.line', { style: h.styleName, color: colorName(t, h.color, h.colorName), size: h.size })}</bdi>
              <span className="muted"> · {t('holds.until', { date: formatDate(h.until, locale) })}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
