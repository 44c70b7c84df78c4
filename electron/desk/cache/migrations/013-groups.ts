// Member communities (5/8): the store's groups, their messages, memberships and invite links, as
// HQ's events and snapshots carry them (whole records as JSON, a few columns to find them by).
// Messages are keyed by HQ id and unique per (group, n); `client_id` lets a queued send tell that
// HQ already has it. `member_id` columns let erasure (`member.deleted`) drop a member's rows, and
// memberships give the host tools memberId → nickname.
import { type Migration } from './types.ts';

export const migration013: Migration = {
  version: 13,
  name: 'groups',
  up(db) {
    db.exec(`
      CREATE TABLE groups (
        id         TEXT PRIMARY KEY,
        closed_at  INTEGER,
        last_at    INTEGER,
        json       TEXT NOT NULL
      );

      CREATE TABLE group_messages (
        id         TEXT PRIMARY KEY,
        group_id   TEXT NOT NULL,
        n          INTEGER NOT NULL,
        client_id  TEXT NOT NULL,
        member_id  TEXT,
        at         INTEGER NOT NULL,
        json       TEXT NOT NULL,
        UNIQUE (group_id, n)
      );
      CREATE INDEX group_messages_client ON group_messages (group_id, client_id);
      CREATE INDEX group_messages_member ON group_messages (member_id);

      CREATE TABLE group_members (
        group_id   TEXT NOT NULL,
        member_id  TEXT NOT NULL,
        nickname   TEXT NOT NULL,
        status     TEXT NOT NULL,
        json       TEXT NOT NULL,
        PRIMARY KEY (group_id, member_id)
      );
      CREATE INDEX group_members_member ON group_members (member_id);

      CREATE TABLE group_invites (
        id          TEXT PRIMARY KEY,
        group_id    TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        json        TEXT NOT NULL
      );
      CREATE INDEX group_invites_group ON group_invites (group_id, created_at);
    `);
  },
};
