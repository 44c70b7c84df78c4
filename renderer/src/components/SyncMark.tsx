// The small "Sending…" / "Claimed by Counter 2 first" mark next to anything HQ has not confirmed.
import type { Rejection } from '../../../shared/protocol.ts';
import type { SyncState } from '../../../shared/deskApi.ts';
import { rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';

export function SyncMark({ sync, rejection = null }: { sync: SyncState | null; rejection?: Rejection | null }) {
  const t = useT();
  if (sync === 'pending') {
    return (
      <span className="sync sync-pending" data-sync="pending">
        {t('sync.pending')}
      </span>
    );
  }
  if (sync === 'rejected') {
    const text = rejectionText(t, rejection);
    return (
      <span className="sync sync-rejected" data-sync="rejected" title={text}>
        <bdi>{text}</bdi>
      </span>
    );
  }
  return null;
}
