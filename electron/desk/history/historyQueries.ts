// The desk cache's member-page SQL (tables from desk migration 009). Plain functions over the cache's
// connection so the event applier (sync.ts), erasure and retention (cache/privacy.ts) and the
// member page (memberHistory.ts) share them inside whatever transaction is open.
import type Database from 'better-sqlite3';
import type { MemberHistory, MemberNote } from '../../../shared/memberHistory.ts';
import { hasTable } from '../cache/migrate.ts';

/** Outbox ops of member notes are filed under this subject (the outbox's visit_id column). */
export const memberNoteSubject = (memberId: string) => `mnote:${memberId}`;
export const memberOfNoteSubject = (subject: string) => (subject.startsWith('mnote:') ? subject.slice(6) : null);

export interface CachedHistory {
  history: MemberHistory;
  fetchedAt: number;
}

// Statements prepared once per connection.
const prepared = new WeakMap<Database.Database, ReturnType<typeof prepare>>();
function prepare(db: Database.Database) {
  return {
    putHistory: db.prepare<[string, string, number]>(
      'INSERT INTO member_histories (member_id, json, fetched_at) VALUES (?, ?, ?) ON CONFLICT (member_id) DO UPDATE SET json = excluded.json, fetched_at = excluded.fetched_at',
    ),
    getHistory: db.prepare<[string], { json: string; fetched_at: number }>('SELECT json, fetched_at FROM member_histories WHERE member_id = ?'),
    putNote: db.prepare<[string, string, number, string]>('INSERT OR REPLACE INTO member_notes (id, member_id, at, json) VALUES (?, ?, ?, ?)'),
    notesOf: db.prepare<[string], { json: string }>('SELECT json FROM member_notes WHERE member_id = ? ORDER BY at DESC, id DESC'),
  };
}
const s = (db: Database.Database) => {
  let p = prepared.get(db);
  if (!p) prepared.set(db, (p = prepare(db)));
  return p;
};

/** Keeps what HQ sent (and its notes, one row each, so events and reads merge by id). */
export function putHistory(db: Database.Database, memberId: string, history: MemberHistory, fetchedAt: number): void {
  const { notes, ...rest } = history;
  s(db).putHistory.run(memberId, JSON.stringify(rest), fetchedAt);
  for (const n of notes) putMemberNote(db, n);
}

export function getHistory(db: Database.Database, memberId: string): CachedHistory | null {
  const row = s(db).getHistory.get(memberId);
  if (!row) return null;
  return { history: { ...(JSON.parse(row.json) as Omit<MemberHistory, 'notes'>), notes: notesOf(db, memberId) }, fetchedAt: row.fetched_at };
}

export function putMemberNote(db: Database.Database, note: MemberNote): void {
  s(db).putNote.run(note.id, note.memberId, note.at, JSON.stringify(note));
}

/** Confirmed member notes, newest first. */
export function notesOf(db: Database.Database, memberId: string): MemberNote[] {
  return s(db).notesOf.all(memberId).map((r) => JSON.parse(r.json) as MemberNote);
}

/**
 * Whether this cache has the member-page tables (migration 009). Erasure and retention run on
 * caches a test left at an earlier step too; those have nothing of the member page to drop.
 */
export function hasHistoryTables(db: Database.Database): boolean {
  return hasTable(db, 'member_histories');
}

/** Erasure: the member's cached history and notes (cache/privacy.ts deleteMemberData). */
export function eraseMemberHistory(db: Database.Database, memberId: string): number {
  if (!hasHistoryTables(db)) return 0;
  return db.prepare('DELETE FROM member_histories WHERE member_id = ?').run(memberId).changes + db.prepare('DELETE FROM member_notes WHERE member_id = ?').run(memberId).changes;
}

/** Retention: drops histories received before `cutoff` and notes written before it. */
export function purgeHistoriesOlderThan(db: Database.Database, cutoff: number): number {
  if (!hasHistoryTables(db)) return 0;
  const n = db.prepare('DELETE FROM member_histories WHERE fetched_at < ?').run(cutoff).changes;
  db.prepare('DELETE FROM member_notes WHERE at < ?').run(cutoff);
  return n;
}

/** The orphan-member purge keeps members whose history this counter holds (opened recently, for offline use). */
export function keptForHistory(db: Database.Database): string {
  return hasHistoryTables(db) ? ' AND id NOT IN (SELECT member_id FROM member_histories)' : '';
}

/** A snapshot replaced HQ's state: what was fetched before it may name a member since erased. */
export function wipeHistories(db: Database.Database): void {
  db.prepare('DELETE FROM member_histories').run();
  db.prepare('DELETE FROM member_notes').run();
}
