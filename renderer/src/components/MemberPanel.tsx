// Center column: the member the clerk is serving — who, sizes, likes, purchases, notes — with the
// visit's actions on top and the styles to suggest.
import type { MemberView, VisitView } from '../../../shared/deskApi.ts';
import { categoryName } from '../../../shared/reasons.ts';
import { colorName, formatAgo, formatDate, formatPrice, formatWhen } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';
import { Recommendations } from './Recommendations.tsx';
import { SyncMark } from './SyncMark.tsx';
import { TierBadge } from './TierBadge.tsx';
import { BirthdayFlag, VipBadge } from '../checkin/VipCues.tsx'; // 4/8 part A
import { vipTier } from '../checkin/vip.ts';
import { CheckinMemberButton } from '../checkin/CheckinDialog.tsx';
import { VisitActions } from './VisitActions.tsx';
import { MemberAvatar, MemberNameLine, MemberSizes } from './MemberIdentity.tsx';
import { OpenMemberPage } from '../member/MemberPage.tsx';
import { FollowUpButton } from '../tasks/TodayPane.tsx';
import { ExpectedCue } from '../expected/ExpectedCue.tsx'; // 5/8 expected visits
import { NextBestAction } from '../assist/NextBestAction.tsx'; // 7/8 card: the next best action

export function MemberPanel() {
  const t = useT();
  const status = useDesk((s) => s.memberStatus);
  const member = useDesk((s) => s.member);
  const selectedVisitId = useDesk((s) => s.selectedVisitId);
  const arrivals = useDesk((s) => s.arrivals);

  let body;
  if (status === 'idle') body = <p className="empty">{t('member.none')}</p>;
  else if (status === 'loading' && !member) body = <p className="empty">{t('member.loading')}</p>;
  else if (!member) body = <p className="empty">{t('member.notFound')}</p>;
  else {
    // The visit the actions act on: the one picked in the queue, else the member's open visit.
    const visit =
      arrivals.find((v) => v.id === selectedVisitId && v.memberId === member.member.id) ??
      member.visits.find((v) => v.id === selectedVisitId) ??
      member.visits.find((v) => v.status !== 'closed') ??
      null;
    body = <MemberCard member={member} visit={visit} />;
  }
  return (
    <main className="member" aria-labelledby="member-title">
      <h2 id="member-title" className="visually-hidden">
        {member ? member.member.name : t('member.none')}
      </h2>
      {body}
    </main>
  );
}

function MemberCard({ member: view, visit }: { member: MemberView; visit: VisitView | null }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  const m = view.member;
  return (
    <div className="member-card" data-member-id={m.id}>
      <div className="member-head">
        <MemberAvatar member={m} />
        <div className="member-who">
          <MemberNameLine member={m} />
          <p className="member-sub">
            {vipTier(m.tier) ? <VipBadge tier={m.tier} /> : <TierBadge tier={m.tier} />}
            <BirthdayFlag birthday={m.birthday} />
            <span>{t('member.code', { code: m.code })}</span>
            <span>{t('member.points', { n: m.points.toLocaleString(locale) })}</span>
            {m.phoneMasked && (
              <span>
                {t('member.phone')} {m.phoneMasked}
              </span>
            )}
          </p>
        </div>
        <MemberSizes sizes={m.sizes} />
        <OpenMemberPage memberId={m.id} name={m.name} />
        <FollowUpButton memberId={m.id} />
      </div>

      <ProfileAge profileAt={view.profileAt} />

      {/* 4/8 part A: no visit in progress here — the clerk may check the member in at the counter. */}
      {(!visit || visit.status === 'closed') && <CheckinMemberButton memberId={m.id} />}
      {/* 5/8: the member said they would come — what for, from where, and the pair held. */}
      {visit?.expected && <ExpectedCue expected={visit.expected} />}
      <VisitActions visit={visit} />
      {/* 7/8: size, last purchase, up to 3 styles, the add-on, cues, and the clerk's marks. */}
      {view.profileAt !== null && <NextBestAction profile={view} visit={visit} />}

      <section className="panel notes-panel" aria-labelledby="notes-title">
        <h3 id="notes-title">{t('member.notes')}</h3>
        {view.notes.length === 0 ? (
          <p className="muted">{t('member.noNotes')}</p>
        ) : (
          <ul className="notes">
            {[...view.notes]
              .sort((a, b) => b.at - a.at)
              .slice(0, 4)
              .map((n) => (
                <li key={n.id} className={`note note-${n.sync}`} data-sync={n.sync}>
                  <p className="note-text">{n.text}</p>
                  <p className="note-meta">
                    {t('member.noteBy', { name: n.by.clerkName ?? n.by.deviceName })} · {formatWhen(n.at, now, locale)}{' '}
                    <SyncMark sync={n.sync} />
                  </p>
                </li>
              ))}
          </ul>
        )}
      </section>

      {view.profileAt === null ? (
        <p className="muted profile-unknown" data-profile="unknown">
          {t('member.profileUnknown')}
        </p>
      ) : (
        // 7/8: the full list stays under the next best action (its detail, holds and product cards).
        <Recommendations recommendations={view.recommendations} memberSize={m.sizes.eu} />
      )}

      <div className="member-grid">
        <section className="panel" aria-labelledby="prefs-title">
          <h3 id="prefs-title">{t('member.preferences')}</h3>
          {m.preferences.length === 0 ? (
            <p className="muted">{t('member.noPreferences')}</p>
          ) : (
            <ul className="chips">
              {m.preferences.map((c) => (
                <li key={c} className="chip">
                  {categoryName(c, locale)}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="panel" aria-labelledby="purchases-title">
          <h3 id="purchases-title">{t('member.purchases')}</h3>
          {view.profileAt === null ? (
            <p className="muted">{t('member.purchasesUnknown')}</p>
          ) : view.purchases.length === 0 ? (
            <p className="muted">{t('member.noPurchases')}</p>
          ) : (
            <ul className="purchases" aria-labelledby="purchases-title">
              {view.purchases.slice(0, 5).map((p) => (
                <li key={p.id}>
                  <span className="purchase-name">{p.styleName}</span>
                  <span className="muted">{t('member.purchaseLine', { color: colorName(t, p.color), size: p.size })}</span>
                  <span className="purchase-meta">
                    {formatPrice(p.price, locale)} · {formatDate(p.at, locale)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </div>
  );
}

/** Purchases and suggestions older than this are shown with their age: HQ could not be asked. */
export const PROFILE_AGE_SHOWN_MS = 60 * 60 * 1000;

function ProfileAge({ profileAt }: { profileAt: number | null }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  if (profileAt === null || Math.max(now, Date.now()) - profileAt < PROFILE_AGE_SHOWN_MS) return null;
  return (
    <p className="profile-age" data-profile="stale">
      {t('member.profileAsOf', { age: formatAgo(profileAt, Math.max(now, Date.now()), locale) })}
    </p>
  );
}
