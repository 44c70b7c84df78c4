// Writing to a store's event log. `write()` runs the caller's state change and its events in one
// transaction (the seq is allocated inside it, so the log is gap-free and never names a change that
// did not commit), trims the log to the retention limit, and only after the commit hands the events
// to the live fan-out in seq order.
import { type z } from 'zod';
import { type EventData, type EventType } from '../../shared/protocol.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { type HqStorage, type StoredEvent } from '../storage/types.ts';

export type EventPayload<T extends EventType> = z.input<(typeof EventData)[T]>;
export type Append = <T extends EventType>(storeId: string, type: T, data: EventPayload<T>, at?: number) => StoredEvent;

export class EventLog {
  constructor(
    private readonly storage: HqStorage,
    private readonly retainEvents: number,
    private readonly publish: (ev: StoredEvent) => void,
  ) {}

  write<T>(fn: (append: Append) => T): T {
    const appended: StoredEvent[] = [];
    const result = this.storage.transaction(() => {
      const touched = new Set<string>();
      const value = fn((storeId, type, data, at = Date.now()) => {
        const ev = this.storage.appendEvent(storeId, { id: uuidv7(at), type, at, data });
        appended.push(ev);
        touched.add(storeId);
        return ev;
      });
      for (const storeId of touched) this.storage.trimEvents(storeId, this.retainEvents);
      return value;
    });
    for (const ev of appended) this.publish(ev);
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
