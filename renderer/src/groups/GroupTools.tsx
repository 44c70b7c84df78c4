// The host tools of the open group (5/8): its members (nickname, muted until; mute for an hour, a
// day, a week or lift it; remove), its settings (pinned notice, welcome, slow mode), its invite
// links (the link, HQ's QR code, revoke), its hosts (add a clerk of the store, stop being one) and
// closing it. Every action is queued (shown pending at once) and HQ may refuse it (shown with why).
import { useEffect, useState } from 'react';
import type { GroupInviteView, GroupMemberView, GroupView } from '../../../shared/deskGroups.ts';
import { GROUP_NOTICE_MAX, GROUP_WELCOME_MAX, SLOW_MODE_MAX_SEC } from '../../../shared/limits.ts';
import { formatDate, formatTime, rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useClerk, useDesk, useGroups, useStores } from '../state/StoresProvider.tsx';

/** The mutes a host picks from, in minutes (0 lifts it). */
export const MUTE_CHOICES = [
  { minutes: 60, key: 'groups.mute.hour' },
  { minutes: 24 * 60, key: 'groups.mute.day' },
  { minutes: 7 * 24 * 60, key: 'groups.mute.week' },
  { minutes: 30 * 24 * 60, key: 'groups.mute.month' },
] as const;
const SLOW_CHOICES = [0, 10, 30, 60, 300, 900, SLOW_MODE_MAX_SEC];

type Tab = 'members' | 'settings' | 'invites' | 'hosts';

export function GroupTools({ group }: { group: GroupView }) {
  const t = useT();
  const [tab, setTab] = useState<Tab>('members');
  const tabs: Tab[] = ['members', 'settings', 'invites', 'hosts'];
  return (
    <aside className="group-side" aria-label={t('groups.tools')}>
      <div className="group-tabs" role="tablist">
        {tabs.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} className={`group-tab${tab === x ? ' is-active' : ''}`} data-tab={x} onClick={() => setTab(x)}>
            {t(`groups.tab.${x}`)}
          </button>
        ))}
      </div>
      {tab === 'members' && <Members closed={group.closedAt !== null} />}
      {tab === 'settings' && <Settings key={group.id} group={group} />}
      {tab === 'invites' && <Invites closed={group.closedAt !== null} />}
      {tab === 'hosts' && <Hosts group={group} />}
    </aside>
  );
}

function Members({ closed }: { closed: boolean }) {
  const t = useT();
  const members = useGroups((s) => s.members);
  const active = members.filter((m) => m.status === 'active');
  if (active.length === 0) return <p className="muted">{t('groups.noMembers')}</p>;
  return (
    <ul className="group-members">
      {active.map((m) => (
        <MemberRow key={m.memberId} m={m} closed={closed} />
      ))}
    </ul>
  );
}

function MemberRow({ m, closed }: { m: GroupMemberView; closed: boolean }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const { mute, removeMember } = useStores().groups.getState();
  const muted = m.mutedUntil !== null && m.mutedUntil > Date.now();
  return (
    <li className="group-member" data-member-id={m.memberId}>
      <p className="group-member-line">
        <bdi className="group-member-name">{m.nickname}</bdi>
        {muted && (
          <span className="group-muted" data-muted-until={m.mutedUntil}>
            {t('groups.mutedUntil', { when: `${formatDate(m.mutedUntil!, locale)} ${formatTime(m.mutedUntil!, locale)}` })}
          </span>
        )}
        {m.sync === 'pending' && <span className="muted"> {t('sync.pending')}</span>}
      </p>
      {m.rejection && <p className="group-error">{rejectionText(t, m.rejection)}</p>}
      {!closed && (
        <p className="group-member-actions">
          <label className="visually-hidden" htmlFor={`mute-${m.memberId}`}>
            {t('groups.mute')}
          </label>
          <select
            id={`mute-${m.memberId}`}
            data-action="mute"
            value=""
            onChange={(e) => {
              if (e.target.value !== '') void mute(m.memberId, Number(e.target.value));
            }}
          >
            <option value="">{t('groups.mute')}</option>
            {MUTE_CHOICES.map((c) => (
              <option key={c.minutes} value={c.minutes}>
                {t(c.key)}
              </option>
            ))}
            {muted && <option value={0}>{t('groups.unmute')}</option>}
          </select>
          <button
            type="button"
            className="link danger"
            data-action="remove-member"
            onClick={() => {
              if (window.confirm(t('groups.removeConfirm', { name: m.nickname }))) void removeMember(m.memberId);
            }}
          >
            {t('groups.remove')}
          </button>
        </p>
      )}
    </li>
  );
}

function Settings({ group: g }: { group: GroupView }) {
  const t = useT();
  const { update, close } = useStores().groups.getState();
  const [notice, setNotice] = useState(g.notice);
  const [welcome, setWelcome] = useState(g.welcome);
  const [slow, setSlow] = useState(g.slowModeSec);
  useEffect(() => {
    setNotice(g.notice);
    setWelcome(g.welcome);
    setSlow(g.slowModeSec);
  }, [g.notice, g.welcome, g.slowModeSec]);
  const closed = g.closedAt !== null;
  const changed = notice.trim() !== g.notice || welcome.trim() !== g.welcome || slow !== g.slowModeSec;
  return (
    <form
      className="group-form"
      onSubmit={(e) => {
        e.preventDefault();
        const patch = { ...(notice.trim() !== g.notice ? { notice: notice.trim() } : {}), ...(welcome.trim() !== g.welcome ? { welcome: welcome.trim() } : {}), ...(slow !== g.slowModeSec ? { slowModeSec: slow } : {}) };
        if (Object.keys(patch).length > 0) void update(patch);
      }}
    >
      <label>
        {t('groups.notice')}
        <textarea name="notice" rows={3} maxLength={GROUP_NOTICE_MAX} value={notice} disabled={closed} placeholder={t('groups.noticeHint')} onChange={(e) => setNotice(e.target.value)} />
      </label>
      <label>
        {t('groups.welcome')}
        <textarea name="welcome" rows={2} maxLength={GROUP_WELCOME_MAX} value={welcome} disabled={closed} placeholder={t('groups.welcomeHint')} onChange={(e) => setWelcome(e.target.value)} />
      </label>
      <label>
        {t('groups.slowMode')}
        <select name="slow" value={slow} disabled={closed} onChange={(e) => setSlow(Number(e.target.value))}>
          {SLOW_CHOICES.map((s) => (
            <option key={s} value={s}>
              {s === 0 ? t('groups.slowOff') : t('groups.slowEvery', { n: s })}
            </option>
          ))}
        </select>
      </label>
      <p className="group-form-actions">
        <button type="submit" className="btn btn-small btn-primary" data-action="save-group" disabled={closed || !changed}>
          {t('groups.save')}
        </button>
        {!closed && (
          <button
            type="button"
            className="btn btn-small danger"
            data-action="close-group"
            onClick={() => {
              if (window.confirm(t('groups.closeConfirm', { name: g.name }))) void close();
            }}
          >
            {t('groups.closeGroup')}
          </button>
        )}
      </p>
    </form>
  );
}

function Invites({ closed }: { closed: boolean }) {
  const t = useT();
  const invites = useGroups((s) => s.invites);
  const { invite } = useStores().groups.getState();
  return (
    <div className="group-invites">
      {!closed && (
        <button type="button" className="btn btn-small btn-primary" data-action="new-invite" onClick={() => void invite()}>
          {t('groups.newInvite')}
        </button>
      )}
      {invites.length === 0 ? (
        <p className="muted">{t('groups.noInvites')}</p>
      ) : (
        <ul>
          {invites.map((i) => (
            <InviteRow key={i.id} invite={i} />
          ))}
        </ul>
      )}
    </div>
  );
}

function InviteRow({ invite: i }: { invite: GroupInviteView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const qr = useGroups((s) => s.qr[i.id]);
  const { revokeInvite, loadQr } = useStores().groups.getState();
  const live = i.revokedAt === null && i.expiresAt > Date.now();
  return (
    <li className={`group-invite${live ? '' : ' is-dead'}`} data-invite-id={i.id}>
      {i.link ? (
        <input className="group-link" readOnly value={i.link} aria-label={t('groups.inviteLink')} onFocus={(e) => e.target.select()} />
      ) : (
        <p className="muted">{i.sync === 'rejected' ? rejectionText(t, i.rejection) : t('groups.inviteWaiting')}</p>
      )}
      <p className="muted">
        {i.revokedAt !== null ? t('groups.revoked') : t('groups.expires', { date: formatDate(i.expiresAt, locale) })} · {t('groups.joins', { n: i.joins })}
      </p>
      {live && i.token && (
        <p className="group-invite-actions">
          {qr === undefined && (
            <button type="button" className="link" data-action="qr" onClick={() => void loadQr(i.id)}>
              {t('groups.showQr')}
            </button>
          )}
          <button type="button" className="link danger" data-action="revoke" onClick={() => void revokeInvite(i.id)}>
            {t('groups.revoke')}
          </button>
        </p>
      )}
      {/* HQ's SVG as an <img> data: URL: shown as a picture, never as markup of this page. */}
      {live && qr && <img className="group-qr" alt={t('groups.qrAlt')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr)}`} />}
      {live && qr === null && <p className="muted">{t('groups.qrOffline')}</p>}
    </li>
  );
}

function Hosts({ group: g }: { group: GroupView }) {
  const t = useT();
  const clerks = useClerk((s) => s.clerks);
  const { setHost } = useStores().groups.getState();
  const closed = g.closedAt !== null;
  const others = clerks.filter((c) => !g.hosts.some((h) => h.clerkId === c.id));
  return (
    <div className="group-hosts">
      <ul>
        {g.hosts.map((h) => (
          <li key={h.clerkId} data-clerk-id={h.clerkId}>
            <bdi>{h.clerkName}</bdi>
            {!closed && g.hosts.length > 1 && (
              <button type="button" className="link danger" onClick={() => void setHost(h.clerkId, false)}>
                {t('groups.unhost')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {!closed && others.length > 0 && (
        <label>
          {t('groups.addHost')}
          <select
            value=""
            onChange={(e) => {
              if (e.target.value) void setHost(e.target.value, true);
            }}
          >
            <option value="">—</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
