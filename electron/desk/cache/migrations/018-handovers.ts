// The assistant's hand-overs (7/8): the store's conversations the member-side assistant handed to
// its clerks, as HQ's `assist.handover` events and `Snapshot.handovers` carry them (whole records as
// JSON), with the columns the chat list marks waiting conversations by and erasure finds them by.
// Invariant, as at HQ: one waiting hand-over per member (a settled one replaces it by id).
import { type Migration } from './types.ts';

export const migration018: Migration = {
  version: 18,
  name: 'handovers',
  up(db) {
    db.exec(`
      CREATE TABLE handovers (
        id          TEXT PRIMARY KEY,
        member_id   TEXT NOT NULL,
        at          INTEGER NOT NULL,
        settled_at  INTEGER,
        json        TEXT NOT NULL
      );
      CREATE UNIQUE INDEX handovers_waiting ON handovers (member_id) WHERE settled_at IS NULL;
      CREATE INDEX handovers_at ON handovers (at);
    `);
  },
};
