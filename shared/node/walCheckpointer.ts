// A SQLite file's WAL checkpoints, on a thread of their own: HQ's SQLite store and the desk's cache
// (hq/adapters/sqlite/sqliteStore.ts, electron/desk/cache/queries.ts) both run them so.
//
// Invariant: while the checkpointer runs, the writer connection checkpoints inside its COMMIT only
// as a safety net, when the WAL holds NET_FRAMES (the thread fell far behind: a burst while it
// started, a slow disk). A connection on a worker thread copies the committed frames
// into the database file a little after commits (PASSIVE: it never waits for, or blocks, the writer
// or a reader). Once a pass finds RESTART_FRAMES frames in the WAL, one more pass runs at once
// while writes go on (the closing pass), and then the next write transaction first waits for a
// pass, so that its BEGIN finds every frame copied and SQLite starts the WAL again from the top;
// without that, a steady stream of writes would keep a frame uncopied at every BEGIN and the file
// would grow for ever. If the thread fails, the writer checkpoints in COMMIT again, at the
// threshold it ran with before (`fallbackFrames`: SQLite's default for HQ, the cache's own 4,000 for a
// desk). Durability is SQLite's own: a checkpoint copies only committed frames
// and syncs the WAL before and the file after, whichever connection runs it.
//
// `restartOnThread` (the desk's cache and HQ's store): the thread also starts the WAL again from
// the top after a pass that copied every frame, so the writer's COMMITs append to it. SQLite
// restarts the WAL in the first COMMIT that finds every frame copied, and that COMMIT writes the
// WAL's new header and fsyncs it (the header must be on disk before frames of the new generation
// are, or a power loss could replay old frames over newer pages). With a pass after nearly every
// commit of a live desk, that was nearly every COMMIT: an fsync on the Electron main thread for each
// arrival, three waits of the thread for the disk, 2.6–4.3 ms per one-event batch against 0.9–1.2
// once the thread restarts the WAL, on a busy box (docs/benchmarks.md, round 46); on HQ at a few
// arrivals a second, an fsync on the event loop per arrival, a write transaction's p50 1.6 ms
// against 0.66 (round 47). The thread restarts it with a transaction of its own that rewrites
// `user_version` with its value (a page written, nothing changed), so the header and its fsync are
// the thread's. It takes the write lock only if it is free (a writer in the middle of a
// transaction: no restart this pass, the next pass tries); a writer that begins meanwhile waits for
// it in SQLite's busy handler, about one fsync. The writer's
// transactions must therefore take the write lock at BEGIN (IMMEDIATE): a deferred one that read
// first could not write after the thread's commit (SQLITE_BUSY_SNAPSHOT). Under load a pass seldom
// finds every frame copied, so this is for a quiet file: a desk between arrivals, HQ at a few
// arrivals a second (round 47).
//
// Why: with the default, the COMMIT that took the WAL past 1,000 pages copied them all into the
// file and synced twice, on HQ's event loop. Under the capacity bench's batches that was every
// second or third COMMIT, 4–5 ms each: a fifth of the SQLite node's busy time, with every desk
// send and HTTP request waiting behind it (docs/benchmarks.md, round 10).
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

/** WAL frames (pages) at which the next write waits for a pass, so the WAL restarts: 16 MiB of 4 KiB pages. */
export const RESTART_FRAMES = 4096;
/** The writer's own checkpoint threshold while the thread runs: a bound, not the path (64 MiB). */
export const NET_FRAMES = 4 * RESTART_FRAMES;
/**
 * At most one pass this often. A page written again between two passes is copied once, so a longer
 * gap copies less (the store's counter row, index pages and each store's last event page are
 * rewritten by nearly every arrival): at 50 ms the thread cost 3–8 % more CPU per arrival than
 * SQLite's own checkpoints, at 250 ms none measurable (docs/benchmarks.md, round 10).
 */
export const PASS_GAP_MS = 250;
/** What SQLite's default checkpoints at, restored on the writer if the thread fails (unless the caller names its own). */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export interface WalCheckpointerOptions {
  /** The writer's auto-checkpoint (pages) should the thread fail: what it ran with before the thread. */
  fallbackFrames?: number;
  /** The thread restarts the WAL after a pass that copied every frame (see above); the writer's transactions must be IMMEDIATE. */
  restartOnThread?: boolean;
}

// The worker's code as CommonJS evaluated in the thread: no TypeScript loader is needed there
// (HQ runs under tsx, tests under vitest), and the driver is loaded from the path this module
// resolved, so the thread uses the same better-sqlite3 build as the writer.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
// timeout 0: the restart's BEGIN IMMEDIATE gives up at once when the writer holds the lock (a
// PASSIVE checkpoint never waits either way).
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
db.pragma('synchronous = NORMAL');
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
/**
 * data_version after this thread's restart, until a pass: the same number then means no other
 * connection has committed since, so the WAL holds only the restart's own frame and the pass is
 * skipped — copying it would make the WAL due to restart again, for nothing but another fsync.
 */
let quietAt = null;
/** A page written and nothing changed: the COMMIT that starts the WAL again, with its header's fsync, on this thread. */
function restart() {
  try {
    begin.run();
  } catch (err) {
    if (err && err.code === 'SQLITE_BUSY') return { restarted: false };
    return { restarted: false, restartError: String(err.message || err) };
  }
  try {
    db.pragma('user_version = ' + Number(db.pragma('user_version', { simple: true })));
    commit.run();
    quietAt = db.pragma('data_version', { simple: true });
    return { restarted: true };
  } catch (err) {
    if (db.inTransaction) rollback.run();
    return { restarted: false, restartError: String(err.message || err) };
  }
}
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    if (quietAt !== null && db.pragma('data_version', { simple: true }) === quietAt) {
      parentPort.postMessage({ ok: true, log: 1, skipped: true });
      return;
    }
    quietAt = null;
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // Every frame copied, none left to a reader: the WAL can start again from the top.
    const done = workerData.restart && r.busy === 0 && r.log > 0 && r.checkpointed === r.log;
    parentPort.postMessage({ ok: true, log: r.log, ...(done ? restart() : {}) });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String((err && err.message) || err) });
  }
});
`;

export interface CheckpointerStats {
  /** Passes run (not those skipped: nothing committed since the thread's own restart), and frames the WAL held at the last one. */
  passes: number;
  lastLogFrames: number;
  /** Writes that waited for a pass so the WAL could restart. */
  restartWaits: number;
  /** Passes run at once after one found the WAL at RESTART_FRAMES, while writes went on (the restart's closing passes). */
  closingPasses: number;
  /** Times the thread started the WAL again from the top (`restartOnThread`). */
  restarts: number;
  /** False once the thread failed and the writer checkpoints in COMMIT again. */
  running: boolean;
}

export interface WalCheckpointer {
  /** After a write transaction committed: a pass soon, unless one is due already. */
  committed(): void;
  /** Before a write transaction begins: null, or a pass to await when the WAL is due to restart. */
  beforeWrite(): Promise<void> | null;
  /** A pass that starts after any under way, so it copies every frame committed before the call (tests). */
  pass(): Promise<void>;
  stats(): CheckpointerStats;
  close(): Promise<void>;
}

interface PassResult {
  ok: boolean;
  log?: number;
  error?: string;
  /** `restartOnThread`: the pass copied every frame and the thread then restarted the WAL. */
  restarted?: boolean;
  /** Why the restart failed, when not because the writer held the lock. */
  restartError?: string;
  /** Nothing committed since the thread's own restart: no pass was needed. */
  skipped?: boolean;
}

/** Starts the checkpoint thread for the file `db` has open (WAL mode); `db` keeps its own checkpoints only as the net. */
export function startWalCheckpointer(db: Database.Database, path: string, log: (line: string) => void, opts: WalCheckpointerOptions = {}): WalCheckpointer {
  const fallbackFrames = opts.fallbackFrames ?? SQLITE_DEFAULT_AUTOCHECKPOINT;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, restart: opts.restartOnThread === true } });
  // The thread holds the process open only while someone awaits it (a pass, close): an idle HQ or a
  // CLI that is done may exit, but a write waiting for a pass is never cut off by the process ending.
  worker.unref();
  db.pragma(`wal_autocheckpoint = ${NET_FRAMES}`);
  let running = true;
  let closing = false;
  let passes = 0;
  let lastLogFrames = 0;
  let restartWaits = 0;
  let closingPasses = 0;
  let restarts = 0;
  /** A restart failed for another reason than a busy writer: said once (the writer restarts the WAL itself meanwhile). */
  let restartFailed = false;
  let restartDue = false;
  /** Since the WAL last restarted, a pass found it at RESTART_FRAMES and the closing pass was started: the next such pass makes the restart due. */
  let closed = false;
  let inFlight: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lastPassEnded = 0;
  /** A commit came while a pass ran: its frames get the next pass, not the next commit's. */
  let committedDuringPass = false;
  /** The answer of the pass in flight (one at a time: `inFlight`). */
  let answer: ((r: PassResult) => void) | null = null;

  const fail = (why: string) => {
    if (!running) return;
    running = false;
    if (timer) clearTimeout(timer);
    if (db.open) db.pragma(`wal_autocheckpoint = ${fallbackFrames}`);
    answer?.({ ok: false, error: why });
    answer = null;
    if (!closing) log(`sqlite: the checkpoint thread failed (${why}); the writer checkpoints in COMMIT again`);
  };
  worker.on('message', (r: PassResult) => {
    answer?.(r);
    answer = null;
    if (!closing) worker.unref();
  });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => fail(`exited with code ${code}`));

  const pass = (): Promise<void> => {
    if (!running) return Promise.resolve();
    inFlight ??= new Promise<PassResult>((resolve) => {
      answer = resolve;
      worker.ref();
      worker.postMessage('pass');
    }).then((r) => {
      inFlight = null;
      lastPassEnded = Date.now();
      if (committedDuringPass) {
        committedDuringPass = false;
        schedule();
      }
      if (!r.ok) {
        if (running) log(`sqlite: checkpoint pass failed: ${r.error}`);
        return;
      }
      if (!r.skipped) passes++;
      lastLogFrames = r.log ?? 0;
      if (r.restarted) restarts++;
      if (r.restartError && !restartFailed) {
        restartFailed = true;
        log(`sqlite: the checkpoint thread could not restart the WAL (${r.restartError}); the writer's COMMIT restarts it`);
      }
      if (r.restarted || lastLogFrames < RESTART_FRAMES) {
        // Started again from the top (by this pass, or it holds little): no restart is due.
        closed = false;
        restartDue = false;
      } else if (closed) restartDue = true;
      else {
        // What was committed while this pass ran is not copied yet, and the write that waits for
        // the restart would wait for all of it: a pass over 250 ms of writes takes 20–30 ms here
        // (~12 ms per 1,000 frames), and the writer goes on meanwhile. The closing pass copies that
        // now, while writes still go on; the write that then waits waits only for what came during
        // the closing pass (docs/benchmarks.md, round 28).
        closed = true;
        if (running && !closing) {
          closingPasses++;
          void pass();
        }
      }
    });
    return inFlight;
  };
  /** A pass that starts only after the one under way, if any: it copies everything committed before. */
  const freshPass = (): Promise<void> => (inFlight ? inFlight.then(pass) : pass());

  /** A pass PASS_GAP_MS after the last one ended, unless one is already due. */
  const schedule = () => {
    if (!running || closing || timer) return;
    if (inFlight) {
      committedDuringPass = true;
      return;
    }
    const wait = Math.max(0, lastPassEnded + PASS_GAP_MS - Date.now());
    timer = setTimeout(() => {
      timer = null;
      void pass();
    }, wait);
    timer.unref();
  };

  return {
    committed: schedule,
    beforeWrite() {
      if (!running || !restartDue) return null;
      restartWaits++;
      // A pass already under way may have started before the last commit: the fresh one after it
      // runs with no write open and so copies every frame.
      return (async () => {
        await freshPass();
        // The WAL starts again from the top: in that pass (restartOnThread), or else in the COMMIT of
        // the write that follows; the next pass tells if it could not.
        restartDue = false;
        closed = false;
      })();
    },
    pass: freshPass,
    stats: () => ({ passes, lastLogFrames, restartWaits, closingPasses, restarts, running }),
    async close() {
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight;
      if (!running) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
