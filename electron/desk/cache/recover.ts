// A damaged cache file is never used: openCache() checks it (SQLITE_NOTADB / SQLITE_CORRUPT at open,
// PRAGMA quick_check), and the desk core then moves it aside (with its -wal/-shm), starts a fresh
// cache and lets HQ rebuild it by snapshot (the fresh cache has no position, so `hello` goes without
// `resume` and HQ answers `reset`). What can be read from the bad file is kept: the identity (the
// device token itself lives with the shell, not in this file) and the outbox — queued clerk actions
// are idempotent by opId, so re-sending one that HQ already has is answered `duplicate`.
import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type DeskIdentity } from '../../../shared/deskApi.ts';
import { identityFromJson, type NewOp } from './queries.ts';

export class CacheCorruptError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`desk cache ${path} is damaged (${detail})`);
    this.name = 'CacheCorruptError';
  }
}

/** An outbox op read back from a damaged file: re-queued as it was (HQ answers a resend `duplicate`). */
export type SalvagedOp = NewOp;

export interface Salvage {
  /** Where the damaged file was moved. */
  movedTo: string;
  identity: DeskIdentity | null;
  ops: SalvagedOp[];
  /** The outbox could not be read: queued actions that HQ had not confirmed may be lost. */
  outboxLost: boolean;
  detail: string;
}

/** Moves the damaged file (and its -wal/-shm) aside and reads what it can from the moved copy. */
export function quarantineAndSalvage(path: string, detail: string, now = Date.now()): Salvage {
  const movedTo = `${path}.corrupt-${now}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, movedTo + suffix);
  }
  let identity: DeskIdentity | null = null;
  let ops: SalvagedOp[] = [];
  let outboxLost = false;
  let db: Database.Database | null = null;
  try {
    db = new Database(movedTo, { readonly: true, fileMustExist: true });
  } catch {
    db = null;
  }
  try {
    const row = db?.prepare("SELECT value FROM meta WHERE key = 'identity'").get() as { value: string } | undefined;
    identity = row ? identityFromJson(row.value) : null;
  } catch {
    identity = null;
  }
  try {
    if (!db) throw new Error('unreadable');
    const rows = db.prepare("SELECT op_id, type, visit_id, data, created_at FROM outbox WHERE state != 'rejected' ORDER BY ordinal").all() as {
      op_id: string;
      type: NewOp['type'];
      visit_id: string;
      data: string;
      created_at: number;
    }[];
    ops = rows.map((r) => ({ opId: r.op_id, type: r.type, visitId: r.visit_id, data: JSON.parse(r.data) as unknown, createdAt: r.created_at }) as NewOp);
  } catch {
    outboxLost = true;
  }
  db?.close();
  return { movedTo, identity, ops, outboxLost, detail };
}
