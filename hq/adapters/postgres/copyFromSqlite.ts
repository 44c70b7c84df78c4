// Copies an embedded HQ's SQLite file into a chain's PostgreSQL (`hq:admin migrate-to-pg`), so a
// chain that started on one embedded HQ moves to a cluster without losing anything a desk, a
// member or an integration holds: device tokens (their hashes), every store's epoch and head (desks
// resume from their position, no reset), the event log byte for byte, op ids and idempotency keys
// (resends stay exactly-once), chat with its image bytes, sessions, clerks and their lockouts, the
// integration and admin keys.
//
// All or nothing: the rows go into ONE PostgreSQL transaction, so a failure (a value PostgreSQL
// refuses, a lost connection) leaves the target as empty as it was. The target must be empty —
// merging two HQs' logs, seqs and keys has no right answer — and both sides must be at the same
// schema version, with exactly the tables and columns this copy knows: a table added by a later
// migration is refused here (and by a test) instead of being silently left behind.
//
// The SQLite file is read in one read transaction (one consistent view even if an HQ still had it
// open); writes an HQ makes after that view are not copied, so stop HQ first.
import Database from 'better-sqlite3';
import type pg from 'pg';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../sqlite/migrations.ts';
import { PG_MIGRATIONS, quoteIdent, schemaVersion } from './migrations.ts';
import { type PgStore } from './pgStore.ts';

/**
 * Every table of HQ's schema, in an order that satisfies the foreign keys (devices and
 * enrollment codes name a store). A migration that adds a table must add it here.
 */
export const COPIED_TABLES: readonly string[] = [
  // step 1: the initial schema
  'meta', // integration_key, admin_key
  'stores', // with epoch and head: the position desks resume from
  'devices', // token hashes, acked seqs, revocations
  'enrollment_codes',
  'members',
  'purchases',
  'styles',
  'stock',
  'visits',
  'notes',
  'events', // the log; `data` is JSON text, copied as the same text
  'ops', // (device, opId): a resent command stays a duplicate
  'idempotency_keys', // a retried ingest call stays one arrival
  // step 2: chat
  'conversations',
  'messages',
  'chat_images', // BLOB → BYTEA
  'member_sessions',
  // step 3: clerks
  'clerks',
  'clerk_sessions',
  // step 4
  'clerk_lockouts',
  // step 5
  'member_login_failures',
  'chat_delivered_scan',
  // step 6 adds columns only (stores.settings, visits.takeovers)
  // step 7
  'member_search_keys',
  // step 8 adds columns only (members.birthday, members.consents)
  // step 9: counter check-ins (4/8)
  'checkins',
  // step 10: member-level notes (4/8 member page)
  'member_notes',
  // step 11 (4/8 part C): holds
  'holds',
  'hold_requests',
  // step 12: follow-up tasks
  'tasks',
  // step 13: style pictures (4/8 part E)
  'style_images', // BLOB → BYTEA
  // step 14: member communities (5/8); the chain's community settings are a meta key
  'groups',
  'group_members',
  'group_messages',
  'group_invites',
  'group_push_counts',
  'group_pushes',
  // step 15: expected visits (5/8)
  'expected_visits',
  // step 16: live launch rooms (6/8)
  'live_rooms',
  'live_questions',
  'live_polls',
  'live_votes',
  'live_lotteries',
  'live_lottery_eligible',
  'live_participants',
  'live_mutes',
  'live_stats',
  'live_viewers',
  'live_node_viewers',
  'live_referrals',
  // step 19: restock matches (7/8 restock)
  'restock_matches',
  'restock_match_members',
  // 7/8 attribution
  'suggestions_shown',
  'suggestion_marks',
  'sale_attributions',
  // step 20: the assistant's hand-overs (7/8 assistant)
  'handovers',
  // step 24: the catalog's counters
  'catalog_versions',
  // step 25 changes an index only (members_home_birthday in place of members_home)
  // step 26 adds a column only (holds.reminded)
];

/** The copy was refused before anything was written; the message says why and what to do. */
export class CopyRefused extends Error {
  override readonly name = 'CopyRefused';
}

export interface CopyOptions {
  log?: (line: string) => void;
  /** Rows per INSERT statement (default 500; fewer when the columns would pass PostgreSQL's 65 535 parameters). */
  batchRows?: number;
}

export interface CopyReport {
  /** SQLite and PostgreSQL schema version. */
  version: number;
  /** Rows copied per table, in copy order. */
  tables: Array<{ table: string; rows: number }>;
  total: number;
}

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMS = 65_535;
/** A batch is also sent once its values reach this size: chat images are up to 2 MiB each. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;

type Kind = 'int' | 'float' | 'text' | 'bytes';
const KINDS: Record<string, Kind> = {
  bigint: 'int',
  integer: 'int',
  smallint: 'int',
  'double precision': 'float',
  real: 'float',
  text: 'text',
  'character varying': 'text',
  bytea: 'bytes',
};

/** Opens HQ's SQLite file read-only (never migrated, never written) and copies it. */
export async function copySqliteFileToPg(path: string, target: PgStore, opts: CopyOptions = {}): Promise<CopyReport> {
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new CopyRefused(`cannot open the SQLite file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('busy_timeout = 5000');
    return await copySqliteToPg(db, target, opts);
  } finally {
    db.close();
  }
}

/**
 * Copies every table of `source` (HQ's SQLite schema) into `target` (an empty, migrated
 * PostgreSQL schema) in one PostgreSQL transaction. Throws CopyRefused, with nothing written,
 * when the versions or tables differ or the target holds data.
 */
export async function copySqliteToPg(source: Database.Database, target: PgStore, opts: CopyOptions = {}): Promise<CopyReport> {
  const log = opts.log ?? (() => undefined);
  const batchRows = Math.max(1, opts.batchRows ?? 500);
  const where = target.schema === null ? 'PostgreSQL' : `PostgreSQL schema ${target.schema}`;

  const client = await target.pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onError);
  let sqliteReading = false;
  try {
    // Versions first: the table check below would otherwise report a version gap as odd tables.
    const sqliteVersion = source.pragma('user_version', { simple: true }) as number;
    const pgVersion = await schemaVersion(client);
    if (sqliteVersion !== pgVersion || pgVersion !== PG_MIGRATIONS.length) throw new CopyRefused(versionMismatch(sqliteVersion, pgVersion, where));

    // Both sides must have exactly the tables and columns this copy knows.
    const sqliteTables = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    const pgTables = (
      await client.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY 1",
      )
    ).rows.map((r) => r.t);
    const known = new Set(COPIED_TABLES);
    const unknown = [...new Set([...sqliteTables, ...pgTables])].filter((t) => !known.has(t));
    if (unknown.length) {
      throw new CopyRefused(
        `table(s) ${unknown.join(', ')} exist but this copy does not know them (a newer migration?): ` +
          'add them to COPIED_TABLES in hq/adapters/postgres/copyFromSqlite.ts rather than leave their rows behind',
      );
    }
    const missing = COPIED_TABLES.filter((t) => !sqliteTables.includes(t) || !pgTables.includes(t)).map(
      (t) => `${t} (${sqliteTables.includes(t) ? `not in ${where}` : 'not in the SQLite file'})`,
    );
    if (missing.length) throw new CopyRefused(`missing table(s): ${missing.join(', ')}`);

    const pgColumns = new Map<string, Map<string, string>>();
    for (const r of (
      await client.query<{ t: string; c: string; type: string }>(
        'SELECT table_name AS t, column_name AS c, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema()',
      )
    ).rows) {
      if (!pgColumns.has(r.t)) pgColumns.set(r.t, new Map());
      pgColumns.get(r.t)!.set(r.c, r.type);
    }
    const plans = COPIED_TABLES.map((table) => {
      const columns = source.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table) as string[];
      const pgTypes = pgColumns.get(table)!;
      const onlySqlite = columns.filter((c) => !pgTypes.has(c));
      const onlyPg = [...pgTypes.keys()].filter((c) => !columns.includes(c));
      if (onlySqlite.length || onlyPg.length) {
        throw new CopyRefused(
          `table ${table} differs: ${[...onlySqlite.map((c) => `column ${c} only in the SQLite file`), ...onlyPg.map((c) => `column ${c} only in ${where}`)].join(', ')}`,
        );
      }
      const kinds = columns.map((c) => {
        const kind = KINDS[pgTypes.get(c)!];
        if (!kind) throw new CopyRefused(`table ${table}: column ${c} has PostgreSQL type ${pgTypes.get(c)}, which this copy does not convert`);
        return kind;
      });
      return { table, columns, kinds };
    });

    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      // No node may write between the emptiness check and the commit; a node holding locks on the
      // target (it is serving from it) makes the copy fail rather than wait for ever.
      await client.query("SET LOCAL lock_timeout = '10s'");
      await client.query(`LOCK TABLE ${COPIED_TABLES.map(quoteIdent).join(', ')} IN EXCLUSIVE MODE`);
      const holding: string[] = [];
      for (const table of COPIED_TABLES) {
        if ((await client.query(`SELECT 1 FROM ${quoteIdent(table)} LIMIT 1`)).rowCount) holding.push(table);
      }
      if (holding.length) {
        throw new CopyRefused(
          `${where} is not empty (rows in ${holding.join(', ')}): copy only into a fresh database or schema, ` +
            'before any HQ node has served from it (pass another --pg-schema, or drop this one)',
        );
      }

      // One view of the whole file, even if an HQ process still has it open (a read transaction:
      // ended in `finally`, there is nothing to commit).
      source.exec('BEGIN');
      sqliteReading = true;
      const counts: CopyReport['tables'] = [];
      for (const plan of plans) {
        const rows = await copyTable(source, client, plan, batchRows);
        const inPg = Number((await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(plan.table)}`)).rows[0]!.n);
        if (inPg !== rows) throw new Error(`table ${plan.table}: ${rows} rows read from SQLite but ${inPg} in ${where}`);
        counts.push({ table: plan.table, rows });
        log(`copied ${plan.table}: ${rows} rows`);
      }
      // An aborted transaction answers COMMIT with ROLLBACK rather than an error.
      if ((await client.query('COMMIT')).command === 'ROLLBACK') throw new Error(`${where} rolled the copy back`);
      // Fresh planner statistics now, rather than whenever autovacuum gets to the new rows.
      await client.query(`ANALYZE ${COPIED_TABLES.map(quoteIdent).join(', ')}`).catch((err: Error) => log(`ANALYZE failed (harmless): ${err.message}`));
      return { version: pgVersion, tables: counts, total: counts.reduce((n, c) => n + c.rows, 0) };
    } catch (err) {
      if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken ??= e));
      throw err;
    }
  } finally {
    if (sqliteReading && source.inTransaction) source.exec('ROLLBACK');
    client.removeListener('error', onError);
    client.release(broken);
  }
}

function versionMismatch(sqliteVersion: number, pgVersion: number, where: string): string {
  if (sqliteVersion === 0) return 'the SQLite file is not an HQ database (schema v0)';
  if (sqliteVersion < pgVersion) {
    return (
      `the SQLite file is at schema v${sqliteVersion} and ${where} at v${pgVersion}: start this HQ once on the file ` +
      `(npm run hq -- --db FILE) so it migrates to v${pgVersion}, stop it, then copy again`
    );
  }
  if (sqliteVersion > SQLITE_MIGRATIONS.length) {
    return `the SQLite file is at schema v${sqliteVersion}, newer than this HQ (v${SQLITE_MIGRATIONS.length}): copy it with the HQ version that wrote it`;
  }
  return `the SQLite file is at schema v${sqliteVersion} but ${where} is at v${pgVersion}; both must be at v${PG_MIGRATIONS.length}`;
}

type Plan = { table: string; columns: string[]; kinds: Kind[] };
/** Streams one table's rows into multi-row INSERTs; returns how many rows it copied. */
async function copyTable(source: Database.Database, client: pg.PoolClient, plan: Plan, batchRows: number): Promise<number> {
  const { table, columns, kinds } = plan;
  const perStatement = Math.max(1, Math.min(batchRows, Math.floor(MAX_PARAMS / columns.length)));
  // Integers as BigInt: an epoch-ms time or a seq arrives exactly, whatever its size.
  const select = source.prepare(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)}`).raw(true).safeIntegers(true);
  const head = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) VALUES `;

  let values: unknown[] = [];
  let rows = 0;
  let bytes = 0;
  let copied = 0;
  const flush = async () => {
    if (rows === 0) return;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
    const done = await client.query(head + tuples.join(', '), values);
    if (done.rowCount !== rows) throw new Error(`table ${table}: inserted ${done.rowCount} of ${rows} rows`);
    copied += rows;
    values = [];
    rows = 0;
    bytes = 0;
  };

  for (const row of select.iterate() as Iterable<unknown[]>) {
    for (let c = 0; c < columns.length; c++) {
      const v = toPg(row[c], kinds[c]!, table, columns[c]!);
      if (typeof v === 'string') bytes += v.length * 3;
      else if (Buffer.isBuffer(v)) bytes += v.length;
      values.push(v);
    }
    rows++;
    if (rows >= perStatement || bytes >= MAX_BATCH_BYTES) await flush();
  }
  await flush();
  return copied;
}

/**
 * One SQLite value as the parameter for its PostgreSQL column. SQLite stores whatever it is given
 * (column affinity is a hint), so a value of the wrong kind is an error naming where it is,
 * never a guess.
 */
function toPg(v: unknown, kind: Kind, table: string, column: string): unknown {
  if (v === null) return null;
  const wrong = (what: string) => new Error(`table ${table}, column ${column}: expected ${what}, found ${Buffer.isBuffer(v) ? 'a BLOB' : `${typeof v} ${String(v).slice(0, 40)}`}`);
  switch (kind) {
    case 'int':
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'number' && Number.isInteger(v)) return String(v);
      throw wrong('an integer');
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return v.toString();
      throw wrong('a number');
    case 'text':
      if (typeof v !== 'string') throw wrong('text');
      // PostgreSQL text cannot hold NUL; say where instead of failing on an opaque encoding error.
      if (v.includes('\0')) throw new Error(`table ${table}, column ${column}: text with a NUL character cannot be stored in PostgreSQL`);
      // The same text: JSON columns (event data above all) go to PostgreSQL byte for byte.
      return v;
    case 'bytes':
      if (Buffer.isBuffer(v)) return v;
      throw wrong('a BLOB');
  }
}
