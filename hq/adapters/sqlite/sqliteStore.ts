// The store port on an embedded SQLite file: HQ's default (`npm start`, `npm run hq`), one node.
//
// A better-sqlite3 transaction cannot span an `await`, and this process has one connection, so
// transactions and read views are serialised: one runs at a time, the others wait their turn in
// arrival order. The engine answers synchronously, so a transaction whose `fn` awaits only the
// store holds the turn for the few microtasks it needs; a caller that awaits something else
// inside (a socket, a timer) would stall every other one, which the port forbids.
import type Database from 'better-sqlite3';
import { type HqStore, type HqTx } from '../../ports/store.ts';
import { createSqliteOps, openSqliteDatabase, type SqliteOps } from './sqliteStorage.ts';

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
}

export function openSqliteStore(path: string): SqliteStore {
  const db = openSqliteDatabase(path);
  const ops: SqliteOps = createSqliteOps(db);

  // One turn at a time: `busy` is handed from one holder straight to the next waiter.
  let busy = false;
  const waiters: Array<() => void> = [];
  let inTurn = false;
  let savepoints = 0;
  const guard = () => {
    if (!inTurn) throw new Error('store operation outside its transaction (the tx object was kept past withTx/read)');
  };
  const tx = asyncOps(ops, guard) as Omit<HqTx, 'savepoint'> as HqTx;
  (tx as { savepoint: HqTx['savepoint'] }).savepoint = async (fn) => {
    guard();
    const name = `sp${++savepoints}`;
    db.exec(`SAVEPOINT ${name}`);
    try {
      const value = await fn();
      db.exec(`RELEASE ${name}`);
      return value;
    } catch (err) {
      if (db.inTransaction) db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw err;
    } finally {
      savepoints--;
    }
  };

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

  async function inTransaction<T>(begin: string, fn: (tx: HqTx) => Promise<T>, readOnly: boolean): Promise<T> {
    return turn(async () => {
      if (!db.open) throw new Error('the store is closed');
      db.exec(begin);
      if (readOnly) db.pragma('query_only = ON');
      inTurn = true;
      try {
        const value = await fn(tx);
        db.exec('COMMIT');
        return value;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        inTurn = false;
        if (readOnly) db.pragma('query_only = OFF');
      }
    });
  }

  return {
    kind: 'sqlite',
    db,
    withTx: (fn) => inTransaction('BEGIN IMMEDIATE', fn, false),
    read: (fn) => inTransaction('BEGIN DEFERRED', fn, true),
    ping: async () => db.open,
    close: () =>
      turn(async () => {
        if (db.open) db.close();
      }),
  };
}
