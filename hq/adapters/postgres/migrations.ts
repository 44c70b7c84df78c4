// Numbered schema migrations for HQ's PostgreSQL database, the same steps as the SQLite file's
// (hq/adapters/sqlite/migrations.ts), tracked in `schema_migrations(version)`. Append new steps;
// never edit a released one. Every node of a chain runs `migratePg()` when it starts: a session
// advisory lock (one per schema) lets exactly one of them apply the missing steps while the others
// wait and then find nothing to do. A database from a newer HQ is refused rather than guessed at,
// so an old node cannot corrupt a newer schema.
//
// Types follow the SQLite columns: epoch-ms times, seqs and counts are BIGINT (read back as JS
// numbers, see pgStore.ts), sizes DOUBLE PRECISION (SQLite's REAL is 8 bytes; PostgreSQL's REAL is
// 4), JSON columns TEXT (the exact text written is read back; event data goes on the wire as is),
// image bytes BYTEA. Text that is ordered or range-compared is COLLATE "C": SQLite compares text
// bytewise, and the database's default collation may not.
import type pg from 'pg';
import { PG_MIGRATION_MEMBER_HISTORY } from './pgMemberHistory.ts';
import { PG_MIGRATION_ASSIST } from './pgAssist.ts'; // 7/8
import { PG_MIGRATION_RESTOCK } from './pgRestock.ts'; // 7/8
import { PG_MIGRATION_HANDOVERS } from './pgHandovers.ts'; // 7/8

/** Bytewise-ordered text, as SQLite's BINARY collation orders it. */
const T = 'TEXT COLLATE "C"';

export const PG_MIGRATIONS: readonly string[] = [
  // 1: the initial schema
  `
  CREATE TABLE meta (key ${T} PRIMARY KEY, value TEXT NOT NULL);

  -- head is the newest seq of the store's log; allocating seq = head + 1 (UPDATE ... RETURNING)
  -- happens in the transaction of the state change and the event row: the row lock orders
  -- concurrent writers by commit and a rollback gives the number back, so the log is gap-free.
  CREATE TABLE stores (
    id ${T} PRIMARY KEY, name ${T} NOT NULL, city ${T} NOT NULL DEFAULT '',
    epoch ${T} NOT NULL, head BIGINT NOT NULL DEFAULT 0
  );

  CREATE TABLE devices (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL REFERENCES stores(id), name ${T} NOT NULL,
    token_hash ${T} NOT NULL UNIQUE, created_at BIGINT NOT NULL, revoked_at BIGINT,
    acked_seq BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX devices_store ON devices(store_id);

  CREATE TABLE enrollment_codes (
    code_hash ${T} PRIMARY KEY, store_id ${T} NOT NULL REFERENCES stores(id),
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT
  );

  -- phone holds digits only and never leaves HQ; desks get a masked form and the last 4 digits.
  CREATE TABLE members (
    id ${T} PRIMARY KEY, code ${T} NOT NULL UNIQUE, name ${T} NOT NULL, name_en ${T} NOT NULL DEFAULT '',
    tier ${T} NOT NULL, phone ${T} NOT NULL DEFAULT '', home_store_id ${T} NOT NULL,
    size_eu DOUBLE PRECISION NOT NULL, size_cn BIGINT NOT NULL, preferences TEXT NOT NULL DEFAULT '[]',
    points BIGINT NOT NULL DEFAULT 0, joined_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE INDEX members_phone ON members(phone);
  CREATE INDEX members_home ON members(home_store_id);

  CREATE TABLE purchases (
    id ${T} PRIMARY KEY, member_id ${T} NOT NULL, style_id ${T} NOT NULL, style_name ${T} NOT NULL,
    category ${T} NOT NULL, color ${T} NOT NULL, size DOUBLE PRECISION NOT NULL, store_id ${T} NOT NULL,
    at BIGINT NOT NULL, price BIGINT NOT NULL
  );
  CREATE INDEX purchases_member ON purchases(member_id, at DESC);
  CREATE INDEX purchases_store ON purchases(store_id, at);

  CREATE TABLE styles (
    id ${T} PRIMARY KEY, name ${T} NOT NULL, category ${T} NOT NULL, price BIGINT NOT NULL,
    colors TEXT NOT NULL, sizes TEXT NOT NULL, released_at BIGINT NOT NULL
  );

  CREATE TABLE stock (
    store_id ${T} NOT NULL, style_id ${T} NOT NULL, color ${T} NOT NULL, size DOUBLE PRECISION NOT NULL,
    qty BIGINT NOT NULL, PRIMARY KEY (store_id, style_id, color, size)
  );

  CREATE TABLE visits (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL, source ${T} NOT NULL,
    status ${T} NOT NULL, arrived_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL,
    arrivals BIGINT NOT NULL, claimed_by TEXT, claimed_at BIGINT, closed_at BIGINT, outcome ${T}
  );
  CREATE INDEX visits_store_time ON visits(store_id, arrived_at DESC);
  CREATE INDEX visits_member ON visits(store_id, member_id, last_seen_at DESC);

  CREATE TABLE notes (
    id ${T} PRIMARY KEY, visit_id ${T} NOT NULL, member_id ${T} NOT NULL, text TEXT NOT NULL,
    "by" TEXT NOT NULL, at BIGINT NOT NULL
  );
  CREATE INDEX notes_visit ON notes(visit_id, at);

  CREATE TABLE events (
    store_id ${T} NOT NULL, seq BIGINT NOT NULL, epoch ${T} NOT NULL, id ${T} NOT NULL,
    type ${T} NOT NULL, at BIGINT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (store_id, seq)
  );

  CREATE TABLE ops (
    device_id ${T} NOT NULL, op_id ${T} NOT NULL, status ${T} NOT NULL, result TEXT,
    seq BIGINT, created_at BIGINT NOT NULL, PRIMARY KEY (device_id, op_id)
  );
  CREATE INDEX ops_created ON ops(created_at);

  CREATE TABLE idempotency_keys (
    key ${T} PRIMARY KEY, request_hash TEXT NOT NULL, result TEXT NOT NULL, created_at BIGINT NOT NULL
  );
  CREATE INDEX idempotency_created ON idempotency_keys(created_at);
  `,
  // 2: chat: conversations, messages, images, member sessions
  `
  CREATE TABLE conversations (
    store_id ${T} NOT NULL, member_id ${T} NOT NULL, last_n BIGINT NOT NULL DEFAULT 0, last_at BIGINT NOT NULL,
    member_delivered BIGINT NOT NULL DEFAULT 0, member_read BIGINT NOT NULL DEFAULT 0,
    store_delivered BIGINT NOT NULL DEFAULT 0, store_read BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, member_id)
  );
  CREATE INDEX conversations_recent ON conversations(store_id, last_at DESC);

  -- n is the order inside the conversation, allocated in the transaction of the insert (gap-free);
  -- (sender, client_id) is unique per conversation, which makes a resend idempotent.
  CREATE TABLE messages (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL, n BIGINT NOT NULL,
    sender ${T} NOT NULL CHECK (sender IN ('member', 'clerk')), client_id ${T} NOT NULL, "by" TEXT,
    kind ${T} NOT NULL, body TEXT NOT NULL, product TEXT, image_id ${T}, image TEXT,
    at BIGINT NOT NULL, recalled_at BIGINT, event_seq BIGINT NOT NULL,
    UNIQUE (store_id, member_id, n),
    UNIQUE (store_id, member_id, sender, client_id)
  );
  CREATE INDEX messages_announced ON messages(store_id, sender, event_seq);
  CREATE INDEX messages_image ON messages(image_id) WHERE image_id IS NOT NULL;

  CREATE TABLE chat_images (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T}, mime ${T} NOT NULL,
    bytes BYTEA NOT NULL, created_at BIGINT NOT NULL
  );

  CREATE TABLE member_sessions (
    token_hash ${T} PRIMARY KEY, member_id ${T} NOT NULL, store_id ${T} NOT NULL,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
  );
  CREATE INDEX member_sessions_expiry ON member_sessions(expires_at);
  `,
  // 3: clerks, clerk sessions
  `
  CREATE TABLE clerks (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, name ${T} NOT NULL,
    role ${T} NOT NULL CHECK (role IN ('clerk', 'manager')), enabled INTEGER NOT NULL DEFAULT 1,
    pin_hash TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL
  );
  CREATE INDEX clerks_store ON clerks(store_id, name);
  -- A signed-in clerk at one device; HQ keeps only the SHA-256 of the session token.
  CREATE TABLE clerk_sessions (
    token_hash ${T} PRIMARY KEY, clerk_id ${T} NOT NULL, store_id ${T} NOT NULL, device_id ${T} NOT NULL,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
  );
  CREATE INDEX clerk_sessions_expiry ON clerk_sessions(expires_at);
  -- Reports filter visits by the claiming clerk (the expression pgReports.ts filters on).
  CREATE INDEX visits_store_clerk ON visits(store_id, ((claimed_by::jsonb ->> 'clerkId')), arrived_at);
  `,
  // 4: wrong-PIN counts and lockouts per clerk, so a restart does not clear them
  `
  CREATE TABLE clerk_lockouts (
    clerk_id ${T} PRIMARY KEY, failures BIGINT NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0
  );
  `,
  // 5: state every node shares: member sign-in failures and how far desk acks were scanned for
  // "delivered to the store" receipts
  `
  CREATE TABLE member_login_failures (key ${T} PRIMARY KEY, count BIGINT NOT NULL, since BIGINT NOT NULL);
  CREATE TABLE chat_delivered_scan (store_id ${T} PRIMARY KEY, seq BIGINT NOT NULL);
  CREATE INDEX devices_revoked ON devices(revoked_at) WHERE revoked_at IS NOT NULL;
  `,
  // 6: a store's own rules (when an unclaimed visit counts as left unserved), take-overs of a
  // visit's claim, and the waiting visits the unserved sweep looks for
  `
  ALTER TABLE stores ADD COLUMN settings TEXT;
  ALTER TABLE visits ADD COLUMN takeovers TEXT;
  CREATE INDEX visits_waiting ON visits(store_id, last_seen_at) WHERE status = 'open';
  `,
  // 7: member search keys (shared/memberSearch.ts), looked up by prefix range (bytewise, COLLATE "C")
  `
  CREATE TABLE member_search_keys (key ${T} NOT NULL, member_id ${T} NOT NULL, PRIMARY KEY (key, member_id));
  CREATE INDEX member_search_keys_member ON member_search_keys(member_id);
  `,
  // 8: a member's birthday (month and day) and consents (JSON)
  `
  ALTER TABLE members ADD COLUMN birthday TEXT;
  ALTER TABLE members ADD COLUMN consents TEXT NOT NULL DEFAULT '{}';
  `,
  // 9: counter check-ins (4/8 part A): one row per check-in, keyed by the desk-made checkinId
  `
  CREATE TABLE checkins (
    store_id ${T} NOT NULL, checkin_id ${T} NOT NULL, visit_id ${T} NOT NULL, member_id ${T} NOT NULL,
    device_id ${T} NOT NULL, clerk_id ${T}, status ${T} NOT NULL CHECK (status IN ('created', 'updated')),
    seq BIGINT NOT NULL, at BIGINT NOT NULL,
    PRIMARY KEY (store_id, checkin_id)
  );
  CREATE INDEX checkins_member ON checkins(member_id);
  `,
  // 10: member-level notes, and a member's visits across the chain (the member page)
  PG_MIGRATION_MEMBER_HISTORY,
  // 11: holds and cross-store hold requests (pgHolds.ts): the whole record as JSON beside the filtered columns
  `
  CREATE TABLE holds (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL, style_id ${T} NOT NULL,
    color ${T} NOT NULL, size DOUBLE PRECISION NOT NULL, status ${T} NOT NULL, until BIGINT NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX holds_line ON holds(store_id, style_id, color, size) WHERE status = 'active';
  CREATE INDEX holds_due ON holds(until) WHERE status = 'active';
  CREATE INDEX holds_member ON holds(member_id);
  CREATE TABLE hold_requests (
    id ${T} PRIMARY KEY, from_store_id ${T} NOT NULL, to_store_id ${T} NOT NULL, member_id ${T} NOT NULL,
    status ${T} NOT NULL, requested_at BIGINT NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX hold_requests_from ON hold_requests(from_store_id, requested_at);
  CREATE INDEX hold_requests_to ON hold_requests(to_store_id, requested_at);
  CREATE INDEX hold_requests_member ON hold_requests(member_id);
  CREATE INDEX hold_requests_pending ON hold_requests(requested_at) WHERE status = 'pending';
  `,
  // 12: follow-up tasks (as SQLite step 12)
  `
  CREATE TABLE tasks (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T}, status ${T} NOT NULL,
    due_at BIGINT NOT NULL, want_style ${T}, want_size DOUBLE PRECISION, updated_at BIGINT NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX tasks_store_open ON tasks(store_id, status, due_at);
  CREATE INDEX tasks_store_updated ON tasks(store_id, updated_at);
  CREATE INDEX tasks_wants ON tasks(store_id, want_style, want_size) WHERE status = 'open' AND want_style IS NOT NULL;
  CREATE INDEX tasks_member ON tasks(member_id);
  `,
  // 13: style pictures (4/8 part E): one per style and colour ('' = the style's default), the bytes (BYTEA) with a content-hash id
  `
  CREATE TABLE style_images (
    style_id ${T} NOT NULL, color ${T} NOT NULL, id ${T} NOT NULL, mime ${T} NOT NULL, size BIGINT NOT NULL,
    data BYTEA NOT NULL, updated_at BIGINT NOT NULL,
    PRIMARY KEY (style_id, color)
  );
  CREATE INDEX style_images_id ON style_images(id);
  `,
  // 14: member communities (5/8), as SQLite step 14 (groupStorage.ts, where the why of each index is):
  // groups, memberships, messages, invites, announcement counts; community settings are a meta key
  `
  CREATE TABLE groups (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, scope ${T} NOT NULL, closed_at BIGINT, created_at BIGINT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX groups_store ON groups(store_id, created_at);
  CREATE INDEX groups_chain ON groups(created_at) WHERE scope = 'chain' AND closed_at IS NULL;
  CREATE TABLE group_members (
    group_id ${T} NOT NULL, member_id ${T} NOT NULL, status ${T} NOT NULL, joined_at BIGINT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
  );
  CREATE INDEX group_members_status ON group_members(group_id, status, member_id);
  CREATE INDEX group_members_member ON group_members(member_id);
  CREATE TABLE group_messages (
    id ${T} PRIMARY KEY, group_id ${T} NOT NULL, n BIGINT NOT NULL, member_id ${T}, author_id ${T}, device_id ${T},
    client_id ${T} NOT NULL, for_member_id ${T}, reply_to_n BIGINT, at BIGINT NOT NULL, data TEXT NOT NULL,
    UNIQUE (group_id, n)
  );
  CREATE UNIQUE INDEX group_messages_member_client ON group_messages(group_id, member_id, client_id) WHERE member_id IS NOT NULL;
  CREATE UNIQUE INDEX group_messages_device_client ON group_messages(group_id, device_id, client_id) WHERE device_id IS NOT NULL;
  CREATE INDEX group_messages_member_at ON group_messages(member_id, group_id, at) WHERE member_id IS NOT NULL;
  CREATE INDEX group_messages_for ON group_messages(for_member_id) WHERE for_member_id IS NOT NULL;
  -- author_id: as SQLite's (never shown, never cleared on leaving; erasure finds what a member wrote by it)
  CREATE INDEX group_messages_author ON group_messages(author_id) WHERE author_id IS NOT NULL;
  CREATE INDEX group_messages_reply ON group_messages(group_id, reply_to_n) WHERE reply_to_n IS NOT NULL;
  CREATE TABLE group_invites (
    id ${T} PRIMARY KEY, token ${T} NOT NULL UNIQUE, group_id ${T} NOT NULL, created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, revoked_at BIGINT, data TEXT NOT NULL
  );
  CREATE INDEX group_invites_group ON group_invites(group_id, created_at);
  CREATE TABLE group_push_counts (
    member_id ${T} NOT NULL, month ${T} NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (member_id, month)
  );
  CREATE TABLE group_pushes (message_id ${T} NOT NULL, member_id ${T} NOT NULL, PRIMARY KEY (message_id, member_id));
  CREATE INDEX group_pushes_member ON group_pushes(member_id);
  `,
  // 15: expected visits (5/8), as SQLite step 15 (pgExpected.ts)
  `
  CREATE TABLE expected_visits (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL, client_id ${T},
    status ${T} NOT NULL, until BIGINT NOT NULL, updated_at BIGINT NOT NULL, data TEXT NOT NULL
  );
  CREATE UNIQUE INDEX expected_visits_client ON expected_visits(member_id, client_id) WHERE client_id IS NOT NULL;
  CREATE INDEX expected_visits_member ON expected_visits(member_id, store_id);
  CREATE INDEX expected_visits_due ON expected_visits(until) WHERE status = 'expected';
  CREATE INDEX expected_visits_store ON expected_visits(store_id, updated_at);
  `,
  // 16: live launch rooms (6/8), as SQLite step 16 (liveStorage.ts, where the why of each table is)
  `
  CREATE TABLE live_rooms (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, state ${T} NOT NULL, ended_at BIGINT, created_at BIGINT NOT NULL,
    salt ${T} NOT NULL, data TEXT NOT NULL
  );
  CREATE INDEX live_rooms_store ON live_rooms(store_id, created_at);
  CREATE INDEX live_rooms_created ON live_rooms(created_at);
  CREATE TABLE live_questions (
    id ${T} PRIMARY KEY, room_id ${T} NOT NULL, n BIGINT NOT NULL, member_id ${T} NOT NULL, client_id ${T} NOT NULL, data TEXT NOT NULL,
    UNIQUE (room_id, n), UNIQUE (room_id, member_id, client_id)
  );
  CREATE INDEX live_questions_member ON live_questions(member_id);
  CREATE TABLE live_polls (id ${T} PRIMARY KEY, room_id ${T} NOT NULL, opened_at BIGINT NOT NULL, data TEXT NOT NULL);
  CREATE INDEX live_polls_room ON live_polls(room_id, opened_at);
  CREATE TABLE live_votes (
    poll_id ${T} NOT NULL, member_id ${T} NOT NULL, option BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (poll_id, member_id)
  );
  CREATE INDEX live_votes_member ON live_votes(member_id);
  CREATE TABLE live_lotteries (id ${T} PRIMARY KEY, room_id ${T} NOT NULL, drawn_at BIGINT NOT NULL, data TEXT NOT NULL);
  CREATE INDEX live_lotteries_room ON live_lotteries(room_id, drawn_at);
  CREATE TABLE live_lottery_eligible (
    lottery_id ${T} NOT NULL, ref ${T} NOT NULL, member_id ${T}, nickname ${T} NOT NULL, rank BIGINT, PRIMARY KEY (lottery_id, ref)
  );
  CREATE INDEX live_lottery_eligible_member ON live_lottery_eligible(member_id) WHERE member_id IS NOT NULL;
  CREATE TABLE live_participants (
    room_id ${T} NOT NULL, member_id ${T} NOT NULL, ref ${T} NOT NULL, nickname ${T} NOT NULL,
    commented BIGINT NOT NULL DEFAULT 0, asked BIGINT NOT NULL DEFAULT 0, voted BIGINT NOT NULL DEFAULT 0, joined BIGINT NOT NULL DEFAULT 0,
    first_at BIGINT NOT NULL, PRIMARY KEY (room_id, member_id)
  );
  CREATE INDEX live_participants_member ON live_participants(member_id);
  CREATE TABLE live_mutes (room_id ${T} NOT NULL, member_id ${T} NOT NULL, until BIGINT NOT NULL, PRIMARY KEY (room_id, member_id));
  CREATE INDEX live_mutes_member ON live_mutes(member_id);
  CREATE TABLE live_stats (room_id ${T} PRIMARY KEY, comments BIGINT NOT NULL);
  CREATE TABLE live_viewers (room_id ${T} NOT NULL, key ${T} NOT NULL, PRIMARY KEY (room_id, key));
  CREATE TABLE live_node_viewers (room_id ${T} NOT NULL, node_id ${T} NOT NULL, viewers BIGINT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (room_id, node_id));
  CREATE TABLE live_referrals (
    id ${T} PRIMARY KEY, room_id ${T} NOT NULL, store_id ${T} NOT NULL, member_id ${T} NOT NULL, hold_id ${T}, expected_id ${T}, at BIGINT NOT NULL
  );
  CREATE INDEX live_referrals_room ON live_referrals(room_id, at);
  CREATE INDEX live_referrals_member ON live_referrals(member_id);
  `,
  // 17: the catalog's accessories (7/8), as SQLite step 17
  `
  ALTER TABLE styles ADD COLUMN kind TEXT;
  ALTER TABLE styles ADD COLUMN goes_with TEXT;
  `,
  // 18: assisted selling (7/8), as SQLite step 18 (assistStorage.ts)
  PG_MIGRATION_ASSIST,
  // 19: restock matches (7/8), as SQLite step 19 (restockStorage.ts)
  PG_MIGRATION_RESTOCK,
  // 20: the assistant's hand-overs (7/8), as SQLite step 20 (handoverStorage.ts)
  PG_MIGRATION_HANDOVERS,
  // 21: as SQLite step 21, a member's purchases indexed in the order they are read (newest first,
  // id breaking a tie). SQLite's step also rebuilds its events table as a rowid table; PostgreSQL's
  // events are a heap with the (store_id, seq) key beside them already.
  `
  DROP INDEX purchases_member;
  CREATE INDEX purchases_member ON purchases(member_id, at DESC, id);
  `,
  // 22: as SQLite step 22, three indexes every new visit wrote and no read needs: clerk filters
  // apply to a store's visits in a time range; a sale and erasure reach suggestions_shown through
  // the member's visits (pgAssist.ts shownForSale, pgOps.ts deleteMember).
  // And an event's data (~4 KB of JSON, over the 2 KB at which PostgreSQL compresses a value)
  // compressed with lz4 rather than the default pglz: ~20 µs less of the backend's CPU per event
  // written, its reads (replays, catch-ups) a little faster, ~20 % more bytes (docs/benchmarks.md,
  // round 23). Rows written before keep pglz; both read back the same. A server built without lz4
  // (it came in PostgreSQL 14, optional at build time) keeps pglz.
  `
  DROP INDEX visits_store_clerk;
  DROP INDEX suggestions_shown_sale;
  DROP INDEX suggestions_shown_member;
  DO $$
  BEGIN
    EXECUTE 'ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4';
  EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    NULL;
  END $$;
  `,
  // 23: as SQLite step 23, a member's visits in one index instead of two: visits_of_member (member,
  // arrival, then the store, status and last seen), whose entries the reads by member and store
  // (the arrival's open visit, a batch's open visits, a sale's look-back, a restock's last visit)
  // filter in the index before reading a row; a member's history keeps its order.
  `
  DROP INDEX visits_member;
  DROP INDEX visits_member_chain;
  CREATE INDEX visits_of_member ON visits(member_id, arrived_at DESC, store_id, status, last_seen_at);
  `,
  // 24: as SQLite step 24, the catalog's counters: '' the chain's, a store's id its own.
  `
  CREATE TABLE catalog_versions (scope ${T} PRIMARY KEY, version BIGINT NOT NULL);
  `,
  // 25: as SQLite step 25, a store's members by birthday, for the birthday sweep's read, in place of
  // members_home.
  `
  DROP INDEX members_home;
  CREATE INDEX members_home_birthday ON members(home_store_id, birthday);
  `,
  // 26: as SQLite step 26, a hold's reminder marked, and the unmarked active holds indexed by
  // `until` (and id, the order's tie-break).
  `
  ALTER TABLE holds ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX holds_to_remind ON holds(until, id) WHERE status = 'active' AND reminded = 0;
  `,
];

/** Quotes an SQL identifier. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export interface MigrateOptions {
  /** The schema HQ's tables live in (created when missing); null = the connection's search_path. */
  schema: string | null;
  log?: (line: string) => void;
  /** Stop at this version (tests step through the migrations); default: the newest. */
  target?: number;
  migrations?: readonly string[];
}

/** The schema version of the database the client's search_path points at (0 when never migrated). */
export async function schemaVersion(client: pg.ClientBase): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!exists.rows[0]?.t) return 0;
  const r = await client.query<{ v: number | string | null }>('SELECT MAX(version) AS v FROM schema_migrations');
  return Number(r.rows[0]?.v ?? 0);
}

/**
 * Brings the schema up to date on `client` (a connection whose search_path names the schema).
 * Each step commits in its own transaction with its version row; the session advisory lock,
 * keyed by schema, serialises nodes that start together.
 */
export async function migratePg(client: pg.ClientBase, opts: MigrateOptions): Promise<{ from: number; to: number }> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const target = opts.target ?? migrations.length;
  const lockKey = `footfall-hq-migrations:${opts.schema ?? ''}`;
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
  try {
    // Looked up first: a role allowed to use a schema a DBA made need not be allowed to create one.
    if (opts.schema !== null && (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [opts.schema])).rowCount === 0) {
      await client.query(`CREATE SCHEMA ${quoteIdent(opts.schema)}`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const from = await schemaVersion(client);
    if (from > migrations.length) {
      throw new Error(`HQ database schema v${from} is newer than this HQ (v${migrations.length}); refusing to open it`);
    }
    for (let v = from; v < target; v++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[v]!);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [v + 1, Date.now()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      opts.log?.(`postgres: schema migrated to v${v + 1}${opts.schema === null ? '' : ` in ${opts.schema}`}`);
    }
    return { from, to: Math.max(from, target) };
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch(() => undefined);
  }
}
