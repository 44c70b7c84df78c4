// Chat: the store's conversations with their receipts, their messages (whole records as
// JSON, `n` = HQ's order in the conversation), HQ images already fetched, and images the clerk queued
// while offline (uploaded when the outbox reaches their message).
import { type Migration } from './types.ts';

export const migration003: Migration = {
  version: 3,
  name: 'chat',
  up(db) {
    db.exec(`
      CREATE TABLE chat_conversations (
        member_id  TEXT PRIMARY KEY,
        last_n     INTEGER NOT NULL DEFAULT 0,
        last_at    INTEGER NOT NULL DEFAULT 0,
        receipts   TEXT NOT NULL
      );
      CREATE INDEX chat_conversations_recent ON chat_conversations (last_at);

      CREATE TABLE chat_messages (
        id         TEXT PRIMARY KEY,
        member_id  TEXT NOT NULL,
        n          INTEGER NOT NULL,
        sender     TEXT NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE UNIQUE INDEX chat_messages_by_member ON chat_messages (member_id, n);

      CREATE TABLE chat_images (
        id          TEXT PRIMARY KEY,
        mime        TEXT NOT NULL,
        bytes       BLOB NOT NULL,
        fetched_at  INTEGER NOT NULL
      );

      -- Images written into an outbox message; remote_id is HQ's id once uploaded.
      CREATE TABLE chat_uploads (
        local_id    TEXT PRIMARY KEY,
        mime        TEXT NOT NULL,
        bytes       BLOB NOT NULL,
        remote_id   TEXT,
        created_at  INTEGER NOT NULL
      );
    `);
  },
};
