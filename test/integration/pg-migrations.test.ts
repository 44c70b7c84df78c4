// HQ's PostgreSQL schema migrations, step by step: each step applied on a database at the step
// before gives the tables, columns and indexes the SQLite file has after the same step (the two
// adapters keep one numbering); a database newer than the code is refused; nodes starting
// together migrate once; a failing step leaves the database at the step before.
//
// PostgreSQL is required: when it is not reachable these tests fail (FOOTFALL_TEST_PG_URL).
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { migratePg, PG_MIGRATIONS, schemaVersion } from '../../hq/adapters/postgres/migrations.ts';
import { openPgStore, type PgStore } from '../../hq/adapters/postgres/pgStore.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../hq/adapters/sqlite/migrations.ts';
import { freshPgSchema, type PgSchema, pgClient, randomSchemaName, TEST_PG_URL, withPgClient } from '../support/pg.ts';

type Shape = { tables: Record<string, string[]>; indexes: string[] };

/** Tables (with their columns, sorted) and secondary indexes of a PostgreSQL schema. */
async function pgShape(c: pg.ClientBase, schema: string): Promise<Shape> {
  const cols = await c.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name <> 'schema_migrations'`,
    [schema],
  );
  const tables: Record<string, string[]> = {};
  for (const r of cols.rows) (tables[r.table_name] ??= []).push(r.column_name);
  for (const t of Object.values(tables)) t.sort();
  // Secondary indexes only: not the ones behind a primary key or a UNIQUE constraint.
  const idx = await c.query<{ name: string }>(
    `SELECT i.relname AS name FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = $1 AND t.relname <> 'schema_migrations' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)`,
    [schema],
  );
  return { tables, indexes: idx.rows.map((r) => r.name).sort() };
}

/** The same for a SQLite file after the first `steps` SQLite migrations. */
function sqliteShape(steps: number): Shape {
  const db = new Database(':memory:');
  try {
    for (const sql of SQLITE_MIGRATIONS.slice(0, steps)) db.exec(sql);
    const tables: Record<string, string[]> = {};
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
    for (const t of names) tables[t] = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).sort();
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all() as string[]).sort();
    return { tables, indexes };
  } finally {
    db.close();
  }
}

const sortedKeys = (o: Record<string, unknown>) => Object.keys(o).sort();

/** What each step adds: tables and secondary indexes, and columns of tables that were there before; and the indexes it drops. */
const STEPS: Array<{ tables: string[]; indexes: string[]; columns?: Record<string, string[]>; dropped?: string[] }> = [
  {
    tables: ['devices', 'enrollment_codes', 'events', 'idempotency_keys', 'members', 'meta', 'notes', 'ops', 'purchases', 'stock', 'stores', 'styles', 'visits'],
    indexes: ['devices_store', 'idempotency_created', 'members_home', 'members_phone', 'notes_visit', 'ops_created', 'purchases_member', 'purchases_store', 'visits_member', 'visits_store_time'],
  },
  { tables: ['chat_images', 'conversations', 'member_sessions', 'messages'], indexes: ['conversations_recent', 'member_sessions_expiry', 'messages_announced', 'messages_image'] },
  { tables: ['clerk_sessions', 'clerks'], indexes: ['clerk_sessions_expiry', 'clerks_store', 'visits_store_clerk'] },
  { tables: ['clerk_lockouts'], indexes: [] },
  { tables: ['chat_delivered_scan', 'member_login_failures'], indexes: ['devices_revoked'] },
  { tables: [], indexes: ['visits_waiting'], columns: { stores: ['settings'], visits: ['takeovers'] } },
  { tables: ['member_search_keys'], indexes: ['member_search_keys_member'] },
  { tables: [], indexes: [], columns: { members: ['birthday', 'consents'] } },
  // 9: counter check-ins (4/8 part A)
  { tables: ['checkins'], indexes: ['checkins_member'] },
  // 10: member-level notes; a member's visits (and visit notes) across the chain
  { tables: ['member_notes'], indexes: ['member_notes_member', 'notes_member', 'visits_member_chain'] },
  // 11: holds and cross-store hold requests
  { tables: ['hold_requests', 'holds'], indexes: ['hold_requests_from', 'hold_requests_member', 'hold_requests_pending', 'hold_requests_to', 'holds_due', 'holds_line', 'holds_member'] },
  // 12: follow-up tasks
  { tables: ['tasks'], indexes: ['tasks_member', 'tasks_store_open', 'tasks_store_updated', 'tasks_wants'] },
  // 13: style pictures, per style and colour ('' = the style's default)
  { tables: ['style_images'], indexes: ['style_images_id'] },
  // 14: member communities (5/8)
  {
    tables: ['group_invites', 'group_members', 'group_messages', 'group_push_counts', 'group_pushes', 'groups'],
    indexes: [
      'group_invites_group',
      'group_members_member',
      'group_members_status',
      'group_messages_author',
      'group_messages_device_client',
      'group_messages_for',
      'group_messages_member_at',
      'group_messages_member_client',
      'group_messages_reply',
      'group_pushes_member',
      'groups_chain',
      'groups_store',
    ],
  },
  // 15: expected visits (5/8)
  { tables: ['expected_visits'], indexes: ['expected_visits_client', 'expected_visits_due', 'expected_visits_member', 'expected_visits_store'] },
  // 16: live launch rooms (6/8)
  {
    tables: ['live_lotteries', 'live_lottery_eligible', 'live_mutes', 'live_node_viewers', 'live_participants', 'live_polls', 'live_questions', 'live_referrals', 'live_rooms', 'live_stats', 'live_viewers', 'live_votes'],
    indexes: [
      'live_lotteries_room',
      'live_lottery_eligible_member',
      'live_mutes_member',
      'live_participants_member',
      'live_polls_room',
      'live_questions_member',
      'live_referrals_member',
      'live_referrals_room',
      'live_rooms_created',
      'live_rooms_store',
      'live_votes_member',
    ],
  },
  // 17: the catalog's accessories (7/8)
  { tables: [], indexes: [], columns: { styles: ['goes_with', 'kind'] } },
  // 18: assisted selling: suggestions shown, marks, attributions (7/8)
  {
    tables: ['sale_attributions', 'suggestion_marks', 'suggestions_shown'],
    indexes: ['sale_attributions_member', 'sale_attributions_store', 'suggestion_marks_member', 'suggestions_shown_member', 'suggestions_shown_sale'],
  },

  // 19: restock matches (7/8)
  { tables: ['restock_match_members', 'restock_matches'], indexes: ['members_home_size', 'restock_matches_store'] },

  // 20: the assistant's hand-overs (7/8)
  { tables: ['handovers'], indexes: ['handovers_member', 'handovers_store', 'handovers_waiting'] },

  // 21: purchases_member with id as its last column (SQLite also rebuilds events as a rowid table)
  { tables: [], indexes: [] },

  // 22: three indexes every new visit wrote and no read needs
  { tables: [], indexes: [], dropped: ['suggestions_shown_member', 'suggestions_shown_sale', 'visits_store_clerk'] },

  // 23: a member's visits in one index instead of two
  { tables: [], indexes: ['visits_of_member'], dropped: ['visits_member', 'visits_member_chain'] },

  // 24: the catalog's counters (the chain's and each store's)
  { tables: ['catalog_versions'], indexes: [] },

  // 25: a store's members by birthday (the birthday sweep)
  { tables: [], indexes: ['members_home_birthday'], dropped: ['members_home'] },

  // 26: a hold's reminder, marked
  { tables: [], indexes: ['holds_to_remind'], columns: { holds: ['reminded'] } },
];

const schemas: PgSchema[] = [];
const fresh = async () => {
  const s = await freshPgSchema();
  schemas.push(s);
  return s;
};

afterAll(async () => {
  for (const s of schemas) await s.cleanup();
});

describe('PostgreSQL migrations', () => {
  it('has one step per SQLite step', () => {
    expect(PG_MIGRATIONS).toHaveLength(SQLITE_MIGRATIONS.length);
    expect(STEPS).toHaveLength(PG_MIGRATIONS.length);
  });

  for (let n = 1; n <= PG_MIGRATIONS.length; n++) {
    it(`step ${n} on a database at v${n - 1}: the tables, columns and indexes of the SQLite file at v${n}`, async () => {
      const s = await fresh();
      await withPgClient(
        async (c) => {
          expect(await migratePg(c, { schema: s.schema, target: n - 1 })).toEqual({ from: 0, to: n - 1 });
          expect(await schemaVersion(c)).toBe(n - 1);
          const before = await pgShape(c, s.schema);
          const logs: string[] = [];
          expect(await migratePg(c, { schema: s.schema, target: n, log: (l) => logs.push(l) })).toEqual({ from: n - 1, to: n });
          expect(logs).toEqual([`postgres: schema migrated to v${n} in ${s.schema}`]);
          expect(await schemaVersion(c)).toBe(n);
          const versions = await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
          expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          const after = await pgShape(c, s.schema);

          // What this step added.
          expect(sortedKeys(after.tables).filter((t) => !(t in before.tables))).toEqual(STEPS[n - 1]!.tables);
          expect(after.indexes.filter((i) => !before.indexes.includes(i))).toEqual(STEPS[n - 1]!.indexes);
          expect(before.indexes.filter((i) => !after.indexes.includes(i))).toEqual(STEPS[n - 1]!.dropped ?? []);
          // Tables present before are unchanged, but for the columns this step adds.
          const added = STEPS[n - 1]!.columns ?? {};
          for (const t of Object.keys(before.tables)) expect(after.tables[t]).toEqual([...before.tables[t]!, ...(added[t] ?? [])].sort());
          // The whole schema matches the SQLite file at the same version.
          expect(after).toEqual(sqliteShape(n));
        },
        { schema: s.schema },
      );
    });
  }

  it("step 21 indexes a member's purchases in the order the profile reads them (newest first, id breaking a tie)", async () => {
    const s = await fresh();
    await withPgClient(
      async (c) => {
        await migratePg(c, { schema: s.schema, target: 20 });
        const def = async () =>
          (await c.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = $1 AND indexname = 'purchases_member'`, [s.schema])).rows[0]!.d;
        expect(await def()).toMatch(/\(member_id, at DESC\)$/);
        await migratePg(c, { schema: s.schema, target: 21 });
        expect(await def()).toMatch(/\(member_id, at DESC, id\)$/);
      },
      { schema: s.schema },
    );
  });

  it("step 22 compresses an event's data with lz4 (this server has it), and such an event reads back whole", async () => {
    const s = await fresh();
    await withPgClient(
      async (c) => {
        const compression = async () =>
          (
            await c.query<{ m: string }>(
              `SELECT a.attcompression AS m FROM pg_attribute a JOIN pg_class t ON t.oid = a.attrelid JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = $1 AND t.relname = 'events' AND a.attname = 'data'`,
              [s.schema],
            )
          ).rows[0]!.m;
        await migratePg(c, { schema: s.schema, target: 21 });
        expect(await compression()).toBe(''); // the server's default (pglz)
        await migratePg(c, { schema: s.schema, target: 22 });
        expect(await compression()).toBe('l');
        const data = JSON.stringify({ visit: { id: 'v1' }, pad: '会员'.repeat(1500) + 'x'.repeat(3000) });
        await c.query(`INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES ('s', 1, 'e', 'ev1', 'arrival', 1, $1)`, [data]);
        const row = (await c.query<{ data: string; how: string }>(`SELECT data, pg_column_compression(data) AS how FROM events WHERE store_id = 's' AND seq = 1`)).rows[0]!;
        expect(row.how).toBe('lz4');
        expect(row.data).toBe(data);
      },
      { schema: s.schema },
    );
  });

  it('uses the column types the adapter reads back (BIGINT times, DOUBLE sizes, TEXT JSON, BYTEA images)', async () => {
    const s = await fresh();
    const store = await openPgStore(s.url, { schema: s.schema });
    await store.close();
    const types = await withPgClient((c) =>
      c.query<{ t: string; c: string; type: string }>(
        `SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = $1`,
        [s.schema],
      ),
    );
    const type = (t: string, c: string) => types.rows.find((r) => r.t === t && r.c === c)?.type;
    expect(type('events', 'seq')).toBe('bigint');
    expect(type('events', 'at')).toBe('bigint');
    expect(type('events', 'data')).toBe('text');
    expect(type('stores', 'head')).toBe('bigint');
    expect(type('members', 'size_eu')).toBe('double precision');
    expect(type('stock', 'size')).toBe('double precision');
    expect(type('visits', 'claimed_by')).toBe('text');
    expect(type('chat_images', 'bytes')).toBe('bytea');
    expect(type('messages', 'event_seq')).toBe('bigint');
  });

  it('opening an up-to-date database applies nothing', async () => {
    const s = await fresh();
    const first: string[] = [];
    await (await openPgStore(s.url, { schema: s.schema, log: (l) => first.push(l) })).close();
    expect(first.filter((l) => l.includes('migrated'))).toHaveLength(PG_MIGRATIONS.length);
    const again: string[] = [];
    await (await openPgStore(s.url, { schema: s.schema, log: (l) => again.push(l) })).close();
    expect(again.filter((l) => l.includes('migrated'))).toEqual([]);
  });

  it('refuses a database newer than the code, and leaves it alone', async () => {
    const s = await fresh();
    await (await openPgStore(s.url, { schema: s.schema })).close();
    const newer = PG_MIGRATIONS.length + 1;
    await withPgClient((c) => c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, 0)', [newer]), { schema: s.schema });
    await expect(openPgStore(s.url, { schema: s.schema })).rejects.toThrow(new RegExp(`schema v${newer} is newer than this HQ \\(v${PG_MIGRATIONS.length}\\)`));
    await withPgClient(
      async (c) => {
        await expect(migratePg(c, { schema: s.schema })).rejects.toThrow(/newer/);
        expect(await schemaVersion(c)).toBe(newer);
      },
      { schema: s.schema },
    );
  });

  it('nodes starting together on an empty database migrate it once', async () => {
    // A schema that does not exist yet: the first node creates it, under the lock.
    const schema = randomSchemaName();
    schemas.push({
      url: TEST_PG_URL,
      schema,
      cleanup: () => withPgClient((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
    });
    const logs: string[][] = [[], [], [], []];
    const stores: PgStore[] = await Promise.all(logs.map((mine) => openPgStore(TEST_PG_URL, { schema, poolSize: 1, log: (l) => mine.push(l) })));
    try {
      const all = logs.flat().filter((l) => l.includes('migrated'));
      expect(all.sort()).toEqual(Array.from({ length: PG_MIGRATIONS.length }, (_, i) => `postgres: schema migrated to v${i + 1} in ${schema}`).sort());
      // One node did all of it (the others found it done when they got the lock).
      expect(logs.filter((mine) => mine.length > 0)).toHaveLength(1);
      const versions = await withPgClient((c) => c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'), { schema });
      expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: PG_MIGRATIONS.length }, (_, i) => i + 1));
      // And every node works.
      await stores[0]!.withTx((t) => t.upsertStore({ id: 'x', name: 'X', city: '' }, 'e'));
      for (const st of stores) expect((await st.read((r) => r.getStore('x')))?.name).toBe('X');
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
  });

  it('a step that fails is rolled back whole: the database stays at the step before', async () => {
    const s = await fresh();
    const c = await pgClient(s.url, s.schema);
    try {
      const steps = ['CREATE TABLE one (x INTEGER)', 'CREATE TABLE two (x INTEGER); SELECT 1 / 0'];
      await expect(migratePg(c, { schema: s.schema, migrations: steps })).rejects.toThrow(/division by zero/);
      expect(await schemaVersion(c)).toBe(1);
      const tables = await c.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [s.schema]);
      expect(tables.rows.map((r) => r.t)).toEqual(['one', 'schema_migrations']);
      // The advisory lock was let go: another session can migrate.
      await withPgClient((other) => migratePg(other, { schema: s.schema, migrations: steps.slice(0, 1) }), { schema: s.schema });
    } finally {
      await c.end();
    }
  });
});
