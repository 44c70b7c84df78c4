// Holds: the store's holds (whole records as JSON, as HQ's events carry them), the cross-store
// hold requests this store made or got, and the labels the clerk's own queued hold actions are
// shown with until HQ answers (member name, style and colour names: the desk has no catalog).
import { type Migration } from './types.ts';

export const migration010: Migration = {
  version: 10,
  name: 'holds',
  up(db) {
    db.exec(`
      CREATE TABLE holds (
        id         TEXT PRIMARY KEY,
        member_id  TEXT NOT NULL,
        status     TEXT NOT NULL,
        until      INTEGER NOT NULL,
        ended_at   INTEGER,
        json       TEXT NOT NULL
      );
      CREATE INDEX holds_status ON holds (status, until);
      CREATE INDEX holds_member ON holds (member_id);

      CREATE TABLE hold_requests (
        id            TEXT PRIMARY KEY,
        member_id     TEXT NOT NULL,
        status        TEXT NOT NULL,
        requested_at  INTEGER NOT NULL,
        json          TEXT NOT NULL
      );
      CREATE INDEX hold_requests_recent ON hold_requests (requested_at);
      CREATE INDEX hold_requests_member ON hold_requests (member_id);

      -- Desk-owned: what a queued hold action is shown with (keyed by hold or request id).
      CREATE TABLE hold_labels (
        id          TEXT PRIMARY KEY,
        member_id   TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        json        TEXT NOT NULL
      );
      CREATE INDEX hold_labels_member ON hold_labels (member_id);
    `);
  },
};
