// The Groups pane (5/8): the clerk bar's button (the store's unread total) and the pane it opens —
// the store's groups (name, members, unread, last message time), the open group's thread (pinned
// notice on top; members by nickname, hosts by name; announcements with their reach; product
// cards; recalled and deleted messages keep their place), the composer (text, announcement, a
// product card — for an asker when answering them, in their sizes) and the host tools (members with
// mute and remove, settings, invite links with their QR, hosts, close). Queued actions show as
// pending and a refusal says why until read. From a member's message, one click opens their page.
import { useCallback, useEffect, useRef, useState } from 'react';
import { PaneDialog } from '../components/PaneDialog.tsx';
import type { GroupMessageView, GroupView } from '../../../shared/deskGroups.ts';
import type { GroupScope } from '../../../shared/groups.ts';
import { GROUP_NAME_MAX, GROUP_TOPIC_MAX, GROUP_WELCOME_MAX, RECALL_WINDOW_MS } from '../../../shared/limits.ts';
import { actorName, formatPrice, formatTime, formatWhen, rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useMemberPage } from '../member/memberPageStore.ts';
import { StylePicture } from '../pictures/StylePicture.tsx';
import { useChat, useDesk, useGroups, useStores } from '../state/StoresProvider.tsx';
import { totalUnread } from './groupsStore.ts';
import { GroupTools } from './GroupTools.tsx';
import './groups.css';

export function GroupsButton() {
  const t = useT();
  const unread = useGroups((s) => totalUnread(s.groups));
  const setPane = useStores().groups.getState().setPane;
  return (
    <button type="button" className="btn btn-small groups-button" data-action="open-groups" aria-haspopup="dialog" onClick={() => setPane(true)}>
      {t('groups.open')}
      {unread > 0 && (
        <span className="groups-badge" data-unread={unread} aria-label={t('groups.unread', { n: unread })}>
          {unread > 99 ? '99+' : unread}
        </span>
      )}
    </button>
  );
}

export function GroupsPane() {
  const t = useT();
  const open = useGroups((s) => s.paneOpen);
  const setPane = useStores().groups.getState().setPane;
  const close = useCallback(() => setPane(false), [setPane]);
  if (!open) return null;
  return (
    <PaneDialog name="groups" title={t('groups.title')} closeLabel={t('groups.close')} onClose={close}>
      <GroupList />
      <Thread />
      <Side />
    </PaneDialog>
  );
}

function GroupList() {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const groups = useGroups((s) => s.groups);
  const selectedId = useGroups((s) => s.selectedId);
  const { select, setCreating } = useStores().groups.getState();
  return (
    <nav className="groups-list" aria-label={t('groups.list')}>
      <button type="button" className="btn btn-small btn-primary groups-new" data-action="new-group" onClick={() => setCreating(true)}>
        {t('groups.new')}
      </button>
      {groups.length === 0 && <p className="muted">{t('groups.none')}</p>}
      <ul>
        {groups.map((g) => (
          <li key={g.id}>
            <button type="button" className={`group-item${g.id === selectedId ? ' is-active' : ''}${g.closedAt ? ' is-closed' : ''}`} aria-current={g.id === selectedId} data-group-id={g.id} onClick={() => void select(g.id)}>
              <span className="group-item-line">
                <bdi className="group-item-name">{g.name}</bdi>
                {g.unread > 0 && <span className="groups-badge">{g.unread > 99 ? '99+' : g.unread}</span>}
              </span>
              <span className="muted group-item-meta">
                {t('groups.memberCount', { n: g.memberCount })}
                {g.lastAt !== null && <> · {formatWhen(g.lastAt, Date.now(), locale)}</>}
                {g.closedAt !== null && <> · {t('groups.closed')}</>}
                {g.sync === 'pending' && <> · {t('sync.pending')}</>}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Thread() {
  const t = useT();
  const page = useGroups((s) => s.page);
  const creating = useGroups((s) => s.creating);
  const listRef = useRef<HTMLOListElement>(null);
  const { loadOlder } = useStores().groups.getState();
  const count = page?.messages.length ?? 0;
  const lastId = page?.messages[count - 1]?.id;
  useEffect(() => {
    // A new message (or opening the thread) shows the newest; loading older ones keeps the place.
    const el = listRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [lastId, page?.group.id]);
  if (creating) return <NewGroupForm />;
  if (!page) return <section className="group-thread is-empty"><p className="muted">{t('groups.pick')}</p></section>;
  const g = page.group;
  return (
    <section className="group-thread" aria-labelledby="group-thread-title" data-group-id={g.id}>
      <header className="group-thread-head">
        <h3 id="group-thread-title">
          <bdi>{g.name}</bdi>
          <span className="group-scope">{t(g.scope === 'chain' ? 'groups.scope.chain' : 'groups.scope.store')}</span>
        </h3>
        <p className="muted">
          {t('groups.memberCount', { n: g.memberCount })} · {t('groups.hosts', { names: g.hosts.map((h) => h.clerkName).join('、') || '—' })}
          {g.slowModeSec > 0 && <> · {t('groups.slowOn', { n: g.slowModeSec })}</>}
        </p>
        {g.topic && <p className="group-topic">{g.topic}</p>}
        <GroupSync group={g} />
      </header>
      {g.notice && (
        <aside className="group-notice" aria-label={t('groups.notice')}>
          <strong>{t('groups.notice')}</strong> {g.notice}
        </aside>
      )}
      <ol className="group-messages" ref={listRef} aria-label={t('groups.messages')}>
        {page.hasMore && (
          <li className="group-older">
            <button type="button" className="link" onClick={() => void loadOlder()}>
              {t('groups.older')}
            </button>
          </li>
        )}
        {page.messages.length === 0 && <li className="muted group-empty">{t('groups.noMessages')}</li>}
        {page.messages.map((m) => (
          <Message key={m.id} m={m} closed={g.closedAt !== null} />
        ))}
      </ol>
      {g.closedAt === null ? <Composer /> : <p className="muted group-closed-note">{t('groups.closedNote')}</p>}
    </section>
  );
}

function GroupSync({ group: g }: { group: GroupView }) {
  const t = useT();
  const { dismiss } = useStores().groups.getState();
  if (g.sync === 'pending') return <p className="group-sync pending">{t('sync.pending')}</p>;
  if (g.sync === 'rejected')
    return (
      <p className="group-sync rejected" role="alert">
        {rejectionText(t, g.rejection)}{' '}
        <button type="button" className="link" onClick={() => void dismiss()}>
          {t('groups.dismiss')}
        </button>
      </p>
    );
  return null;
}

function Message({ m, closed }: { m: GroupMessageView; closed: boolean }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const members = useGroups((s) => s.members);
  const { setReplyTo, openPicker, recall, remove, dismiss, setPane } = useStores().groups.getState();
  const gone = m.recalledAt !== null || m.deletedAt !== null;
  const host = m.from === 'host';
  const who = host ? actorName(m.by) : (m.nickname ?? t('groups.formerMember'));
  const forName = m.forMemberId ? (members.find((x) => x.memberId === m.forMemberId)?.nickname ?? null) : null;
  const canRecall = host && m.mine && !m.pending && !gone && Date.now() - m.at < RECALL_WINDOW_MS;
  const openMember = (memberId: string) => {
    setPane(false);
    useMemberPage.getState().open(memberId);
  };
  const classes = ['group-msg', host ? 'from-host' : 'from-member', m.kind === 'announcement' && !gone ? 'is-announcement' : '', m.pending ? 'is-pending' : '', m.rejection ? 'is-rejected' : '', gone ? 'is-gone' : ''];
  return (
    <li className={classes.filter(Boolean).join(' ')} data-n={m.n} data-kind={m.kind} data-pending={m.pending || undefined}>
      <p className="group-msg-who">
        {host ? (
          <>
            <bdi>{who}</bdi> <span className="group-host-tag">{t('groups.host')}</span>
          </>
        ) : m.memberId ? (
          <button type="button" className="link group-asker" data-member-id={m.memberId} title={t('groups.memberPage')} onClick={() => openMember(m.memberId!)}>
            <bdi>{who}</bdi>
          </button>
        ) : (
          <bdi className="muted">{who}</bdi>
        )}
        <time className="muted" dateTime={new Date(m.at).toISOString()}>
          {formatTime(m.at, locale)}
        </time>
      </p>
      {m.replyTo && !gone && (
        <blockquote className="group-quote">
          {m.replyTo.nickname ?? t('groups.formerMember')}: {m.replyTo.excerpt}
        </blockquote>
      )}
      {gone ? (
        <p className="group-gone">{m.deletedAt !== null ? t('groups.deleted', { name: actorName(m.deletedBy) || t('groups.host') }) : t('groups.recalled', { name: who })}</p>
      ) : (
        <Body m={m} forName={forName} />
      )}
      {m.kind === 'announcement' && m.reach && !gone && <p className="group-reach">{t('groups.reach', { pushed: m.reach.pushed, capped: m.reach.capped })}</p>}
      <p className="group-msg-actions">
        {m.pending && <span className="muted">{t('sync.pending')}</span>}
        {m.changing && <span className="muted">{t(m.changing === 'recall' ? 'groups.recalling' : 'groups.deleting')}</span>}
        {m.rejection && (
          <span className="group-error">
            {rejectionText(t, m.rejection)}{' '}
            <button type="button" className="link" onClick={() => void dismiss()}>
              {t('groups.dismiss')}
            </button>
          </span>
        )}
        {!closed && !gone && !host && m.memberId && m.n > 0 && (
          <>
            <button type="button" className="link" data-action="reply" onClick={() => setReplyTo(m)}>
              {t('groups.reply')}
            </button>
            <button type="button" className="link" data-action="card-for" onClick={() => void openPicker(m.memberId, m.n)}>
              {t('groups.cardFor', { name: who })}
            </button>
            <button type="button" className="link" data-action="member-page" onClick={() => openMember(m.memberId!)}>
              {t('groups.memberPage')}
            </button>
          </>
        )}
        {canRecall && (
          <button type="button" className="link" data-action="recall" onClick={() => void recall(m.id)}>
            {t('groups.recall')}
          </button>
        )}
        {!closed && !gone && !m.pending && m.n > 0 && !m.changing && (
          <button type="button" className="link danger" data-action="delete" onClick={() => void remove(m.id)}>
            {t('groups.delete')}
          </button>
        )}
      </p>
    </li>
  );
}

function Body({ m, forName }: { m: GroupMessageView; forName: string | null }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  if (m.kind === 'product') {
    const p = m.product;
    return (
      <div className="group-product">
        {forName && <p className="group-for">{t('groups.cardForLine', { name: forName })}</p>}
        {p ? (
          <>
            <StylePicture image={p.image} category={p.category} name={p.name} size="thumb" />
            <div>
              <strong>{p.name}</strong> <span>{formatPrice(p.price, locale)}</span>
              <p className="muted">{p.sizes.length ? t('chat.productSizes', { sizes: p.sizes.map((s) => s.size).join(' · ') }) : t('groups.noSizes')}</p>
            </div>
          </>
        ) : (
          <p className="muted">{m.pendingStyleName ?? t('chat.product')}</p>
        )}
      </div>
    );
  }
  if (m.kind === 'image') return m.image ? <GroupImage id={m.image.id} /> : <p className="muted">{t('chat.image')}</p>;
  return <p className="group-text">{m.body}</p>;
}

/** A picture in the thread: the desk's image cache (fetched from HQ once), as the chat shows it. */
function GroupImage({ id }: { id: string }) {
  const t = useT();
  const image = useChat((s) => s.image);
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void image(id).then((url) => live && setSrc(url));
    return () => {
      live = false;
    };
  }, [id, image]);
  return src ? <img className="group-image" src={src} alt={t('chat.image')} /> : <p className="muted">{t('chat.image')}</p>;
}

function Composer() {
  const t = useT();
  const [text, setText] = useState('');
  const [announce, setAnnounce] = useState(false);
  const replyTo = useGroups((s) => s.replyTo);
  const error = useGroups((s) => s.error);
  const picker = useGroups((s) => s.picker);
  const { send, setReplyTo, openPicker } = useStores().groups.getState();
  const submit = async () => {
    const body = text.trim();
    if (!body) return;
    const ok = await send(announce ? { kind: 'announcement', text: body } : { kind: 'text', text: body, ...(replyTo ? { replyToN: replyTo.n } : {}) });
    if (ok) {
      setText('');
      setAnnounce(false);
    }
  };
  return (
    <div className="group-composer">
      {replyTo && (
        <p className="group-replying">
          {t('groups.replying', { name: replyTo.nickname ?? t('groups.formerMember') })}{' '}
          <button type="button" className="link" onClick={() => setReplyTo(null)}>
            {t('groups.cancel')}
          </button>
        </p>
      )}
      {error && (
        <p className="group-error" role="alert">
          {error}
        </p>
      )}
      {picker && <Picker />}
      <textarea
        aria-label={t('groups.placeholder')}
        placeholder={t('groups.placeholder')}
        rows={2}
        maxLength={2000}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void submit();
          }
        }}
      />
      <div className="group-composer-row">
        <label className="group-announce">
          <input type="checkbox" checked={announce} disabled={replyTo !== null} onChange={(e) => setAnnounce(e.target.checked)} /> {t('groups.announcement')}
        </label>
        <button type="button" className="btn btn-small" data-action="product" onClick={() => void openPicker(replyTo?.memberId ?? null, replyTo?.n ?? null)}>
          {t('groups.product')}
        </button>
        <button type="button" className="btn btn-small btn-primary" data-action="send" disabled={!text.trim()} onClick={() => void submit()}>
          {announce ? t('groups.sendAnnouncement') : t('groups.send')}
        </button>
      </div>
    </div>
  );
}

function Picker() {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const picker = useGroups((s) => s.picker)!;
  const members = useGroups((s) => s.members);
  const { sendProduct, closePicker } = useStores().groups.getState();
  const forName = picker.forMemberId ? (members.find((m) => m.memberId === picker.forMemberId)?.nickname ?? '') : null;
  return (
    <div className="group-picker" role="group" aria-label={t('groups.product')}>
      <p className="group-picker-head">
        <strong>{forName ? t('groups.pickFor', { name: forName }) : t('groups.pickAll')}</strong>
        <button type="button" className="link" onClick={closePicker}>
          {t('groups.cancel')}
        </button>
      </p>
      {picker.styles === null ? (
        <p className="muted">{t('groups.loading')}</p>
      ) : picker.styles.length === 0 ? (
        <p className="muted">{t('groups.noStyles')}</p>
      ) : (
        <ul>
          {picker.styles.map((s) => (
            <li key={s.styleId}>
              <button type="button" className="group-style" data-style-id={s.styleId} onClick={() => void sendProduct(s.styleId)}>
                <StylePicture image={s.image} category={s.category} name={s.name} size="thumb" />
                <span>
                  <strong>{s.name}</strong> {formatPrice(s.price, locale)}
                  <span className="muted"> {s.sizes.length ? `EU ${s.sizes.join(' · ')}` : t('groups.noSizes')}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Side() {
  const page = useGroups((s) => s.page);
  const creating = useGroups((s) => s.creating);
  if (creating || !page) return <aside className="group-side" />;
  return <GroupTools group={page.group} />;
}

function NewGroupForm() {
  const t = useT();
  const error = useGroups((s) => s.error);
  const { create, setCreating } = useStores().groups.getState();
  const [name, setName] = useState('');
  const [topic, setTopic] = useState('');
  const [welcome, setWelcome] = useState('');
  const [scope, setScope] = useState<GroupScope>('store');
  return (
    <section className="group-thread group-new" aria-labelledby="group-new-title">
      <h3 id="group-new-title">{t('groups.new')}</h3>
      <form
        className="group-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void create({ scope, name: name.trim(), topic: topic.trim(), welcome: welcome.trim() });
        }}
      >
        <label>
          {t('groups.name')}
          <input name="name" value={name} maxLength={GROUP_NAME_MAX} required onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          {t('groups.topic')}
          <input name="topic" value={topic} maxLength={GROUP_TOPIC_MAX} onChange={(e) => setTopic(e.target.value)} />
        </label>
        <label>
          {t('groups.welcome')}
          <textarea name="welcome" rows={2} value={welcome} maxLength={GROUP_WELCOME_MAX} placeholder={t('groups.welcomeHint')} onChange={(e) => setWelcome(e.target.value)} />
        </label>
        <fieldset className="group-scope-choice">
          <legend>{t('groups.scope')}</legend>
          <label>
            <input type="radio" name="scope" checked={scope === 'store'} onChange={() => setScope('store')} /> {t('groups.scope.store')}
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'chain'} onChange={() => setScope('chain')} /> {t('groups.scope.chain')}
          </label>
        </fieldset>
        {error && (
          <p className="group-error" role="alert">
            {error}
          </p>
        )}
        <p className="group-form-actions">
          <button type="submit" className="btn btn-primary" data-action="create-group" disabled={!name.trim()}>
            {t('groups.create')}
          </button>
          <button type="button" className="btn" onClick={() => setCreating(false)}>
            {t('groups.cancel')}
          </button>
        </p>
      </form>
    </section>
  );
}
