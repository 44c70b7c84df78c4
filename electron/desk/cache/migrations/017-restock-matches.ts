// Restock matches (7/8): the store's matches as HQ's `restock.*` events and `Snapshot.restockMatches`
// carry them (whole, as JSON), with the column the list is ordered and purged by, and a member
// index erasure finds them by (a match names up to 50 members).
import { type Migration } from './types.ts';

export const migration017: Migration = {
  version: 17,
  name: 'restock-matches',
  up(db) {
    db.exec(`
      CREATE TABLE restock_matches (
        id    TEXT PRIMARY KEY,
        at    INTEGER NOT NULL,
        json  TEXT NOT NULL
      );
      CREATE INDEX restock_matches_at ON restock_matches (at);
      CREATE TABLE restock_match_members (
        member_id  TEXT NOT NULL,
        match_id   TEXT NOT NULL,
        PRIMARY KEY (member_id, match_id)
      ) WITHOUT ROWID;
    `);
  },
};
