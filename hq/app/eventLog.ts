// Writing to a store's event log. `write()` runs the caller's state change and its events in one
// transaction of the store port (the seq is allocated inside it, so the log is gap-free and never
// names a change that did not commit), trims the log to the retention limit, and only after the
// commit hands the events to `committed` — the node's fan-out and the bus's doorbell — in seq order.
import { type z } from 'zod';
import { type EventData, type EventType } from '../../shared/protocol.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { eventJson } from './eventJson.ts';
import { type HqStore, type HqTx, StoreUnavailable, type StoredEvent } from '../ports/store.ts';

export type EventPayload<T extends EventType> = z.input<(typeof EventData)[T]>;
export type Append = <T extends EventType>(storeId: string, type: T, data: EventPayload<T>, at?: number) => Promise<StoredEvent>;
/** A change and its events: it reads and writes through `tx` and announces through `append`. */
export type Change<T> = (tx: HqTx, append: Append) => Promise<T>;

/** Inside `batch()`: each `write()` is a savepoint of the batch's one transaction. */
export interface BatchWriter {
  readonly tx: HqTx;
  write<T>(fn: Change<T>): Promise<T>;
}

/** An optimistic batch run met a failing write: it is rolled back and run again with savepoints. */
class RunAgainWithSavepoints extends Error {
  constructor(readonly first: unknown) {
    super(`a write of the batch failed (${(first as Error)?.message ?? String(first)}); the batch runs again with a savepoint per write`);
  }
}

/**
 * How many events a store's log may grow past its retention limit before it is trimmed: a tenth
 * of the limit, at most 64 (a small limit, as tests set, is kept exactly).
 */
export function trimStep(retainEvents: number): number {
  return Math.max(1, Math.min(64, Math.floor(retainEvents / 10)));
}

export class EventLog {
  constructor(
    readonly store: HqStore,
    private readonly retainEvents: number,
    private readonly committed: (events: StoredEvent[]) => void,
  ) {}

  /** One change in its own transaction: all of it commits, or none of it. */
  write<T>(fn: Change<T>): Promise<T> {
    return this.run((b) => b.write(fn), 'none');
  }

  /**
   * Runs `fn` — typically many `write()`s — in ONE transaction (one commit instead of one per
   * write). Each `write()` inside is a savepoint: a write that throws is undone alone (its seqs
   * included, so the log stays gap-free) and the caller may go on with the next. The log is
   * trimmed once per touched store, and the events of every write that was not undone go to the
   * fan-out after the commit, in seq order. If `fn` itself throws, nothing commits and nothing is
   * published.
   *
   * A savepoint costs two statements per write (two round trips on PostgreSQL, a fifth of a batch
   * arrival's), and most batches have no failing write. So the batch first runs optimistically
   * without them; the first write that throws makes the rest of that run refuse at once, rolls it
   * all back, and `fn` runs again from the start with a savepoint per write. `fn` must therefore
   * keep its results inside the run (as for an adapter's own retries).
   */
  async batch<T>(fn: (b: BatchWriter) => Promise<T>): Promise<T> {
    try {
      return await this.run(fn, 'optimistic');
    } catch (err) {
      if (!(err instanceof RunAgainWithSavepoints)) throw err;
      return this.run(fn, 'savepoints');
    }
  }

  private async run<T>(fn: (b: BatchWriter) => Promise<T>, mode: 'none' | 'optimistic' | 'savepoints'): Promise<T> {
    let appended: StoredEvent[] = [];
    let touched = new Set<string>();
    const result = await this.store.withTx(async (tx) => {
      // An adapter may run the transaction again (a PostgreSQL serialization failure): only the
      // attempt that commits is published.
      appended = [];
      touched = new Set<string>();
      let failed: unknown = null;
      const writer: BatchWriter = {
        tx,
        write: async <R>(change: Change<R>) => {
          if (failed !== null) throw new RunAgainWithSavepoints(failed);
          const mine: StoredEvent[] = [];
          const append: Append = async (storeId, type, data, at = Date.now()) => {
            const ev = await tx.appendEvent(storeId, { id: uuidv7(at), type, at, data: eventJson(type, data) });
            mine.push(ev);
            return ev;
          };
          let value: R;
          if (mode === 'savepoints') value = await tx.savepoint(() => change(tx, append));
          else if (mode === 'none') value = await change(tx, append);
          else {
            try {
              value = await change(tx, append);
            } catch (err) {
              if (err instanceof StoreUnavailable) throw err; // nothing to run again against
              failed = err;
              throw new RunAgainWithSavepoints(err);
            }
          }
          for (const ev of mine) {
            appended.push(ev);
            touched.add(ev.storeId);
          }
          return value;
        },
      };
      const value = await fn(writer);
      // Whatever `fn` made of the failure (caught it and went on, say), this run is undone.
      if (failed !== null) throw new RunAgainWithSavepoints(failed);
      // Trimmed when a store's head crosses a multiple of the step, not at every write: a
      // statement per arrival saved, and the log keeps at most `step - 1` events beyond the limit.
      const step = trimStep(this.retainEvents);
      for (const storeId of touched) {
        if (appended.some((ev) => ev.storeId === storeId && ev.seq % step === 0)) await tx.trimEvents(storeId, this.retainEvents);
      }
      return value;
    });
    if (appended.length) this.committed(appended);
    return result;
  }
}

/**
 * The `ev` frame for a stored event in three parts — what comes before the data, the data, the
 * closing brace — for an encoder that takes them one by one (wireFrame.ts): the data JSON written
 * at append time is reused as is, so an event is serialized once however many desks receive or
 * replay it.
 */
export function evFrameParts(ev: StoredEvent): [string, string, string] {
  return [`{"t":"ev","epoch":${JSON.stringify(ev.epoch)},"seq":${ev.seq},"id":${JSON.stringify(ev.id)},"type":${JSON.stringify(ev.type)},"at":${ev.at},"data":`, ev.data, '}'];
}
