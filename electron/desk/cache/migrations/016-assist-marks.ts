// Suggestion marks (7/8): the clerks' "used" / "not relevant" on the suggestions of this store's
// visits, as HQ's `suggest.marked` events and `Snapshot.suggestionMarks` carry them (whole records as
// JSON). One row per (visit, style): a later mark replaces the verdict, as at HQ. The member column is
// what erasure finds them by, `at` what retention drops them by. HQ's only: a mark queued here lives
// in the outbox until HQ's event brings it back.
//
// And the profile's next best action (`MemberProfile.next`, computed at HQ with the profile): kept
// beside the purchases and suggestions it was computed with, so the card shows it offline too.
// NULL: a profile from before 7/8 (or HQ sent none) — the card stays as it was.
import { type Migration } from './types.ts';

export const migration016: Migration = {
  version: 16,
  name: 'assist-marks',
  up(db) {
    db.exec(`
      CREATE TABLE suggestion_marks (
        visit_id   TEXT NOT NULL,
        style_id   TEXT NOT NULL,
        member_id  TEXT NOT NULL,
        at         INTEGER NOT NULL,
        json       TEXT NOT NULL,
        PRIMARY KEY (visit_id, style_id)
      );
      CREATE INDEX suggestion_marks_member ON suggestion_marks (member_id);
      CREATE INDEX suggestion_marks_at ON suggestion_marks (at);
      ALTER TABLE profiles ADD COLUMN next TEXT;
    `);
  },
};
