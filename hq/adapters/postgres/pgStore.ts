// The store port on PostgreSQL (the `pg` driver): a chain's HQ, several stateless nodes on one
// database. Each transaction runs on a pooled connection: `withTx` at READ COMMITTED (the seq
// allocation's row lock on `stores` orders concurrent writers; see pgOps.ts), `read` at
// REPEATABLE READ READ ONLY (one consistent view, writes refused by the server).
//
// A database that cannot be reached (restarting, failing over, refusing connections) surfaces as
// `StoreUnavailable`; the connection that saw the failure is destroyed rather than returned to the
// pool, and idle connections the server dropped are evicted by the pool's own error handler, so
// once PostgreSQL is back the next calls simply work. A transaction that lost a serialization
// race, a deadlock or a unique-key race rolled back entirely, so it is run again from the start a
// few times (see attemptsFor): `fn` must leave nothing behind outside the transaction until it
// resolves.
//
// Unlike SQLite, a statement that fails inside a PostgreSQL transaction aborts all of it. A caller
// that catches a store error and goes on must have wrapped that statement in `tx.savepoint()`;
// otherwise the commit is refused with an error rather than reported as done.
import { createPgGroupOps } from './pgGroups.ts';
import pg from 'pg';
import { type HqStore, type HqTx, StoreUnavailable, type StoredEvent } from '../../ports/store.ts';
import { createPgChatOps } from './pgChat.ts';
import { createPgClerkOps } from './pgClerks.ts';
import { createPgMemberHistoryOps } from './pgMemberHistory.ts';
import { createPgTaskOps } from './pgTasks.ts';
import { createPgHoldOps } from './pgHolds.ts'; // 4/8 part C
import { createPgExpectedOps } from './pgExpected.ts'; // 5/8 expected visits
import { createPgAssistOps } from './pgAssist.ts'; // 7/8 attribution
import { createPgLiveOps } from './pgLive.ts'; // 6/8 live rooms
import { createPgRestockOps } from './pgRestock.ts'; // 7/8 restock
import { createPgHandoverOps } from './pgHandovers.ts'; // 7/8 assistant
import { createPgCheckinOps } from './pgCheckins.ts'; // 4/8 part A
import { createPgStyleImageOps } from './pgStyleImages.ts';
import { BESIDE_DEFERRED, createPgOps, type Exec, type ExecOptions, type Row, visitsInsert } from './pgOps.ts';
import { type ShownSuggestion } from '../../ports/assistStore.ts';
import { HeldWrites, heldEventsStatements } from './heldWrites.ts';
import { migratePg, quoteIdent } from './migrations.ts';

/** The transaction running on a connection: what its closures (connectionTx) read and change. */
interface Turn {
  /** BEGIN with its isolation level, sent with the first statement. */
  begin: string;
  /** The checkout's: set when the connection broke (it is then destroyed, not pooled). */
  state: { broken?: Error };
  /** Until the attempt ends: a statement after that is refused. */
  open: boolean;
  begun: boolean;
  held: HeldWrites;
  /** Store rows this transaction holds locked. */
  locked: Set<string>;
  savepoints: number;
}

interface ConnectionTx {
  turn: Turn | null;
  tx: HqTx;
  query: <R extends Row = Row>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
  sendHeld: () => Promise<void> | null;
  afterHeld: <T>(held: Promise<void> | null, running: Promise<T>) => Promise<T>;
}

/** The parts of a transaction reached by name (`tx.chat`, `tx.expected`, …). */
type PgAreas = Pick<HqTx, 'chat' | 'clerks' | 'memberHistory' | 'tasks' | 'holds' | 'checkins' | 'styleImages' | 'groups' | 'expected' | 'assist' | 'live' | 'restock' | 'handovers'>;

/**
 * An object whose every part is made on first use. A connection's areas are 150 closures in all, and
 * most connections use a few of them.
 */
function lazyAreas<T extends object>(makers: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(makers) as (keyof T)[]) {
    let made: T[keyof T] | undefined;
    Object.defineProperty(out, key, { enumerable: true, get: () => (made ??= makers[key]()) });
  }
  return out;
}

export interface PgStoreOptions {
  /** Keep HQ's tables in this schema (created when missing) instead of the search_path's default. */
  schema?: string;
  /** Connections per node (default DEFAULT_POOL_SIZE). */
  poolSize?: number;
  /** Names the connections in pg_stat_activity (`footfall-hq/<node>`), so a DBA can tell the nodes apart. */
  nodeId?: string;
  log?: (line: string) => void;
}

export interface PgStore extends HqStore {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  /** The schema HQ's tables live in, or null for the connection's default search_path. */
  readonly schema: string | null;
}

const INT8_OID = 20;

/**
 * BIGINT columns (epoch-ms times, seqs, counts) come back as JS numbers, as SQLite returns them;
 * the values HQ stores stay far below 2^53. Per pool, so other users of `pg` are not affected.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Node socket errors that mean the server is not reachable right now. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** Driver and pool messages for a connection that died or could not be made in time. */
const DRIVER_MESSAGES = /Connection terminated|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect|terminating connection|the database system is (starting up|shutting down|in recovery)/i;

/** Whether `err` says the database cannot be reached (as opposed to a wrong query or a constraint). */
export function isConnectionError(err: unknown): boolean {
  if (err instanceof StoreUnavailable) return true;
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code)) return true;
    // SQLSTATE: 08xxx connection exception, 57P01 admin shutdown, 57P02 crash shutdown,
    // 57P03 cannot connect now, 53300 too many connections.
    if (/^08[0-9A-Z]{3}$/.test(e.code) || e.code === '57P01' || e.code === '57P02' || e.code === '57P03' || e.code === '53300') return true;
  }
  // Node reports a failed connect to every address of a name (localhost: ::1 and 127.0.0.1) as one AggregateError.
  if (Array.isArray(e.errors) && e.errors.some(isConnectionError)) return true;
  return typeof e.message === 'string' && DRIVER_MESSAGES.test(e.message);
}

/** Connection failures become `StoreUnavailable` (the edges answer 503); anything else is left as is. */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailable || !isConnectionError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StoreUnavailable(`database unavailable: ${message}`, { cause: err });
}

/**
 * How many times in all a transaction runs when it failed with this SQLSTATE, which rolled it
 * back entirely: a serialization failure or a deadlock (40001, 40P01) — and a unique violation
 * (23505). SQLite runs transactions one at a time, so a read-then-insert (an op row after
 * `getOp()` found none, a chat message numbered after the conversation's last) never races; at
 * READ COMMITTED another node may commit the same key in between. Run again, the transaction sees
 * that row and does what it would have done after it (answers "duplicate", takes the next
 * number). A key that already existed fails the same way every time, after a couple of quick runs.
 */
const attemptsFor = (err: unknown): number => {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '40001' || code === '40P01') return 5;
  if (code === '23505') return 3;
  return 1;
};

/** Marks a failure of BEGIN itself: nothing ran, so another connection may simply be tried. */
const AT_BEGIN = Symbol('failed at BEGIN');
type MaybeAtBegin = { [AT_BEGIN]?: boolean };
/**
 * `lockStores`: the stores' rows locked in id order (bytewise), so that two transactions locking
 * some of the same stores — two arrival batches on two nodes — cannot deadlock. Each id is looked up
 * by itself through the primary key, the nested loop handing them over sorted: as one
 * `WHERE id = ANY($1) ORDER BY id FOR UPDATE`, the planner scanned every store and compared each
 * with every id asked for (a chain's few hundred stores are a small table), per batch.
 */
export const LOCK_STORES = `SELECT s.id, s.head, s.epoch
  FROM (SELECT DISTINCT id COLLATE "C" AS id FROM unnest($1::text[]) AS u(id) ORDER BY 1) u
  CROSS JOIN LATERAL (SELECT id, head, epoch FROM stores WHERE id = u.id FOR UPDATE) s`;

/** How many distinct statement texts are prepared by name (HQ has a few hundred). */
const STATEMENT_NAMES = 2_000;

/**
 * Once every statement has been answered, the first failure in the order they were sent, if any:
 * nothing is thrown while a statement of the transaction may still be running.
 */
async function allWritten(sent: readonly Promise<unknown>[]): Promise<void> {
  for (const s of await Promise.allSettled(sent)) if (s.status === 'rejected') throw s.reason;
}
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Connections a node holds at most unless told (`--pg-pool`), and the most it may be told: PostgreSQL's max_connections is shared by every node of the chain. */
export const DEFAULT_POOL_SIZE = 10;
export const MAX_POOL_SIZE = 100;
export const isPoolSize = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_POOL_SIZE;

/** `footfall-hq/<node>` in PostgreSQL's 63 bytes of application_name, printable ASCII only (what the server keeps). */
export function applicationName(nodeId: string | undefined): string {
  const node = (nodeId ?? '').replace(/[^\x20-\x7e]/g, '?');
  return (node ? `footfall-hq/${node}` : 'footfall-hq').slice(0, 63);
}

export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  const log = opts.log ?? (() => undefined);
  const schema = opts.schema ?? null;
  if (schema !== null && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  if (opts.poolSize !== undefined && !isPoolSize(opts.poolSize)) {
    throw new Error(`invalid pool size ${JSON.stringify(opts.poolSize)}: a whole number from 1 to ${MAX_POOL_SIZE}`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? DEFAULT_POOL_SIZE,
    // A node keeps the connections it opened, idle or not (they are within its share of the
    // server's max_connections either way). Closed after 30 s idle, as they were, every burst after
    // a quiet spell paid for new backends — a fork, the catalog caches warmed again, every named
    // statement prepared again — which the peers bench saw as 8 % more CPU per delivered event on
    // the PostgreSQL node and a third more CPU idle (docs/benchmarks.md, round 27). A connection
    // the server drops is still evicted (the 'error' handler below) and opened again on demand.
    // (0 turns the pool's idle close off altogether: no `min` is needed to keep them.)
    idleTimeoutMillis: 0,
    // A server that does not answer at all (a dead host) must not hang requests: fail over to 503.
    connectionTimeoutMillis: 5_000,
    // A node that hangs inside a transaction would hold its stores' seq row locks and stall every
    // writer of those stores on every node; the server ends such a session instead.
    idle_in_transaction_session_timeout: 60_000,
    types: TYPES,
    application_name: applicationName(opts.nodeId),
    // A query is written without waiting for the one before it to be answered: a transaction's
    // BEGIN goes out in one write with its first statement (see `attempt`). HQ itself still awaits
    // each statement before the next.
    pipeline: true,
    // Every pooled connection starts with the schema on its search_path (no per-checkout SET).
    ...(schema === null ? {} : { options: `-c search_path=${quoteIdent(schema)}` }),
  });
  // An idle connection the server dropped (restart, failover) is reported here; the pool has
  // already discarded it. Unhandled, the event would kill the process.
  pool.on('error', (err) => log(`postgres: idle connection lost (${err.message}); the pool opens a new one when needed`));
  // And a listener for the whole life of every connection: between a checkout's own listener and
  // the pool's idle one (or after a broken client is destroyed) the server's "terminating
  // connection" must still land somewhere rather than be thrown as an uncaught 'error'.
  pool.on('connect', (client) => client.on('error', () => undefined));

  let closed = false;
  const connect = async (): Promise<pg.PoolClient> => {
    if (closed) throw new Error('the store is closed');
    try {
      return await pool.connect();
    } catch (err) {
      throw toStoreError(err);
    }
  };

  /**
   * Checks out a connection for `use` and gives it back — destroyed, not pooled, when it broke.
   * While we hold a connection nobody else listens for its errors: a socket dying between two
   * queries must not become an uncaught 'error' event that kills the process.
   */
  const withClient = async <T>(use: (client: pg.PoolClient, state: { broken?: Error }) => Promise<T>): Promise<T> => {
    const client = await connect();
    const state: { broken?: Error } = {};
    const onError = (err: Error) => {
      state.broken ??= err;
      log(`postgres: connection lost while in use (${err.message})`);
    };
    client.on('error', onError);
    try {
      return await use(client, state);
    } catch (err) {
      if (isConnectionError(err)) state.broken ??= err as Error;
      throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(state.broken);
    }
  };

  // Migrate once, before the first transaction (several nodes starting together serialise on the advisory lock).
  try {
    await withClient((client) => migratePg(client, { schema, log }));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw toStoreError(err);
  }

  /**
   * Statements with parameters run as named prepared statements: each connection parses and plans
   * a text once instead of on every call (measured: the backend's CPU per statement 68 → 31 µs).
   * Names are handed out per text; texts built on the fly (IN lists of varying length) past the
   * first STATEMENT_NAMES stay unnamed, so a connection's prepared set stays bounded.
   */
  const names = new Map<string, string>();
  const statementName = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < STATEMENT_NAMES) names.set(text, (name = `ff${names.size}`));
    return name;
  };

  /**
   * What a pooled connection keeps from one transaction to the next: its tx object, with the
   * closures behind it, made on its first transaction (connectionTx). A transaction's ~150
   * closures made afresh every time (30–40 µs each time, esbuild's name helper included) were
   * most of the 65 KB by which a single arrival's garbage dropped, 225 → 160 KB (round 16 of
   * docs/benchmarks.md). The connection runs one transaction at a time (withClient), so the
   * closures read the running one's state from `turn`, which every attempt replaces.
   */
  const connections = new WeakMap<pg.PoolClient, ConnectionTx>();

  /**
   * One attempt: a pooled connection, BEGIN, `fn`, COMMIT (or ROLLBACK). BEGIN is no round trip of
   * its own: it is written in one write with the transaction's first statement (the connection is
   * pipelined, and the server runs them in order), and a transaction that ran no statement sends
   * neither BEGIN nor COMMIT. A single arrival was ten round trips, a one-statement read view three.
   */
  const attempt = <T>(begin: string, fn: (tx: HqTx) => Promise<T>): Promise<T> =>
    withClient(async (client, state) => {
      let c = connections.get(client);
      if (!c) connections.set(client, (c = connectionTx(client)));
      const turn: Turn = { begin, state, open: true, begun: false, held: new HeldWrites(), locked: new Set(), savepoints: 0 };
      c.turn = turn;
      try {
        const value = await fn(c.tx);
        if (!turn.begun && turn.held.empty) return value; // no statement ran: there is no transaction to commit
        // A failing INSERT of what was held makes COMMIT answer ROLLBACK: its own error is the one told.
        const done = await c.afterHeld(c.sendHeld(), c.query('COMMIT'));
        // PostgreSQL answers COMMIT of a transaction that an error aborted (one `fn` caught and
        // went on from) with ROLLBACK, not an error: nothing was written, so the caller must know.
        if (done.command === 'ROLLBACK') {
          throw new Error('the transaction was rolled back: a statement in it failed (wrap statements whose failure is handled in tx.savepoint)');
        }
        return value;
      } catch (err) {
        if (turn.begun && !state.broken) {
          await client.query('ROLLBACK').catch((e: unknown) => {
            state.broken = e instanceof Error ? e : new Error(String(e));
          });
        }
        throw toStoreError(err);
      } finally {
        turn.open = false;
      }
    });

  /** A connection's tx object and the closures it runs through; `turn` is the transaction running on it. */
  function connectionTx(client: pg.PoolClient): ConnectionTx {
    // A tx object kept past its transaction finds it closed — or, as on SQLite, finds the next one
    // running on its connection: the port forbids keeping it (hq/ports/store.ts).
    const c = { turn: null as Turn | null } as ConnectionTx;
    const current = (): Turn => {
      const turn = c.turn;
      if (!turn?.open) throw new Error('store operation outside its transaction (the tx object was kept past withTx/read)');
      return turn;
    };
    // Statements issued in one turn of the event loop go out in one write: the first corks the
    // socket and the uncork waits for the turn's promise continuations to run (process.nextTick
    // runs after them). A single arrival issues its store lock, key and member, its profile's
    // reads and expectations, its cards and COMMIT that way — a write each was ~80 µs of
    // syscall on a slow box, and the server reads them in one go. Nothing waits on an answer
    // inside the turn, so holding the write to its end delays no statement.
    const stream = (client as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
    let corked = false;
    const uncork = () => {
      corked = false;
      stream.uncork();
    };
    const query = async <R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> => {
      if (!corked) {
        corked = true;
        stream.cork();
        process.nextTick(uncork);
      }
      try {
        return await client.query<R>(values === undefined ? text : { name: statementName(text), text, values });
      } catch (err) {
        if (isConnectionError(err) && c.turn) c.turn.state.broken ??= err as Error;
        throw toStoreError(err);
      }
    };
    /** BEGIN and the first statement in one write; BEGIN's failure is the one thrown (nothing ran). */
    const beginWith = async <R extends Row>(turn: Turn, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> => {
      turn.begun = true;
      const began = query(turn.begin);
      const first = query<R>(text, values);
      first.catch(() => undefined); // when BEGIN failed, so did this: BEGIN's error is thrown below
      try {
        await began;
      } catch (err) {
        if (err instanceof StoreUnavailable) (err as MaybeAtBegin)[AT_BEGIN] = true;
        throw err;
      }
      return first;
    };
    // New visits, a store's events (once its head is known under its lock) and a card's
    // suggestions shown are held back and written together: one INSERT each for a whole batch
    // instead of one per arrival, and a single arrival's go out with its COMMIT. heldWrites.ts states when that is
    // the same as writing them at once; any statement not marked `besideDeferred` — a read of
    // them, a SAVEPOINT or its RELEASE, COMMIT — sends what is held first, in the same write.
    // The assist area's own statements: what is held is sent through them, and `tx.assist` wraps them.
    let assistOps: ReturnType<typeof createPgAssistOps> | undefined;
    const assistStatements = () => (assistOps ??= createPgAssistOps(exec));
    const sendEvents = async (events: StoredEvent[]): Promise<void> => {
      // Issued together (one write); each moves the heads of its own events, in order.
      const sent = heldEventsStatements(events).map(async ({ text, values, stores }) => {
        const moved = await exec(text, values, BESIDE_DEFERRED);
        // The lock was held since the head was read: a head elsewhere means a slip, never to be committed.
        if (moved.rowCount !== stores) throw new Error(`held events: ${stores - moved.rowCount} store head(s) moved under the transaction's lock`);
      });
      await allWritten(sent);
    };
    const sendHeld = (): Promise<void> | null => {
      const held = current().held;
      if (held.empty) return null;
      const { visits, events, shown } = held.take();
      const sends: Promise<unknown>[] = [];
      if (visits.length) {
        const { text, values } = visitsInsert(visits);
        sends.push(exec(text, values, BESIDE_DEFERRED));
      }
      if (events.length) sends.push(sendEvents(events));
      if (shown.length) sends.push(assistStatements().putShown(shown));
      return allWritten(sends);
    };
    /** `running`'s answer once what was held (sent just before it) is written; the held INSERT's failure is the one thrown. */
    const afterHeld = async <T>(held: Promise<void> | null, running: Promise<T>): Promise<T> => {
      if (!held) return running;
      await allWritten([held, running]);
      return running;
    };
    const exec: Exec = async <R extends Row = Row>(text: string, values?: unknown[], opts?: ExecOptions) => {
      const turn = current();
      // Issued before this statement (the connection runs them in order).
      const sent = opts?.besideDeferred ? null : sendHeld();
      const r = await afterHeld(sent, turn.begun ? query<R>(text, values) : beginWith<R>(turn, text, values));
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    };
    const ops = createPgOps(exec);
    // The areas are made when first used (lazyAreas), once per connection.
    const areas = lazyAreas<PgAreas>({
      chat: () => createPgChatOps(exec),
      clerks: () => createPgClerkOps(exec),
      memberHistory: () => createPgMemberHistoryOps(exec),
      tasks: () => createPgTaskOps(exec),
      holds: () => createPgHoldOps(exec), // 4/8 part C
      checkins: () => createPgCheckinOps(exec), // 4/8 part A
      styleImages: () => createPgStyleImageOps(exec),
      groups: () => createPgGroupOps(exec), // 5/8
      expected: () => createPgExpectedOps(exec), // 5/8 expected visits
      assist: () => ({
        ...assistStatements(), // 7/8 attribution
        putShown: async (rows: readonly ShownSuggestion[]) => {
          current().held.holdShown(rows);
        },
      }),
      live: () => createPgLiveOps(exec), // 6/8 live rooms
      restock: () => createPgRestockOps(exec), // 7/8 restock
      handovers: () => createPgHandoverOps(exec), // 7/8 assistant
    });
    const own: Omit<HqTx, keyof PgAreas> = {
      ...ops,
      // The counter row appendEvent increments, locked first (it serialises the store's writers on
      // every node) and read with its lock: its head lets this transaction's events of the
      // store be held (heldWrites.ts). Store rows this transaction holds locked (`lockStore`, or
      // the counter UPDATE of `appendEvent`) are in `turn.locked`: taking one again is a round
      // trip that changes nothing, so it is skipped. The statement touches no held row (it reads a
      // store with nothing held, or it would have been skipped as locked).
      lockStore: async (storeId) => {
        const turn = current();
        if (turn.locked.has(storeId)) return true;
        const row = (await exec<{ head: number; epoch: string }>('SELECT head, epoch FROM stores WHERE id = $1 FOR UPDATE', [storeId], BESIDE_DEFERRED)).rows[0];
        if (!row) return false;
        turn.locked.add(storeId);
        turn.held.locked(storeId, row.head, row.epoch);
        return true;
      },
      lockStores: async (storeIds) => {
        const turn = current();
        const wanted = [...new Set(storeIds.filter((id) => !turn.locked.has(id)))];
        if (wanted.length) {
          const rows = await exec<{ id: string; head: number; epoch: string }>(
            LOCK_STORES,
            [wanted],
            BESIDE_DEFERRED,
          );
          for (const row of rows.rows) {
            turn.locked.add(row.id);
            turn.held.locked(row.id, row.head, row.epoch);
          }
        }
        return new Set(storeIds.filter((id) => turn.locked.has(id)));
      },
      // A new visit is held (heldWrites.ts): whatever reads visits sends it first.
      insertVisit: async (visit) => {
        current().held.holdVisit(visit);
      },
      appendEvent: async (storeId, ev) => {
        const turn = current();
        const heldEvent = turn.held.append(storeId, ev);
        if (heldEvent) return heldEvent;
        const stored = await ops.appendEvent(storeId, ev);
        turn.locked.add(storeId);
        return stored;
      },
      rotateEpoch: async (storeId, epoch) => {
        const turn = current();
        await ops.rotateEpoch(storeId, epoch);
        turn.held.forget(storeId);
      },
      savepoint: async <R>(inner: () => Promise<R>): Promise<R> => {
        const turn = current();
        const name = `sp${++turn.savepoints}`;
        const lockedBefore = new Set(turn.locked);
        const heldBefore = turn.held.mark();
        await exec(`SAVEPOINT ${name}`);
        try {
          const value = await inner();
          await exec(`RELEASE SAVEPOINT ${name}`);
          return value;
        } catch (err) {
          // A savepoint rolled back releases the locks taken inside it, and forgets them here too.
          turn.locked = lockedBefore;
          turn.held.rollbackTo(heldBefore);
          // A connection that died has no savepoint left to return to: the whole transaction is gone.
          if (!turn.state.broken) await exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
          throw err;
        } finally {
          turn.savepoints--;
        }
      },
    };
    c.tx = Object.assign(areas, own);
    c.query = query;
    c.sendHeld = sendHeld;
    c.afterHeld = afterHeld;
    return c;
  }

  /** How many pooled connections may turn out dead at BEGIN in a row before the store says so. */
  const staleLimit = (opts.poolSize ?? DEFAULT_POOL_SIZE) + 1;

  async function run<T>(begin: string, fn: (tx: HqTx) => Promise<T>): Promise<T> {
    let staleRetries = 0;
    for (let n = 1; ; n++) {
      try {
        return await attempt(begin, fn);
      } catch (err) {
        // A pooled connection the server dropped while it sat idle (a restart, an admin's
        // termination) fails at BEGIN when its error event has not arrived yet. Nothing ran on it,
        // and it is destroyed now, so the transaction goes to another — as often as the pool may
        // hold such connections (after a restart every idle one is), then a new one is made; a
        // database that is really gone fails at connect and is said at once. Said in the log as
        // the pool says a dropped idle connection it sees first (which of the two sees it is a race).
        if (err instanceof StoreUnavailable && (err as MaybeAtBegin)[AT_BEGIN] && staleRetries < staleLimit) {
          staleRetries++;
          log(`postgres: a pooled connection was lost while idle (${err.message}); the transaction goes to another`);
          continue;
        }
        if (n >= attemptsFor(err)) throw err;
        log(`postgres: transaction retried after ${(err as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * n));
      }
    }
  }

  return {
    kind: 'postgres',
    readAhead: true,
    serialWrites: false,
    pool,
    schema,
    withTx: (fn) => run('BEGIN ISOLATION LEVEL READ COMMITTED', fn),
    read: (fn) => run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn),
    ping: async () => {
      const timeoutMs = 2_000;
      let timer: NodeJS.Timeout | undefined;
      const answered = withClient(async (client, state) => {
        try {
          await client.query({ text: 'SELECT 1', query_timeout: timeoutMs } as pg.QueryConfig);
          return true;
        } catch (err) {
          // A timed-out SELECT is still running on that connection: do not pool it.
          state.broken = err as Error;
          throw err;
        }
      }).catch(() => false);
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([answered, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
