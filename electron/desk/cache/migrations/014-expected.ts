// Expected visits (5/8): the store's expectations as HQ's `expect.updated` events and snapshots
// carry them (whole records as JSON), with the columns the Today list, the arrival cue (by visit),
// erasure and retention look up. HQ's only: the desk never writes one of its own.
import { type Migration } from './types.ts';

export const migration014: Migration = {
  version: 14,
  name: 'expected-visits',
  up(db) {
    db.exec(`
      CREATE TABLE expected_visits (
        id           TEXT PRIMARY KEY,
        member_id    TEXT NOT NULL,
        visit_id     TEXT,
        status       TEXT NOT NULL,
        until        INTEGER NOT NULL,
        received_at  INTEGER NOT NULL,
        json         TEXT NOT NULL
      );
      CREATE INDEX expected_visits_status ON expected_visits (status, until);
      CREATE INDEX expected_visits_visit ON expected_visits (visit_id) WHERE visit_id IS NOT NULL;
      CREATE INDEX expected_visits_member ON expected_visits (member_id);
    `);
  },
};
