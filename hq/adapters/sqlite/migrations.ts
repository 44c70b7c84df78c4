// Numbered schema migrations for HQ's SQLite file, tracked with PRAGMA user_version.
// Append new steps; never edit a released one. A file from a newer HQ is refused rather than
// guessed at, so an old binary cannot corrupt a newer schema.
import type Database from 'better-sqlite3';
import { MIGRATION_CHAT } from './chatStorage.ts';
import { MIGRATION_CHECKINS } from './checkinStorage.ts';
import { MIGRATION_CLERK_LOCKOUTS, MIGRATION_CLERKS } from './clerkStorage.ts';
import { MIGRATION_MEMBER_HISTORY } from './memberHistoryStorage.ts';
import { MIGRATION_GROUPS } from './groupStorage.ts'; // 5/8
import { MIGRATION_HOLDS } from './holdStorage.ts'; // 4/8 part C
import { MIGRATION_STYLE_IMAGES } from './styleImageStorage.ts';
import { MIGRATION_EXPECTED } from './expectedStorage.ts'; // 5/8 expected visits
import { MIGRATION_LIVE } from './liveStorage.ts'; // 6/8 live rooms
import { MIGRATION_ASSIST } from './assistStorage.ts'; // 7/8 suggestions shown, marks, attributions
import { MIGRATION_RESTOCK } from './restockStorage.ts'; // 7/8 restock matches
import { MIGRATION_HANDOVERS } from './handoverStorage.ts'; // 7/8 the assistant's hand-overs

export const MIGRATIONS: readonly string[] = [
  // 1: the initial schema
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  -- head is the newest seq of the store's log; allocating seq = head + 1 happens in the same
  -- transaction as the state change and the event row, so the log stays gap-free.
  CREATE TABLE stores (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL DEFAULT '',
    epoch TEXT NOT NULL, head INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE devices (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id), name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL, revoked_at INTEGER,
    acked_seq INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX devices_store ON devices(store_id);

  CREATE TABLE enrollment_codes (
    code_hash TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES stores(id),
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
  );

  -- phone holds digits only and never leaves HQ; desks get a masked form and the last 4 digits.
  CREATE TABLE members (
    id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, name_en TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL, phone TEXT NOT NULL DEFAULT '', home_store_id TEXT NOT NULL,
    size_eu REAL NOT NULL, size_cn INTEGER NOT NULL, preferences TEXT NOT NULL DEFAULT '[]',
    points INTEGER NOT NULL DEFAULT 0, joined_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX members_phone ON members(phone);
  CREATE INDEX members_home ON members(home_store_id);

  CREATE TABLE purchases (
    id TEXT PRIMARY KEY, member_id TEXT NOT NULL, style_id TEXT NOT NULL, style_name TEXT NOT NULL,
    category TEXT NOT NULL, color TEXT NOT NULL, size REAL NOT NULL, store_id TEXT NOT NULL,
    at INTEGER NOT NULL, price INTEGER NOT NULL
  );
  CREATE INDEX purchases_member ON purchases(member_id, at DESC);
  CREATE INDEX purchases_store ON purchases(store_id, at);

  CREATE TABLE styles (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL, price INTEGER NOT NULL,
    colors TEXT NOT NULL, sizes TEXT NOT NULL, released_at INTEGER NOT NULL
  );

  CREATE TABLE stock (
    store_id TEXT NOT NULL, style_id TEXT NOT NULL, color TEXT NOT NULL, size REAL NOT NULL,
    qty INTEGER NOT NULL, PRIMARY KEY (store_id, style_id, color, size)
  ) WITHOUT ROWID;

  CREATE TABLE visits (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL, source TEXT NOT NULL,
    status TEXT NOT NULL, arrived_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL,
    arrivals INTEGER NOT NULL, claimed_by TEXT, claimed_at INTEGER, closed_at INTEGER, outcome TEXT
  );
  CREATE INDEX visits_store_time ON visits(store_id, arrived_at DESC);
  CREATE INDEX visits_member ON visits(store_id, member_id, last_seen_at DESC);

  CREATE TABLE notes (
    id TEXT PRIMARY KEY, visit_id TEXT NOT NULL, member_id TEXT NOT NULL, text TEXT NOT NULL,
    by TEXT NOT NULL, at INTEGER NOT NULL
  );
  CREATE INDEX notes_visit ON notes(visit_id, at);

  CREATE TABLE events (
    store_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch TEXT NOT NULL, id TEXT NOT NULL,
    type TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (store_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE ops (
    device_id TEXT NOT NULL, op_id TEXT NOT NULL, status TEXT NOT NULL, result TEXT,
    seq INTEGER, created_at INTEGER NOT NULL, PRIMARY KEY (device_id, op_id)
  ) WITHOUT ROWID;
  CREATE INDEX ops_created ON ops(created_at);

  CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL
  );
  CREATE INDEX idempotency_created ON idempotency_keys(created_at);
  `,
  // 2: chat: conversations, messages, images, member sessions
  MIGRATION_CHAT,
  // 3: clerks, clerk sessions
  MIGRATION_CLERKS,
  // 4: wrong-PIN counts and lockouts per clerk, so an HQ restart does not clear them
  MIGRATION_CLERK_LOCKOUTS,
  // 5: state that was in one node's memory, now shared by every node: member sign-in failures and
  // how far desk acks were scanned for "delivered to the store" receipts
  `
  CREATE TABLE member_login_failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE chat_delivered_scan (store_id TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
  CREATE INDEX devices_revoked ON devices(revoked_at) WHERE revoked_at IS NOT NULL;
  `,
  // 6: a store's own rules (when an unclaimed visit counts as left unserved), take-overs of a
  // visit's claim, and the waiting visits the unserved sweep looks for
  `
  ALTER TABLE stores ADD COLUMN settings TEXT;
  ALTER TABLE visits ADD COLUMN takeovers TEXT;
  CREATE INDEX visits_waiting ON visits(store_id, last_seen_at) WHERE status = 'open';
  `,
  // 7: member search keys (shared/memberSearch.ts): each folded name word, the suffixes of a CJK
  // name, the code and the phone's last 4, looked up by prefix range — never a scan of members
  `
  CREATE TABLE member_search_keys (key TEXT NOT NULL, member_id TEXT NOT NULL, PRIMARY KEY (key, member_id)) WITHOUT ROWID;
  CREATE INDEX member_search_keys_member ON member_search_keys(member_id);
  `,
  // 8: a member's birthday (month and day only: the year is not needed for a birthday week) and
  // what the member consented to (JSON, shared/domain.ts Consents)
  `
  ALTER TABLE members ADD COLUMN birthday TEXT;
  ALTER TABLE members ADD COLUMN consents TEXT NOT NULL DEFAULT '{}';
  `,
  // 9: counter check-ins (4/8 part A): one row per check-in, keyed by the desk-made checkinId
  MIGRATION_CHECKINS,
  // 10: member-level notes, and a member's visits across the chain (the member page)
  MIGRATION_MEMBER_HISTORY,
  // 11: holds and cross-store hold requests (holdStorage.ts)
  MIGRATION_HOLDS,
  // 12: follow-up tasks (shared/tasks.ts): the whole task as JSON in `data`, and the columns the
  // Today list, the restock trigger (open wants of a style and size) and erasure look up
  `
  CREATE TABLE tasks (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT, status TEXT NOT NULL,
    due_at INTEGER NOT NULL, want_style TEXT, want_size REAL, updated_at INTEGER NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX tasks_store_open ON tasks(store_id, status, due_at);
  CREATE INDEX tasks_store_updated ON tasks(store_id, updated_at);
  CREATE INDEX tasks_wants ON tasks(store_id, want_style, want_size) WHERE status = 'open' AND want_style IS NOT NULL;
  CREATE INDEX tasks_member ON tasks(member_id);
  `,
  // 13: style pictures (4/8 part E): one per style and colour ('' = default), the bytes with a content-hash id
  MIGRATION_STYLE_IMAGES,
  // 14: member communities (5/8): groups, memberships, messages, invites, announcement counts (groupStorage.ts)
  MIGRATION_GROUPS,
  // 15: expected visits (5/8): a member's "I'll come and try it" (expectedStorage.ts)
  MIGRATION_EXPECTED,
  // 16: live launch rooms (6/8): rooms, questions, polls and votes, lotteries and their eligible lists, participants, mutes, counters (liveStorage.ts)
  MIGRATION_LIVE,
  // 17: the catalog's accessories (7/8): what a style is (absent: a shoe) and, for an accessory,
  // the shoe categories it goes with (JSON array; absent: its own category)
  `
  ALTER TABLE styles ADD COLUMN kind TEXT;
  ALTER TABLE styles ADD COLUMN goes_with TEXT;
  `,
  // 18: assisted selling (7/8): suggestions shown on arrival cards, clerks' marks, sales attributed (assistStorage.ts)
  MIGRATION_ASSIST,
  // 19: restock matches (7/8): a size arrived and the members who wear it (restockStorage.ts)
  MIGRATION_RESTOCK,
  // 20: the member-side assistant's hand-overs to a clerk (7/8, handoverStorage.ts)
  MIGRATION_HANDOVERS,
  // 21: the arrival's two costliest statements (docs/benchmarks.md, round 11).
  // Events in a rowid table with (store_id, seq) unique beside it, instead of WITHOUT ROWID on that
  // key: a WITHOUT ROWID row lives in an index b-tree, where a 4 KB event keeps ~500 bytes in its
  // leaf and the rest on an overflow page, so one store's leaf filled after a few events and split,
  // in 500 places at once; a rowid table appends at its right edge and the (store_id, seq) index
  // holds ~30-byte entries. Inserting an event went from ~27 to ~6 µs and its share of the commit
  // halved. Rows are copied in the order they were written (time, then store and seq).
  // A member's purchases indexed in the order they are read (newest first, id breaking a tie), so
  // the profile's read no longer sorts the tie in a temporary b-tree.
  `
  CREATE TABLE events_v21 (
    store_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch TEXT NOT NULL, id TEXT NOT NULL,
    type TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL,
    UNIQUE (store_id, seq)
  );
  INSERT INTO events_v21 (store_id, seq, epoch, id, type, at, data)
    SELECT store_id, seq, epoch, id, type, at, data FROM events ORDER BY at, store_id, seq;
  DROP TABLE events;
  ALTER TABLE events_v21 RENAME TO events;
  DROP INDEX purchases_member;
  CREATE INDEX purchases_member ON purchases(member_id, at DESC, id);
  `,
  // 22: three indexes every new visit wrote and no read needs (docs/benchmarks.md, round 23). Each
  // is keyed by store or member, so a batch of arrivals at 50 stores dirtied ~50 pages of each: with
  // them, 30 % of a batch's WAL pages and ~50 µs of HQ CPU per arrival.
  //  - visits_store_clerk: every clerk filter is applied to the visits already in a store's time
  //    range (visits_store_time), never a seek by clerk — no plan used it.
  //  - suggestions_shown_sale: a sale finds the member's visits at the store (visits_member) and
  //    each one's suggestion of the style by its primary key (assistStorage.ts shownForSale).
  //  - suggestions_shown_member: erasure deletes the member's shown suggestions by their visits,
  //    before the visits go (a shown row is written only with its visit, in the arrival's
  //    transaction, for that visit's member and store; a visit is deleted only by erasure).
  `
  DROP INDEX visits_store_clerk;
  DROP INDEX suggestions_shown_sale;
  DROP INDEX suggestions_shown_member;
  `,
  // 23: a member's visits in one index instead of two (docs/benchmarks.md, round 30). Both
  // visits_member (store, member, last seen) and visits_member_chain (member, arrival) were keyed by
  // member, so every new visit went into each at a random place: two pages of a large index to read
  // and dirty per arrival, the part of the file that outgrows the page cache as a chain's visits
  // accumulate. One index by member, in arrival order, carries the store, status and last seen of
  // each visit, so the reads by member and store (the arrival's open visit, a sale's look-back, a
  // restock's last visit, chat's "visited here") filter the member's entries in the index and read
  // a table row only for a visit that matches; a member's history keeps its order. A member's
  // entries are a few pages even after hundreds of visits.
  `
  DROP INDEX visits_member;
  DROP INDEX visits_member_chain;
  CREATE INDEX visits_of_member ON visits(member_id, arrived_at DESC, store_id, status, last_seen_at);
  `,
  // 24: the catalog's counters (docs/benchmarks.md, round 32). Scope '' is the chain's (styles,
  // pictures), any other a store's id (its stock, its purchases); the writers move them in their
  // transaction (HqTx.catalogChanged), so a node's copy of a store's catalog is read again only
  // when the sum of the two moved — it read every store's stock, styles, popularity and pictures
  // once a minute to catch a `catalog.changed` notice the bus lost. No row: never changed (0).
  `
  CREATE TABLE catalog_versions (scope TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
  `,
  // 25: a store's members by birthday (docs/benchmarks.md, round 52). The hourly birthday sweep read
  // every home member of every store to find the few whose birthday week it is — at 500,000 members
  // 2.4 s an hour, in stretches of 0.25–0.36 s that held HQ's event loop; it now asks this index for
  // the week's seven or eight "MM-DD" keys of each store. It leads with the store, as members_home
  // did, which it replaces (a store's members by id are found through either).
  `
  DROP INDEX members_home;
  CREATE INDEX members_home_birthday ON members(home_store_id, birthday);
  `,
  // 26: a hold's reminder, marked (docs/benchmarks.md, round 52). The reminder sweep read every
  // hold running out within a day each minute, on every node, and wrote each store's again to find
  // its "hold expiring" task made already — at 10,000 such holds 140–170 ms a minute, a 36–43 ms
  // stretch of it one read. A hold is now marked when its reminder is made (or found made), and
  // the sweep reads the unmarked ones through an index of exactly those. Holds from before start
  // unmarked: the first sweep finds their tasks and marks them.
  `
  ALTER TABLE holds ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX holds_to_remind ON holds(until, id) WHERE status = 'active' AND reminded = 0;
  `,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`HQ database schema v${current} is newer than this HQ (v${MIGRATIONS.length}); refusing to open it`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
