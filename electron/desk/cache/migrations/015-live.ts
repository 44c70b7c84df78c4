// Live rooms (6/8): the store's rooms and their durable parts as HQ's `live.*` events and
// `Snapshot.liveRooms` carry them (whole records as JSON), with the columns the host console lists
// them by, and the member columns erasure finds them by. Comments and reactions are never here:
// they are ephemeral and only flow through the open console's room socket (live/liveStream.ts).
import { type Migration } from './types.ts';

export const migration015: Migration = {
  version: 15,
  name: 'live-rooms',
  up(db) {
    db.exec(`
      CREATE TABLE live_rooms (
        id            TEXT PRIMARY KEY,
        state         TEXT NOT NULL,
        scheduled_at  INTEGER NOT NULL,
        ended_at      INTEGER,
        json          TEXT NOT NULL
      );
      CREATE TABLE live_questions (
        id         TEXT PRIMARY KEY,
        room_id    TEXT NOT NULL,
        n          INTEGER NOT NULL,
        member_id  TEXT NOT NULL,
        status     TEXT NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE INDEX live_questions_room ON live_questions (room_id, n);
      CREATE INDEX live_questions_member ON live_questions (member_id);
      CREATE TABLE live_polls (
        id         TEXT PRIMARY KEY,
        room_id    TEXT NOT NULL,
        opened_at  INTEGER NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE INDEX live_polls_room ON live_polls (room_id, opened_at);
      CREATE TABLE live_lotteries (
        id         TEXT PRIMARY KEY,
        room_id    TEXT NOT NULL,
        drawn_at   INTEGER NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE INDEX live_lotteries_room ON live_lotteries (room_id, drawn_at);
      -- "reserve my size" from a room: the hold (at any store) as the console shows it
      CREATE TABLE live_reservations (
        hold_id    TEXT PRIMARY KEY,
        room_id    TEXT NOT NULL,
        member_id  TEXT NOT NULL,
        at         INTEGER NOT NULL,
        json       TEXT NOT NULL
      );
      CREATE INDEX live_reservations_room ON live_reservations (room_id, at);
      CREATE INDEX live_reservations_member ON live_reservations (member_id);
      CREATE TABLE live_mutes (
        room_id    TEXT NOT NULL,
        member_id  TEXT NOT NULL,
        until      INTEGER,
        json       TEXT NOT NULL,
        PRIMARY KEY (room_id, member_id)
      );
      CREATE INDEX live_mutes_member ON live_mutes (member_id);
    `);
  },
};
