// Right column: where member chat goes (issue 3). Its place in the layout is reserved now so the
// desk does not reflow when chat arrives.
import { useT } from '../i18n/useT.ts';

export function ChatPane() {
  const t = useT();
  return (
    <aside className="chat" aria-labelledby="chat-title">
      <div className="column-head">
        <h2 id="chat-title">{t('chat.title')}</h2>
      </div>
      <p className="empty">{t('chat.coming')}</p>
    </aside>
  );
}
