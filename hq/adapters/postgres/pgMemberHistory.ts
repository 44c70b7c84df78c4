// MemberHistoryOps on PostgreSQL (tables from HQ migration 10), bound to one transaction's
// connection; mirrors hq/adapters/sqlite/memberHistoryStorage.ts.
import { type Note } from '../../../shared/domain.ts';
import { type MemberHistoryOps } from '../../ports/memberHistoryStore.ts';
import { type Exec, limitParam } from './pgOps.ts';
import { memberNoteFromRow, noteFromRow, visitRowFromRow } from '../sqlRows.ts';

const T = 'TEXT COLLATE "C"';

/** HQ schema step 10 (the SQLite file's MIGRATION_MEMBER_HISTORY). */
export const PG_MIGRATION_MEMBER_HISTORY = `
  CREATE TABLE member_notes (
    id ${T} PRIMARY KEY, member_id ${T} NOT NULL, store_id ${T} NOT NULL, text TEXT NOT NULL,
    "by" TEXT NOT NULL, at BIGINT NOT NULL
  );
  CREATE INDEX member_notes_member ON member_notes(member_id, at DESC);
  CREATE INDEX visits_member_chain ON visits(member_id, arrived_at DESC);
  CREATE INDEX notes_member ON notes(member_id);
`;

const COLS = 'id, member_id, store_id, text, "by", at';

export function createPgMemberHistoryOps(exec: Exec): MemberHistoryOps {
  return {
    insertNote: async (n) => {
      await exec(`INSERT INTO member_notes (${COLS}) VALUES ($1, $2, $3, $4, $5, $6)`, [n.id, n.memberId, n.storeId, n.text, JSON.stringify(n.by), n.at]);
    },
    getNote: async (id) => {
      const r = (await exec(`SELECT ${COLS} FROM member_notes WHERE id = $1`, [id])).rows[0];
      return r ? memberNoteFromRow(r) : null;
    },
    notesOf: async (memberId, limit) =>
      (await exec(`SELECT ${COLS} FROM member_notes WHERE member_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, [memberId, limitParam(limit)])).rows.map(memberNoteFromRow),
    lastSeenAt: async (memberId, exceptVisitId) => {
      const r = (await exec('SELECT last_seen_at FROM visits WHERE member_id = $1 AND id <> $2 ORDER BY arrived_at DESC, id DESC LIMIT 1', [memberId, exceptVisitId ?? ''])).rows[0];
      return r ? Number(r.last_seen_at) : null;
    },
    visitsOf: async (memberId, limit) => {
      const notes = new Map<string, Note[]>();
      for (const r of (await exec('SELECT id, visit_id, member_id, text, "by", at FROM notes WHERE member_id = $1 ORDER BY at, id', [memberId])).rows) {
        const n = noteFromRow(r);
        notes.set(n.visitId, [...(notes.get(n.visitId) ?? []), n]);
      }
      const rows = (await exec('SELECT * FROM visits WHERE member_id = $1 ORDER BY arrived_at DESC, id DESC LIMIT $2', [memberId, limitParam(limit)])).rows;
      return rows.map((r) => {
        const v = visitRowFromRow(r);
        return { ...v, notes: notes.get(v.id) ?? [] };
      });
    },
  };
}
