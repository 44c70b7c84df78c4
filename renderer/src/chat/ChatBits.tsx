// Small chat pieces used outside the chat column: the unread badge on an arrival, and the
// one-click "send as card" on a recommended style.
import { useState } from 'react';
import { useT } from '../i18n/useT.ts';
import { useChat, useDesk } from '../state/StoresProvider.tsx';

export function UnreadBadge({ memberId }: { memberId: string }) {
  const t = useT();
  const unread = useChat((s) => s.conversations.find((c) => c.memberId === memberId)?.unread ?? 0);
  if (!unread) return null;
  return (
    <span className="chat-badge" data-testid="arrival-unread" title={t('chat.unread', { n: unread })}>
      {unread}
    </span>
  );
}

export function SendCardButton({ styleId }: { styleId: string }) {
  const t = useT();
  const memberId = useDesk((s) => s.memberId);
  const sendCard = useChat((s) => s.sendCard);
  const [sent, setSent] = useState(false);
  if (!memberId) return null;
  return (
    <button
      type="button"
      className="link rec-send"
      data-action="send-card"
      disabled={sent}
      onClick={() => {
        setSent(true);
        void sendCard(memberId, styleId).then((ok) => ok || setSent(false));
      }}
    >
      {sent ? t('chat.cardSent') : t('chat.sendCard')}
    </button>
  );
}
