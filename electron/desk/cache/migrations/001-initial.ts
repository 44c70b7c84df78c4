// The first cache schema: position + identity, the store's members and profiles, its visits and
// notes, and the outbox of clerk actions HQ has not confirmed yet.
//
// Rows keep the few columns we filter or sort on, plus the whole record as JSON: HQ's events carry
// whole records ("applying one is a replace, not a merge"), so the JSON is the truth and the
// columns are indexes onto it.
import { type Migration } from './types.ts';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE members (
        id            TEXT PRIMARY KEY,
        code          TEXT NOT NULL,
        name          TEXT NOT NULL,
        name_en       TEXT NOT NULL DEFAULT '',
        phone_last4   TEXT NOT NULL DEFAULT '',
        updated_at    INTEGER NOT NULL,
        json          TEXT NOT NULL
      );

      CREATE TABLE profiles (
        member_id        TEXT PRIMARY KEY,
        purchases        TEXT NOT NULL,
        recommendations  TEXT NOT NULL,
        received_at      INTEGER NOT NULL
      );

      CREATE TABLE visits (
        id            TEXT PRIMARY KEY,
        member_id     TEXT NOT NULL,
        status        TEXT NOT NULL,
        arrived_at    INTEGER NOT NULL,
        last_seen_at  INTEGER NOT NULL,
        json          TEXT NOT NULL
      );
      CREATE INDEX visits_by_arrival ON visits (arrived_at);
      CREATE INDEX visits_by_member ON visits (member_id, arrived_at);

      CREATE TABLE notes (
        id        TEXT PRIMARY KEY,
        visit_id  TEXT NOT NULL,
        member_id TEXT NOT NULL,
        at        INTEGER NOT NULL,
        json      TEXT NOT NULL
      );
      CREATE INDEX notes_by_visit ON notes (visit_id, at);
      CREATE INDEX notes_by_member ON notes (member_id, at);

      -- Clerk actions not yet settled by HQ, in the order the clerk made them (ordinal).
      -- state: pending (not answered), acked (HQ said ok, its event not applied yet),
      -- rejected (kept with its rejection so the clerk sees why).
      CREATE TABLE outbox (
        op_id       TEXT PRIMARY KEY,
        ordinal     INTEGER NOT NULL UNIQUE,
        type        TEXT NOT NULL,
        visit_id    TEXT NOT NULL,
        data        TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'rejected')),
        acked_seq   INTEGER,
        rejection   TEXT
      );
      CREATE INDEX outbox_by_visit ON outbox (visit_id, ordinal);
    `);
  },
};
