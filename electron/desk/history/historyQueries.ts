// The desk cache's member-page SQL (tables from desk migration 009). Plain functions over the cache's
// connection so the event applier (sync.ts), erasure and retention (cache/privacy.ts) and the
// member page (memberHistory.ts) share them inside whatever transaction is open.
import type Database from 'better-sqlite3';
import type { MemberHistory, MemberNote } from '../../../shared/memberHistory.ts';

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

/** SQL erasure runs (cache/privacy.ts deleteMemberData), one per table. */
export const ERASE_MEMBER_HISTORY_SQL = ['DELETE FROM member_histories WHERE member_id = ?', 'DELETE FROM member_notes WHERE member_id = ?'];

/** Drops histories received before `cutoff` and notes written before it (retention). */
export function purgeHistoriesOlderThan(db: Database.Database, cutoff: number): number {
  const n = db.prepare('DELETE FROM member_histories WHERE fetched_at < ?').run(cutoff).changes;
  db.prepare('DELETE FROM member_notes WHERE at < ?').run(cutoff);
  return n;
}

/** A snapshot replaced HQ's state: what was fetched before it may name a member since erased. */
export function wipeHistories(db: Database.Database): void {
  db.prepare('DELETE FROM member_histories').run();
  db.prepare('DELETE FROM member_notes').run();
}
