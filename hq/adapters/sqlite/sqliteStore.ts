// The store port on an embedded SQLite file: HQ's default (`npm start`, `npm run hq`), one node.
//
// A better-sqlite3 transaction cannot span an `await`, and this process has one connection, so
// transactions and read views are serialised: one runs at a time, the others wait their turn in
// arrival order. The engine answers synchronously, so a transaction whose `fn` awaits only the
// store holds the turn for the few microtasks it needs; a caller that awaits something else
// inside (a socket, a timer) would stall every other one, which the port forbids.
import type Database from 'better-sqlite3';
import { type HqStore, type HqTx } from '../../ports/store.ts';
import { createSqliteOps, openSqliteDatabase, openSqliteReader, type SqliteOps } from './sqliteStorage.ts';
import { startWalCheckpointer, type WalCheckpointer } from '../../../shared/node/walCheckpointer.ts';

/** Puts the engine's answers back into promises; a throw becomes a rejection. */
function asyncOps<T extends object>(ops: T, guard: () => void): unknown {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ops)) {
    if (typeof value === 'function') {
      const fn = value as (...a: unknown[]) => unknown;
      out[name] = (...args: unknown[]) => {
        try {
          guard();
          return Promise.resolve(fn(...args));
        } catch (err) {
          return Promise.reject(err);
        }
      };
    } else if (value && typeof value === 'object') {
      out[name] = asyncOps(value, guard);
    }
  }
  return out;
}

export interface SqliteStore extends HqStore {
  /** The connection, for the admin CLI's copy to PostgreSQL and for tests that break the file. */
  readonly db: Database.Database;
  /** The WAL's checkpoints on their own thread (shared/node/walCheckpointer.ts); null for an in-memory database. */
  readonly checkpointer: WalCheckpointer | null;
}

export interface SqliteStoreOptions {
  /** Where the adapter says what went wrong outside a caller's request (the checkpoint thread). */
  log?: (line: string) => void;
}

/** One connection's transaction statements, prepared once, and the port's tx object over its ops. */
interface Session {
  db: Database.Database;
  tx: HqTx;
  begin: Database.Statement;
  commit: Database.Statement;
  rollback: Database.Statement;
}

function session(db: Database.Database, ops: SqliteOps, begin: string, guard: () => void): Session {
  // Savepoints are named by depth (sp1 inside a transaction, sp2 inside sp1, …), so one set of
  // statements per depth serves every transaction.
  type SavepointSql = { open: Database.Statement; release: Database.Statement; rollbackTo: Database.Statement };
  const savepointSql: SavepointSql[] = [];
  const savepointAt = (depth: number): SavepointSql =>
    (savepointSql[depth] ??= {
      open: db.prepare(`SAVEPOINT sp${depth}`),
      release: db.prepare(`RELEASE sp${depth}`),
      rollbackTo: db.prepare(`ROLLBACK TO sp${depth}`),
    });
  let depth = 0;
  const tx = asyncOps(ops, guard) as Omit<HqTx, 'savepoint'> as HqTx;
  (tx as { savepoint: HqTx['savepoint'] }).savepoint = async (fn) => {
    guard();
    const sp = savepointAt(++depth);
    sp.open.run();
    try {
      const value = await fn();
      sp.release.run();
      return value;
    } catch (err) {
      if (db.inTransaction) {
        sp.rollbackTo.run();
        sp.release.run();
      }
      throw err;
    } finally {
      depth--;
    }
  };
  return { db, tx, begin: db.prepare(begin), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
}

export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const db = openSqliteDatabase(path);
  // Read views run on a second connection to the same file, opened read-only: the engine refuses
  // any write there, which is the read views' guarantee. They used to run on the one connection
  // between `PRAGMA query_only = ON` and `OFF`; that pragma takes effect when compiled (so it cannot
  // be prepared once) and expires every prepared statement of the connection, so after each read
  // view every statement was compiled again on its next use. A second connection sees exactly what
  // the first has committed (WAL), and transactions and read views still take turns, so a read view
  // sees the same state as before. An in-memory database cannot be opened twice: it keeps the pragma.
  let reader: Database.Database | null = null;
  try {
    reader = openSqliteReader(db, path);
  } catch (err) {
    if (reader?.open) reader.close();
    db.close();
    throw err;
  }

  // A file's checkpoints run on a thread of their own, off the event loop (shared/node/walCheckpointer.ts),
  // which also starts the WAL again after a pass that copied every frame, so that the next arrival's
  // COMMIT appends instead of writing and fsyncing a new WAL header on the event loop — at a few
  // arrivals a second, nearly every one (docs/benchmarks.md, round 47). That needs every write
  // transaction to take the lock at BEGIN: the writer's session is IMMEDIATE (below); read views run
  // on the read-only connection.
  let checkpointer: WalCheckpointer | null = null;
  if (reader) {
    try {
      checkpointer = startWalCheckpointer(db, path, opts.log ?? ((line) => console.error(line)), { restartOnThread: true });
    } catch (err) {
      reader.close();
      db.close();
      throw err;
    }
  }

  // One turn at a time: `busy` is handed from one holder straight to the next waiter.
  let busy = false;
  const waiters: Array<() => void> = [];
  let inTurn = false;
  const guard = () => {
    if (!inTurn) throw new Error('store operation outside its transaction (the tx object was kept past withTx/read)');
  };
  // BEGIN, COMMIT and ROLLBACK as statements prepared once: `db.exec` compiles its SQL on every
  // call, and every arrival batch, ack slice and read view runs two or three of them.
  const ops: SqliteOps = createSqliteOps(db);
  const writer = session(db, ops, 'BEGIN IMMEDIATE', guard);
  const readerSession = reader ? session(reader, createSqliteOps(reader), 'BEGIN DEFERRED', guard) : session(db, ops, 'BEGIN DEFERRED', guard);

  async function turn<T>(run: () => Promise<T>): Promise<T> {
    if (busy) await new Promise<void>((resolve) => waiters.push(resolve));
    busy = true;
    try {
      return await run();
    } finally {
      const next = waiters.shift();
      if (next) next();
      else busy = false;
    }
  }

  async function inTransaction<T>(s: Session, fn: (tx: HqTx) => Promise<T>, readOnly: boolean): Promise<T> {
    return turn(async () => {
      if (!db.open) throw new Error('the store is closed');
      if (!readOnly && checkpointer) {
        const pass = checkpointer.beforeWrite();
        if (pass) await pass;
      }
      s.begin.run();
      // On the one connection of an in-memory database, the engine refuses writes by the pragma.
      const pragma = readOnly && !reader;
      if (pragma) db.pragma('query_only = ON');
      inTurn = true;
      try {
        const value = await fn(s.tx);
        s.commit.run();
        if (!readOnly) checkpointer?.committed();
        return value;
      } catch (err) {
        if (s.db.inTransaction) s.rollback.run();
        throw err;
      } finally {
        inTurn = false;
        if (pragma) db.pragma('query_only = OFF');
      }
    });
  }

  return {
    kind: 'sqlite',
    readAhead: false,
    serialWrites: true,
    db,
    checkpointer,
    withTx: (fn) => inTransaction(writer, fn, false),
    read: (fn) => inTransaction(readerSession, fn, true),
    ping: async () => db.open,
    close: () =>
      turn(async () => {
        // The checkpoint thread and the reader first: the last connection to close checkpoints
        // the WAL into the file and removes it.
        await checkpointer?.close();
        if (reader?.open) reader.close();
        if (db.open) db.close();
      }),
  };
}
