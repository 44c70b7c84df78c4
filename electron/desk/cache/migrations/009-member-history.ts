// The member page: the history HQ last sent for a member (visits and purchases across the chain,
// the loyalty record, as one JSON document with the time it was received) and member-level notes
// (one row each, from history reads and `member.noted` events), so the page opens offline.
// Both are purged by the retention period and on erasure (cache/privacy.ts).
import { type Migration } from './types.ts';

export const migration009: Migration = {
  version: 9,
  name: 'member-history',
  up(db) {
    db.exec(`
      CREATE TABLE member_histories (
        member_id   TEXT PRIMARY KEY,
        json        TEXT NOT NULL,
        fetched_at  INTEGER NOT NULL
      );
      CREATE INDEX member_histories_fetched ON member_histories (fetched_at);

      CREATE TABLE member_notes (
        id         TEXT PRIMARY KEY,
        member_id  TEXT NOT NULL,
        at         INTEGER NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE INDEX member_notes_member ON member_notes (member_id, at);
    `);
  },
};
