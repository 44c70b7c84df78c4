// Writing to a store's event log. `write()` runs the caller's state change and its events in one
// transaction (the seq is allocated inside it, so the log is gap-free and never names a change that
// did not commit), trims the log to the retention limit, and only after the commit hands the events
// to the live fan-out in seq order.
import { type z } from 'zod';
import { type EventData, type EventType } from '../../shared/protocol.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type HqStorage, type StoredEvent } from '../ports/store.ts';

export type EventPayload<T extends EventType> = z.input<(typeof EventData)[T]>;
export type Append = <T extends EventType>(storeId: string, type: T, data: EventPayload<T>, at?: number) => StoredEvent;

export class EventLog {
  constructor(
    private readonly storage: HqStorage,
    private readonly retainEvents: number,
    private readonly publish: (ev: StoredEvent) => void,
  ) {}

  /** Set while `batch()` runs: the events of its committed writes and the stores they touched. */
  private pending: { appended: StoredEvent[]; touched: Set<string> } | null = null;

  write<T>(fn: (append: Append) => T): T {
    const appended: StoredEvent[] = [];
    const touched = new Set<string>();
    const batch = this.pending;
    // Inside `batch()` this transaction is a SAVEPOINT of the batch's: a throw undoes this write
    // only (its seqs included, so the log stays gap-free), and its events wait for the batch commit.
    const result = this.storage.transaction(() => {
      const value = fn((storeId, type, data, at = Date.now()) => {
        const ev = this.storage.appendEvent(storeId, { id: uuidv7(at), type, at, data });
        appended.push(ev);
        touched.add(storeId);
        return ev;
      });
      if (!batch) for (const storeId of touched) this.storage.trimEvents(storeId, this.retainEvents);
      return value;
    });
    if (batch) {
      batch.appended.push(...appended);
      for (const storeId of touched) batch.touched.add(storeId);
    } else {
      for (const ev of appended) this.publish(ev);
    }
    return result;
  }

  /**
   * Runs `fn` — typically many `write()`s — in ONE transaction (one commit instead of one per
   * write). Each `write()` inside is a savepoint: a write that throws is undone alone and the
   * caller may go on with the next. The log is trimmed once per touched store, and the events of
   * every write that was not undone go to the fan-out after the commit, in seq order. If `fn`
   * itself throws, nothing commits and nothing is published. Nested calls join the outer batch.
   */
  batch<T>(fn: () => T): T {
    if (this.pending) return fn();
    const state = { appended: [] as StoredEvent[], touched: new Set<string>() };
    this.pending = state;
    let result: T;
    try {
      result = this.storage.transaction(() => {
        const value = fn();
        for (const storeId of state.touched) this.storage.trimEvents(storeId, this.retainEvents);
        return value;
      });
    } finally {
      this.pending = null;
    }
    for (const ev of state.appended) this.publish(ev);
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
