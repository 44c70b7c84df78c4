// The connection line under the top bar. It is always rendered with the same height, so going
// offline changes its colour and words but never pushes the rest of the desk down.
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';

export function ConnectionBanner() {
  const t = useT();
  const connection = useDesk((s) => s.connection);
  const bridge = useDesk((s) => s.bridge);
  const retryNow = useDesk((s) => s.retryNow);

  let tone: 'ok' | 'warn' | 'bad';
  let text: string;
  if (bridge === 'unauthorized') {
    tone = 'bad';
    text = t('app.bridgeUnauthorized');
  } else if (bridge === 'down') {
    tone = 'bad';
    text = t('app.bridgeDown');
  } else if (bridge === 'connecting' || !connection || connection.status === 'connecting') {
    tone = 'warn';
    text = t('conn.connecting');
  } else if (connection.status === 'offline') {
    tone = 'bad';
    text = t('conn.offline');
  } else {
    tone = 'ok';
    text = t('conn.online');
  }
  const queued = connection?.queued ?? 0;
  const lag = connection && connection.status === 'online' ? connection.head - connection.position : 0;
  const canRetry = bridge === 'up' && connection !== null && connection.status !== 'online';

  return (
    <div
      className={`conn conn-${tone}`}
      role="status"
      data-status={bridge === 'up' ? (connection?.status ?? 'connecting') : `bridge-${bridge}`}
      title={connection?.lastError ?? undefined}
    >
      <span className="conn-dot" aria-hidden="true" />
      <span className="conn-text">{text}</span>
      {queued > 0 && <span className="conn-queued">{queued === 1 ? t('conn.queuedOne') : t('conn.queued', { n: queued })}</span>}
      {lag > 0 && <span className="conn-lag">{t('conn.lag', { n: lag })}</span>}
      {canRetry && (
        <button type="button" className="btn btn-small conn-retry" onClick={retryNow}>
          {t('conn.retryNow')}
        </button>
      )}
    </div>
  );
}
