// MemberHistoryOps on HQ's SQLite connection (tables from HQ migration 10, MIGRATION_MEMBER_HISTORY).
import type Database from 'better-sqlite3';
import { type Note } from '../../../shared/domain.ts';
import { type MemberHistoryOps } from '../../ports/memberHistoryStore.ts';
import { type Sync } from './syncOps.ts';
import { memberNoteFromRow, noteFromRow, visitRowFromRow } from '../sqlRows.ts';

/**
 * HQ schema step 10: member-level notes (not tied to a visit), read newest first per member, and
 * an index for a member's visits across the chain (the one on visits starts with the store).
 */
export const MIGRATION_MEMBER_HISTORY = `
  CREATE TABLE member_notes (
    id TEXT PRIMARY KEY, member_id TEXT NOT NULL, store_id TEXT NOT NULL, text TEXT NOT NULL,
    by TEXT NOT NULL, at INTEGER NOT NULL
  );
  CREATE INDEX member_notes_member ON member_notes(member_id, at DESC);
  CREATE INDEX visits_member_chain ON visits(member_id, arrived_at DESC);
  CREATE INDEX notes_member ON notes(member_id);
`;

type Row = Record<string, unknown>;

export function createSqliteMemberHistoryStorage(db: Database.Database): Sync<MemberHistoryOps> {
  const q = {
    insert: db.prepare('INSERT INTO member_notes (id, member_id, store_id, text, by, at) VALUES (?, ?, ?, ?, ?, ?)'),
    get: db.prepare('SELECT * FROM member_notes WHERE id = ?'),
    notesOf: db.prepare('SELECT * FROM member_notes WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT +?'),
    visitsOf: db.prepare('SELECT * FROM visits WHERE member_id = ? ORDER BY arrived_at DESC, id DESC LIMIT +?'),
    lastSeen: db.prepare('SELECT last_seen_at FROM visits WHERE member_id = ? AND id != ? ORDER BY arrived_at DESC LIMIT 1').pluck(),
    visitNotesOf: db.prepare('SELECT * FROM notes WHERE member_id = ? ORDER BY at, id'),
  };
  return {
    insertNote: (n) => void q.insert.run(n.id, n.memberId, n.storeId, n.text, JSON.stringify(n.by), n.at),
    getNote: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? memberNoteFromRow(r) : null;
    },
    notesOf: (memberId, limit) => (q.notesOf.all(memberId, limit) as Row[]).map(memberNoteFromRow),
    lastSeenAt: (memberId, exceptVisitId) => (q.lastSeen.get(memberId, exceptVisitId ?? '') as number | undefined) ?? null,
    visitsOf: (memberId, limit) => {
      // Two queries, not one per visit: the visits, then all the member's visit notes.
      const notes = new Map<string, Note[]>();
      for (const r of q.visitNotesOf.all(memberId) as Row[]) {
        const n = noteFromRow(r);
        notes.set(n.visitId, [...(notes.get(n.visitId) ?? []), n]);
      }
      return (q.visitsOf.all(memberId, limit) as Row[]).map((r) => {
        const v = visitRowFromRow(r);
        return { ...v, notes: notes.get(v.id) ?? [] };
      });
    },
  };
}
