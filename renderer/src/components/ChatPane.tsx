// Right column: chat with members. The conversation list (unread counts, who is online),
// and the conversation of the member open in the centre column.
import { useEffect } from 'react';
import { ChatThread } from '../chat/ChatThread.tsx';
import { useChat, useDesk, useStores } from '../state/StoresProvider.tsx';
import '../chat/chat.css';
import { useT } from '../i18n/useT.ts';
import { OpenMemberPage } from '../member/MemberPage.tsx';
import { HandoverBanner } from '../chat/HandoverBanner.tsx'; // 7/8 assistant

export function ChatPane() {
  const t = useT();
  const { chat } = useStores();
  const memberId = useDesk((s) => s.memberId);
  const member = useDesk((s) => s.member);
  const openMember = useDesk((s) => s.openMember);
  const conversations = useChat((s) => s.conversations);
  const unseen = useChat((s) => s.unseen);
  const online = useChat((s) => (memberId ? (s.online[memberId] ?? s.page?.online ?? false) : false));

  // The conversation open is the member open in the centre column.
  useEffect(() => chat.getState().open(memberId), [chat, memberId]);
  useEffect(() => {
    // Web shell (and Electron too): the count of unseen member messages in the window title.
    document.title = unseen > 0 ? `(${unseen}) ${t('app.title')}` : t('app.title');
  }, [unseen, t]);

  const name = member?.member.id === memberId ? member?.member.name : conversations.find((c) => c.memberId === memberId)?.member?.name;
  const totalUnread = conversations.reduce((n, c) => n + c.unread, 0);

  return (
    <aside className="chat" aria-labelledby="chat-title">
      <div className="column-head">
        <h2 id="chat-title">{t('chat.title')}</h2>
        {totalUnread > 0 && (
          <span className="chat-badge" data-testid="chat-unread-total" aria-label={t('chat.unreadTotal', { n: totalUnread })}>
            {totalUnread}
          </span>
        )}
        {unseen > 0 && <span className="chat-badge chat-badge-new">{t('chat.newWhileAway', { n: unseen })}</span>}
      </div>
      {conversations.length > 0 && (
        <ul className="chat-conversations" aria-label={t('chat.conversations')}>
          {conversations.slice(0, 8).map((c) => (
            <li key={c.memberId}>
              <button
                type="button"
                className={`chat-conv${c.memberId === memberId ? ' is-open' : ''}${c.handover ? ' is-handed-over' : ''}`}
                data-member-id={c.memberId}
                data-handover={c.handover ? 'waiting' : undefined}
                onClick={() => openMember(c.memberId)}
              >
                <span className={`presence${c.online ? ' is-online' : ''}`} aria-label={c.online ? t('chat.online') : t('chat.offline')} />
                <bdi className="chat-conv-name">{c.member?.name ?? c.memberId}</bdi>
                <span className="chat-conv-last muted">{c.typing ? t('chat.typing') : previewOf(c.last, t)}</span>
                {c.handover && (
                  <span className="assist-mark" data-testid="handover-mark" title={t('assist.waitingTitle')}>
                    {t('assist.waitingShort')}
                  </span>
                )}
                {c.unread > 0 && <span className="chat-badge">{c.unread}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {memberId ? (
        <section className="chat-open" aria-label={name ?? memberId} data-member-id={memberId}>
          <p className="chat-with">
            <span className={`presence${online ? ' is-online' : ''}`} />
            <bdi>{name ?? memberId}</bdi> · <span data-testid="member-presence">{online ? t('chat.online') : t('chat.offline')}</span>{' '}
            <OpenMemberPage memberId={memberId} name={name ?? memberId} />
          </p>
          <HandoverBanner memberId={memberId} />
          <ChatThread memberId={memberId} />
        </section>
      ) : (
        <p className="empty">{t('chat.pick')}</p>
      )}
    </aside>
  );
}

function previewOf(m: import('../../../shared/deskApi.ts').ChatMessageView | null, t: ReturnType<typeof useT>): string {
  if (!m) return '';
  if (m.recalledAt) return t('chat.recalled');
  if (m.kind === 'image') return t('chat.image');
  if (m.kind === 'product') return m.product?.name ?? t('chat.product');
  return m.body.slice(0, 40);
}
