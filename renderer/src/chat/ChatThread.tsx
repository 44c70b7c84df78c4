// The open conversation: messages (older pages on demand), send states, typing, and the composer
// with quick replies and image attach.
import { useEffect, useRef, useState } from 'react';
import type { ChatMessageView } from '../../../shared/deskApi.ts';
import { formatPrice, formatTime } from '../format.ts';
import { type MessageKey } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { StylePicture } from '../pictures/StylePicture.tsx';
import { useChat, useDesk, useStores } from '../state/StoresProvider.tsx';
import { threadOf } from './chatStore.ts';
import { isAssistantActor } from '../../../shared/actors.ts'; // 7/8 assistant

const RECALL_MS = 2 * 60 * 1000;
const QUICK: MessageKey[] = ['chat.quick.welcome', 'chat.quick.size', 'chat.quick.hold', 'chat.quick.thanks'];
const MAX_IMAGE = 2 * 1024 * 1024;

export function ChatThread({ memberId }: { memberId: string }) {
  const t = useT();
  const older = useChat((s) => s.older);
  const page = useChat((s) => s.page);
  const hasMore = useChat((s) => s.hasMore);
  const typing = useChat((s) => s.typing[memberId] ?? page?.typing ?? false);
  const loadOlder = useChat((s) => s.loadOlder);
  const messages = threadOf({ older, page });
  const listRef = useRef<HTMLOListElement>(null);
  const last = messages[messages.length - 1]?.id;
  /** The clerk is at the newest message (not reading back): content that grows keeps it in view. */
  const atBottom = useRef(true);

  useEffect(() => {
    const el = listRef.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
  }, [last, typing]);

  useEffect(() => {
    // An image gets its height only when it has loaded, after the scroll above: scroll again then,
    // so the newest image is seen whole. `load` does not bubble, so listen in the capture phase.
    const el = listRef.current;
    if (!el) return;
    let height = el.scrollHeight;
    const onLoad = (e: Event) => {
      if (e.target instanceof HTMLImageElement && atBottom.current) el.scrollTop = el.scrollHeight;
      height = el.scrollHeight;
    };
    const onScroll = () => {
      // Only a scroll over unchanged content is the clerk's: one that comes with new height (an
      // image laid out, the browser's scroll anchoring) must not count as "scrolled away".
      if (el.scrollHeight !== height) {
        height = el.scrollHeight;
        return;
      }
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    };
    el.addEventListener('load', onLoad, true);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      el.removeEventListener('load', onLoad, true);
      el.removeEventListener('scroll', onScroll);
    };
  }, []);

  return (
    <div className="chat-thread">
      {hasMore && (
        <button type="button" className="chat-older" onClick={() => void loadOlder()}>
          {t('chat.older')}
        </button>
      )}
      <ol className="chat-messages" ref={listRef} aria-live="polite" aria-label={t('chat.messages')}>
        {messages.length === 0 && <li className="chat-empty muted">{t('chat.noMessages')}</li>}
        {messages.map((m) => (
          <MessageItem key={m.id} m={m} />
        ))}
      </ol>
      {typing && (
        <p className="chat-typing" data-testid="member-typing">
          {t('chat.typing')}
        </p>
      )}
      <Composer />
    </div>
  );
}

function MessageItem({ m }: { m: ChatMessageView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  const retry = useChat((s) => s.retry);
  const recall = useChat((s) => s.recall);
  const mine = m.from === 'clerk';
  // 7/8: the member-side assistant's replies are labelled, never passed off as a clerk's.
  const assistant = isAssistantActor(m.by);
  const canRecall = m.mine && !m.pending && !m.recalledAt && !m.recalling && Math.max(now, Date.now()) - m.at < RECALL_MS;
  return (
    <li
      className={`chat-msg chat-${m.from}${m.mine ? ' is-mine' : ''}${assistant ? ' is-assistant' : ''}`}
      data-from={m.from}
      data-state={m.state}
      data-n={m.n}
      data-kind={m.kind}
      data-assistant={assistant ? 'true' : undefined}
    >
      {m.from === 'clerk' && <span className="chat-by">{assistant ? t('assist.label') : (m.by?.clerkName ?? m.by?.deviceName)}</span>}
      <div className="chat-bubble">
        {m.recalledAt ? <em className="muted">{t('chat.recalled')}</em> : <Body m={m} />}
      </div>
      <p className="chat-meta">
        <time dateTime={new Date(m.at).toISOString()}>{formatTime(m.at, locale)}</time>
        {mine && <span className={`chat-state state-${m.state}`}>{t(`chat.state.${m.state}` as MessageKey)}</span>}
        {m.recalling && <span className="muted">{t('chat.recalling')}</span>}
        {m.state === 'failed' && (
          <button type="button" className="link" onClick={() => void retry(m.clientId)}>
            {t('chat.retry')}
          </button>
        )}
        {canRecall && (
          <button type="button" className="link" onClick={() => void recall(m.id)}>
            {t('chat.recall')}
          </button>
        )}
        {m.rejection && <span className="chat-error">{t(`reject.${m.rejection.code}` as MessageKey)}</span>}
      </p>
    </li>
  );
}

function Body({ m }: { m: ChatMessageView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  if (m.kind === 'product' && m.product) {
    const p = m.product;
    return (
      <div className="chat-product">
        <StylePicture image={p.image} category={p.category} name={p.name} />
        <strong>{p.name}</strong>
        <span>{formatPrice(p.price, locale)}</span>
        <span className="muted">
          {p.sizes.length ? t('chat.productSizes', { sizes: p.sizes.map((s) => s.size).join(' · ') }) : ''}
        </span>
      </div>
    );
  }
  if (m.kind === 'image' && m.image) return <ChatImage id={m.image.id} />;
  return <p className="chat-text">{m.body}</p>;
}

function ChatImage({ id }: { id: string }) {
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
  return src ? <img className="chat-image" src={src} alt={t('chat.image')} /> : <span className="muted">{t('chat.image')}</span>;
}

function Composer() {
  const t = useT();
  const send = useChat((s) => s.send);
  const stores = useStores();
  /**
   * 4/8 part C: "I have put them aside" becomes a real hold — the hold form opens for the member,
   * prefilled from the product card last sent, and the reply goes once the hold is placed.
   */
  const holdThenSay = (text: string) => {
    const chat = stores.chat.getState();
    if (!chat.memberId) return;
    const card = [...threadOf(chat)].reverse().find((m) => m.kind === 'product' && m.from === 'clerk' && m.product)?.product ?? null;
    void stores.holds.getState().openForm(chat.memberId, {
      fromChat: true,
      prefill: card ? { styleId: card.styleId, name: card.name, colors: card.colors, sizes: card.sizes.map((s) => s.size) } : undefined,
      then: () => send({ kind: 'text', text }),
    });
  };
  const setTyping = useChat((s) => s.setTyping);
  const error = useChat((s) => s.error);
  const [text, setText] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const typed = (value: string) => {
    setText(value);
    if (!typingTimer.current) setTyping(true);
    else clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(() => {
      typingTimer.current = null;
      setTyping(false);
    }, 3000);
  };

  const submit = async () => {
    const value = text.trim();
    if (!value) return;
    setText('');
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = null;
    setTyping(false);
    if (!(await send({ kind: 'text', text: value }))) setText(value);
  };

  const attach = async (file: File | undefined) => {
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_IMAGE) return setFileError(t('chat.imageTooLarge'));
    const mime = file.type === 'image/jpeg' || file.type === 'image/webp' ? file.type : 'image/png';
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    if (!(await send({ kind: 'image', mime, dataBase64: btoa(binary) }))) setFileError(t('chat.imageRefused'));
    if (fileRef.current) fileRef.current.value = '';
  };

  return (
    <div className="chat-compose">
      <div className="chat-quick" role="group" aria-label={t('chat.quickReplies')}>
        {QUICK.map((k) => (
          <button key={k} type="button" className="chip-button" data-quick={k} onClick={() => (k === 'chat.quick.hold' ? holdThenSay(t(k)) : void send({ kind: 'text', text: t(k) }))}>
            {t(k)}
          </button>
        ))}
      </div>
      <form
        className="chat-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="visually-hidden" htmlFor="chat-input">
          {t('chat.placeholder')}
        </label>
        <textarea
          id="chat-input"
          rows={2}
          maxLength={2000}
          value={text}
          placeholder={t('chat.placeholder')}
          onChange={(e) => typed(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <div className="chat-form-actions">
          <label className="button-secondary chat-attach">
            {t('chat.attach')}
            <input ref={fileRef} type="file" accept="image/png,image/jpeg,image/webp" className="visually-hidden" onChange={(e) => void attach(e.target.files?.[0])} />
          </label>
          <button type="submit" className="button-primary" data-action="chat-send" disabled={!text.trim()}>
            {t('chat.send')}
          </button>
        </div>
      </form>
      {(fileError ?? error) && <p className="chat-error">{fileError ?? error}</p>}
    </div>
  );
}
