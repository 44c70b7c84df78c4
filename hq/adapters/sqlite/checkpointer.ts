// The SQLite store's WAL checkpoints, off the event loop: HQ's connection stops checkpointing in
// COMMIT (wal_autocheckpoint = 0) and a worker thread with a connection of its own to the same file
// runs `PRAGMA wal_checkpoint(PASSIVE)` every CHECKPOINT_EVERY_MS, and `TRUNCATE` once the WAL has
// been idle (nothing new) for IDLE_TRUNCATE_MS, so an idle node's WAL file shrinks again.
//
// Why: with the default autocheckpoint, the COMMIT that pushes the WAL past 1,000 pages copies them
// into the database file and fsyncs it, on the event loop (the capacity window's profile: about
// half of better-sqlite3's `exec`). Turning autocheckpoint off alone made the WAL grow without end
// and every statement slower. The checkpoint here is the same work, moved: synchronous=NORMAL
// stays on both connections, a PASSIVE checkpoint never blocks HQ's writer or readers (it copies
// what no reader still needs and leaves the rest for the next run), and TRUNCATE runs with no busy
// wait (busy_timeout 0), so if HQ writes at that moment it gives up rather than hold HQ's lock.
//
// The worker never keeps the process alive (unref), stops with the store (`stop()` waits for its
// connection to close), and if it dies HQ's connection checkpoints in COMMIT again as before.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints what HQ committed since the last run. */
export const CHECKPOINT_EVERY_MS = 250;
/** After this long with nothing new in the WAL, the worker truncates it (once per idle spell). */
export const IDLE_TRUNCATE_MS = 5_000;
/** SQLite's default, restored on HQ's connection if the worker stops unexpectedly. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface Checkpointer {
  /** Stops the worker and closes its connection; resolves once it has exited. */
  stop(): Promise<void>;
  /** Checkpoints run so far, and the last one's result (for tests and the bench). */
  stats(): Promise<CheckpointStats>;
}

export interface CheckpointStats {
  runs: number;
  truncates: number;
  /** The last PASSIVE run: frames in the WAL, and how many of them are in the database file. */
  log: number;
  checkpointed: number;
}

export interface CheckpointerOptions {
  everyMs?: number;
  idleTruncateMs?: number;
}

// Plain JavaScript, run as the worker's script (eval: no TypeScript loader needed in the thread),
// written to run as a CommonJS or an ES module alike (the thread may inherit --input-type).
const WORKER = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const load = process.getBuiltinModule('node:module').createRequire(workerData.driver);
const Database = load(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// Never wait on HQ's locks: a checkpoint that finds them taken does what it can and returns.
db.pragma('busy_timeout = 0');
db.pragma('synchronous = NORMAL');
const stats = { runs: 0, truncates: 0, log: 0, checkpointed: 0 };
let lastLog = -1;
let quietSince = Date.now();
let truncated = false;
function checkpoint(mode) {
  const [r] = db.pragma('wal_checkpoint(' + mode + ')');
  return r;
}
/** One run; answers whether the WAL had anything new since the last. */
function tick() {
  try {
    const r = checkpoint('PASSIVE');
    stats.runs++;
    stats.log = r.log;
    stats.checkpointed = r.checkpointed;
    const now = Date.now();
    if (r.log !== lastLog) {
      lastLog = r.log;
      quietSince = now;
      truncated = false;
      return true;
    }
    if (!truncated && r.log > 0 && r.checkpointed === r.log && now - quietSince >= workerData.idleTruncateMs) {
      const t = checkpoint('TRUNCATE');
      if (t.busy === 0) {
        stats.truncates++;
        truncated = true;
        lastLog = 0;
      }
    }
  } catch (err) {
    // SQLITE_BUSY and the like: the next run tries again.
    if (!(err && err.code && String(err.code).startsWith('SQLITE_BUSY'))) throw err;
  }
  return false;
}
// While nothing new comes, runs slow down to a quarter of the rate (an idle node's CPU).
let timer = null;
function schedule(busy) {
  timer = setTimeout(() => schedule(tick()), busy ? workerData.everyMs : workerData.everyMs * 4);
}
schedule(true);
parentPort.on('message', (m) => {
  if (m === 'stats') parentPort.postMessage({ stats });
  else if (m === 'stop') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Moves `db`'s WAL checkpoints to a worker thread. Null (nothing changed) for an in-memory or
 * temporary database, which another connection cannot open.
 */
export function startCheckpointer(db: Database.Database, path: string, options: CheckpointerOptions = {}): Checkpointer | null {
  if (db.memory || path === '' || path === ':memory:') return null;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    // None of the process's flags (a TypeScript loader, --input-type): the script is plain JS.
    execArgv: [],
    workerData: { driver, path, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS, idleTruncateMs: options.idleTruncateMs ?? IDLE_TRUNCATE_MS },
  });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');

  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // Died (its file removed, an engine error): HQ's own connection checkpoints again, as before.
  const fallBack = () => {
    if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);

  return {
    async stop() {
      if (!stopping) {
        stopping = true;
        // Held while it stops: an unref'd worker would not keep the event loop alive for its exit,
        // and a process whose last task is `await store.close()` would end with that await
        // unsettled (a CLI's top-level await: exit code 13).
        worker.ref();
        worker.postMessage('stop');
        // A worker stuck in a long checkpoint is not waited for beyond this.
        const timeout = setTimeout(() => void worker.terminate(), 5_000);
        timeout.unref();
        await exited;
        clearTimeout(timeout);
      }
      await exited;
    },
    stats: () =>
      new Promise<CheckpointStats>((resolve, reject) => {
        if (stopping) return reject(new Error('the checkpointer is stopped'));
        const onMessage = (m: { stats?: CheckpointStats }) => {
          if (!m.stats) return;
          worker.off('message', onMessage);
          resolve(m.stats);
        };
        worker.on('message', onMessage);
        worker.postMessage('stats');
      }),
  };
}
