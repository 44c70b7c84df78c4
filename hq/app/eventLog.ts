// Writing to a store's event log. `write()` runs the caller's state change and its events in one
// transaction of the store port (the seq is allocated inside it, so the log is gap-free and never
// names a change that did not commit), trims the log to the retention limit, and only after the
// commit hands the events to `committed` — the node's fan-out and the bus's doorbell — in seq order.
import { type z } from 'zod';
import { type EventData, type EventType } from '../../shared/protocol.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type HqStore, type HqTx, type StoredEvent } from '../ports/store.ts';

export type EventPayload<T extends EventType> = z.input<(typeof EventData)[T]>;
export type Append = <T extends EventType>(storeId: string, type: T, data: EventPayload<T>, at?: number) => Promise<StoredEvent>;
/** A change and its events: it reads and writes through `tx` and announces through `append`. */
export type Change<T> = (tx: HqTx, append: Append) => Promise<T>;

/** Inside `batch()`: each `write()` is a savepoint of the batch's one transaction. */
export interface BatchWriter {
  readonly tx: HqTx;
  write<T>(fn: Change<T>): Promise<T>;
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
    return this.run((b) => b.write(fn), false);
  }

  /**
   * Runs `fn` — typically many `write()`s — in ONE transaction (one commit instead of one per
   * write). Each `write()` inside is a savepoint: a write that throws is undone alone (its seqs
   * included, so the log stays gap-free) and the caller may go on with the next. The log is
   * trimmed once per touched store, and the events of every write that was not undone go to the
   * fan-out after the commit, in seq order. If `fn` itself throws, nothing commits and nothing is
   * published.
   */
  batch<T>(fn: (b: BatchWriter) => Promise<T>): Promise<T> {
    return this.run(fn, true);
  }

  private async run<T>(fn: (b: BatchWriter) => Promise<T>, savepoints: boolean): Promise<T> {
    let appended: StoredEvent[] = [];
    let touched = new Set<string>();
    const result = await this.store.withTx(async (tx) => {
      // An adapter may run the transaction again (a PostgreSQL serialization failure): only the
      // attempt that commits is published.
      appended = [];
      touched = new Set<string>();
      const writer: BatchWriter = {
        tx,
        write: async <R>(change: Change<R>) => {
          const mine: StoredEvent[] = [];
          const append: Append = async (storeId, type, data, at = Date.now()) => {
            const ev = await tx.appendEvent(storeId, { id: uuidv7(at), type, at, data });
            mine.push(ev);
            return ev;
          };
          const value = savepoints ? await tx.savepoint(() => change(tx, append)) : await change(tx, append);
          for (const ev of mine) {
            appended.push(ev);
            touched.add(ev.storeId);
          }
          return value;
        },
      };
      const value = await fn(writer);
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
 * The `ev` frame for a stored event, built by concatenation so the data JSON written at append
 * time is reused as is: an event is serialized once however many desks receive or replay it.
 */
export function evFrameText(ev: StoredEvent): string {
  return `{"t":"ev","epoch":${JSON.stringify(ev.epoch)},"seq":${ev.seq},"id":${JSON.stringify(ev.id)},"type":${JSON.stringify(ev.type)},"at":${ev.at},"data":${ev.data}}`;
}
