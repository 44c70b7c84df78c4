// The bus port in memory (hq/ports/bus.ts): one HQ process, or several nodes in one test process.
//
// A `MemoryBusHub` is the "server"; each node gets its own `Bus` view of it, and whatever a view
// publishes reaches every open view, the sender's included (a node recognises its own messages by
// `origin`, as on NATS) — a doorbell only the other views (hq/ports/bus.ts). Delivery is
// asynchronous (a microtask), so a publisher — often in the middle of a commit's fan-out — is never
// re-entered by a handler, and each view gets its own copy of the message, as it would after the
// wire. Nothing is lost and the status is always up.

import {
  type Bus,
  type BusStatus,
  type Control,
  type Doorbell,
  type RoomSignal,
  type StoreSignal,
  type Unsubscribe,
} from '../../ports/bus.ts';

export interface MemoryBusOptions {
  /** Where a handler's exception is reported (default: console.error). */
  log?: (line: string) => void;
}

const UP: BusStatus = Object.freeze({ up: true, detail: 'in-memory' });
const CLOSED: BusStatus = Object.freeze({ up: false, detail: 'closed' });

type Handler = (m: unknown) => void;

/** Handlers by key (a store id, or '' for control), each registration its own entry. */
class Handlers {
  private readonly byKey = new Map<string, Set<Handler>>();

  add(key: string, handler: Handler): Unsubscribe {
    let set = this.byKey.get(key);
    if (!set) {
      set = new Set();
      this.byKey.set(key, set);
    }
    // A wrapper per call: the same function registered twice is two registrations.
    const entry: Handler = (m) => handler(m);
    set.add(entry);
    const s = set;
    return () => {
      s.delete(entry);
      if (s.size === 0 && this.byKey.get(key) === s) this.byKey.delete(key);
    };
  }

  /** The handlers of `key` now; each is called only if still registered when its turn comes. */
  run(key: string, message: unknown, log: (line: string) => void): void {
    const set = this.byKey.get(key);
    if (!set) return;
    for (const h of [...set]) {
      if (!set.has(h)) continue;
      try {
        h(message);
      } catch (err) {
        log(`bus: handler failed: ${(err as Error).message}`);
      }
    }
  }

  clear(): void {
    this.byKey.clear();
  }
}

class MemoryBusView implements Bus {
  readonly kind = 'memory' as const;
  readonly doorbells = new Handlers();
  readonly signals = new Handlers();
  readonly controls = new Handlers();
  readonly rooms = new Handlers();
  closed = false;

  constructor(
    private readonly hub: MemoryBusHub,
    readonly log: (line: string) => void,
  ) {}

  publishDoorbell(d: Doorbell): void {
    if (!this.closed) this.hub.deliver((v) => v.doorbells, d.storeId, d, this);
  }
  onDoorbell(storeId: string, handler: (d: Doorbell) => void): Unsubscribe {
    return this.closed ? () => {} : this.doorbells.add(storeId, handler as Handler);
  }
  publishSignal(s: StoreSignal): void {
    if (!this.closed) this.hub.deliver((v) => v.signals, s.storeId, s);
  }
  onSignal(storeId: string, handler: (s: StoreSignal) => void): Unsubscribe {
    return this.closed ? () => {} : this.signals.add(storeId, handler as Handler);
  }
  publishRoom(r: RoomSignal): void {
    if (!this.closed) this.hub.deliver((v) => v.rooms, r.roomId, r);
  }
  onRoom(roomId: string, handler: (r: RoomSignal) => void): Unsubscribe {
    return this.closed ? () => {} : this.rooms.add(roomId, handler as Handler);
  }
  publishControl(c: Control): void {
    if (!this.closed) this.hub.deliver((v) => v.controls, '', c);
  }
  onControl(handler: (c: Control) => void): Unsubscribe {
    return this.closed ? () => {} : this.controls.add('', handler as Handler);
  }
  onStatus(_handler: (s: BusStatus) => void): Unsubscribe {
    // Never down, so never told.
    return () => {};
  }
  status(): BusStatus {
    return this.closed ? CLOSED : UP;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.doorbells.clear();
    this.signals.clear();
    this.controls.clear();
    this.rooms.clear();
    this.hub.detach(this);
  }
}

/** One in-memory bus shared by several nodes of one process; `bus()` is a node's view of it. */
export class MemoryBusHub {
  private readonly views = new Set<MemoryBusView>();

  /** A new node's view: it hears everything published on the hub (its own messages too). */
  bus(opts: MemoryBusOptions = {}): Bus {
    const view = new MemoryBusView(this, opts.log ?? ((line) => console.error(line)));
    this.views.add(view);
    return view;
  }

  /** @internal Queues one copy of `message` per view open now (but `except`), each delivered in its own microtask. */
  deliver(pick: (v: MemoryBusView) => Handlers, key: string, message: object, except?: MemoryBusView): void {
    for (const view of this.views) {
      if (view === except) continue;
      const copy: unknown = structuredClone(message);
      queueMicrotask(() => {
        if (!view.closed) pick(view).run(key, copy, view.log);
      });
    }
  }

  /** @internal */
  detach(view: MemoryBusView): void {
    this.views.delete(view);
  }
}

/** The bus of a single HQ node (the embedded default): its own hub, one view. */
export function createMemoryBus(opts: MemoryBusOptions = {}): Bus {
  return new MemoryBusHub().bus(opts);
}
