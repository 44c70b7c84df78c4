// Single arrivals committed together (group commit). A door or POS system posting one arrival per
// request at 500/s paid one transaction — lock, idempotency lookup, commit — per arrival: the
// issue-18 profile put transactions at ~19% of HQ's CPU. Requests that come while a commit is in
// flight wait for it and then go together in ONE transaction of the event log (EventLog.batch),
// each as a savepoint-able write of its own, exactly as POST /v1/ingest/arrivals/batch does.
//
// Invariants:
// - Each request's outcome is the one it would get alone: its own idempotency key, store lock,
//   event and result; a refused arrival (ArrivalError) is undone alone and answered alone.
// - Nothing is answered before its transaction commits (durability as before); events reach the
//   desks after that commit, in seq order (EventLog's rule).
// - Requests are applied in the order they came.
// - An unexpected failure of a group (not an arrival's own refusal) must not fail arrivals that
//   would have succeeded alone: the group's requests are then run again one by one (the group's
//   transaction was rolled back, so none of it applied).
// - An idle queue adds no wait: the first request starts a group on the next turn of the event loop.
import { ArrivalError, type ArrivalOutcome, type ArrivalRequest, arrive, arriveIn, type Idempotency } from './arrivals.ts';
import { type EventLog } from './eventLog.ts';

/** Most arrivals in one group: a commit waits for at most this many. */
export const MAX_ARRIVAL_GROUP = 64;

interface Waiting {
  request: ArrivalRequest;
  idempotency: Idempotency | null;
  resolve: (o: ArrivalOutcome) => void;
  reject: (err: unknown) => void;
}

type Settled = { ok: ArrivalOutcome } | { refused: ArrivalError };

export class ArrivalQueue {
  private waiting: Waiting[] = [];
  private draining = false;
  /** Groups committed and arrivals in them (for tests and the bench's log line). */
  readonly stats = { groups: 0, arrivals: 0, rerunAlone: 0 };

  constructor(
    private readonly log: EventLog,
    private readonly maxGroup = MAX_ARRIVAL_GROUP,
  ) {}

  arrive(request: ArrivalRequest, idempotency: Idempotency | null): Promise<ArrivalOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, idempotency, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.commitGroup(this.waiting.splice(0, this.maxGroup));
    } finally {
      this.draining = false;
    }
  }

  private async commitGroup(group: Waiting[]): Promise<void> {
    let settled: Settled[] = [];
    try {
      await this.log.batch(async (b) => {
        settled = []; // the batch may run twice (optimistic, then with savepoints): the last run counts
        for (const w of group) {
          try {
            settled.push({ ok: await b.write((tx, append) => arriveIn(this.log.store, tx, append, w.request, w.idempotency)) });
          } catch (err) {
            if (!(err instanceof ArrivalError)) throw err;
            settled.push({ refused: err });
          }
        }
      });
    } catch {
      // Rolled back as a whole: each request alone, so one cannot fail the others.
      this.stats.rerunAlone += group.length;
      for (const w of group) await arrive(this.log, w.request, w.idempotency).then(w.resolve, w.reject);
      return;
    }
    this.stats.groups++;
    this.stats.arrivals += group.length;
    group.forEach((w, i) => {
      const s = settled[i]!;
      if ('ok' in s) w.resolve(s.ok);
      else w.reject(s.refused);
    });
  }
}
