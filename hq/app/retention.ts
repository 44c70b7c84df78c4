// What HQ remembers for a while and then drops: desks' opIds and the ingest Idempotency-Keys (7
// days, the protocol's promise), with the expired enrollment codes, login-failure counters and
// member sessions that go with them. Every node purges; the deletes are idempotent.
//
// Invariant: the purge writes at most PURGE_BATCH rows of each kind a transaction and waits
// PURGE_PAUSE_MS between transactions, however large the backlog, so it never writes faster than
// ~5,000 rows a second; one purge runs at a time on a node, and stop() ends it between two
// transactions.
//
// Why paced, not only in turns: a week after a peak hour the keys to drop are hundreds of
// thousands. One DELETE of them all held a SQLite node's loop for seconds (round 52); in
// transactions of 2,000 with a turn of the loop between, each took 23 ms and every ~10th COMMIT
// 90–150 ms, its WAL writes waiting on the disk behind the checkpoint thread's copy of the last
// ones (~70 MB/s of WAL from a 500,000-key purge). At 250 rows every 50 ms no COMMIT took over
// 12 ms (docs/benchmarks.md, round 53). The purge is not urgent: 500,000 keys take ~100 s, and at
// Double-11's 500 single arrivals a second an hour brings 1.8 million, dropped in ~6 minutes.
import { type HqStore } from '../ports/store.ts';

/** How long HQ remembers a desk's opIds and the ingest Idempotency-Keys (the protocol's promise: 7 days). */
export const RETENTION_PURGE_MS = 7 * 24 * 60 * 60 * 1000;
/** Ops and idempotency keys dropped per transaction of the purge, at most, each. */
export const PURGE_BATCH = 250;
/** The wait between two of the purge's transactions. */
export const PURGE_PAUSE_MS = 50;

export interface RetentionPurge {
  /** Drops what is past its time; while one runs, a second call answers the same run. */
  run(): Promise<void>;
  /** Ends a run under way after its current transaction (none is started after), and waits for it. */
  stop(): Promise<void>;
}

export interface RetentionPurgeOptions {
  now: () => number;
  log: (line: string) => void;
  /** Tests: rows a transaction and the pause between (defaults PURGE_BATCH, PURGE_PAUSE_MS). */
  batch?: number;
  pauseMs?: number;
}

export function createRetentionPurge(store: HqStore, opts: RetentionPurgeOptions): RetentionPurge {
  const batch = opts.batch ?? PURGE_BATCH;
  const pauseMs = opts.pauseMs ?? PURGE_PAUSE_MS;
  let running: Promise<void> | null = null;
  let stopped = false;
  // The pause under way, so that stop() need not wait it out.
  let pause: { timer: NodeJS.Timeout; done: () => void } | null = null;
  const wait = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        pause = null;
        resolve();
      };
      pause = { timer: setTimeout(done, pauseMs), done };
    });

  const purge = async () => {
    try {
      const cutoff = opts.now() - RETENTION_PURGE_MS;
      while (!stopped) {
        const dropped = await store.withTx((tx) => tx.purgeOlderThan(cutoff, batch));
        if (dropped < batch || stopped) break;
        await wait();
      }
      if (!stopped) await store.withTx((tx) => tx.chat.purgeMemberSessions(opts.now()));
    } catch (err) {
      opts.log(`purge: ${(err as Error).message}`);
    }
  };

  return {
    run: () =>
      stopped
        ? Promise.resolve()
        : (running ??= purge().finally(() => {
            running = null;
          })),
    async stop() {
      stopped = true;
      if (pause) {
        clearTimeout(pause.timer);
        pause.done();
      }
      await running;
    },
  };
}
