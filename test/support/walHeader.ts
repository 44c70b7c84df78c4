// The WAL's 32-byte header, for the checkpoint tests (desk cache and HQ store). SQLite rewrites it
// (checkpoint sequence and salts) when the WAL starts again from the top, and fsyncs it in the same
// COMMIT: who rewrote it last is who paid that fsync.
import { closeSync, openSync, readSync } from 'node:fs';

/** The header of `${path}-wal`, as hex. */
export function walHeader(path: string): string {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const b = Buffer.alloc(32);
    readSync(fd, b, 0, 32, 0);
    return b.toString('hex');
  } finally {
    closeSync(fd);
  }
}
