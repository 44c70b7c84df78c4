// What went wrong with the desk's own disk, in words a clerk (and the UI) can use. SQLite reports a
// full disk, a read-only file or a damaged file as SqliteError codes; the desk core turns them into
// DeskError('storage', message) for the action that failed and a StorageHealth the UI can show,
// and keeps everything it already had (the failed transaction is rolled back whole).
import { type StorageHealth } from '../../../shared/deskApi.ts';

export type { StorageHealth };

export const STORAGE_OK: StorageHealth = { status: 'ok', message: null, since: 0, rebuiltAt: null, outboxLost: false };

/** Maps an error thrown by SQLite to a storage health state, or null when it is not a storage fault. */
export function storageFault(err: unknown): Pick<StorageHealth, 'status' | 'message'> | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_FULL') {
    return { status: 'full', message: 'The disk of this counter PC is full: new work is not saved until space is freed. Nothing already saved is lost.' };
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_CANTOPEN') {
    return { status: 'readonly', message: 'The desk cannot write its data file (read-only or no permission): new work is not saved. Nothing already saved is lost.' };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return { status: 'failed', message: 'The desk data file is damaged; restart the desk to rebuild it from HQ.' };
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return { status: 'failed', message: 'The disk reported an error while the desk was saving; restart the desk if this persists.' };
  }
  return null;
}
