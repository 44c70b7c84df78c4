// This node's view of the stores it serves: for each store with a desk or a member connected
// here, the node's position in that store's log and the loop that keeps it moving.
//
// Invariant: a feed hands its listeners every committed event of its store exactly once, in seq
// order, with no gap — or a reset when the store's epoch changed. The store is the only log;
// nothing here is the truth, and losing this node loses nothing but its sockets.
//
// How an event reaches a feed (any of these is enough; a lost doorbell costs latency, not events):
//  - committed on this node: handed over directly after the commit (no read) when it is the next
//    seq; anything else triggers a catch-up read;
//  - committed on another node: its doorbell ("store S has head N in epoch E") carries the
//    committed events when they are small: handed over directly when they follow this node's
//    position; anything else (a gap, a bare doorbell) triggers a read of `seq > delivered`;
//  - the periodic sweep reads every served store's head in one query and catches up any feed that
//    is behind — the repair for lost doorbells and the only path while the bus is down.
// Catch-up reads are serialised per store and shared by every listener of that store on this
// node: 2,000 desks of a store cost one read, not 2,000.
import { type Bus, type Unsubscribe } from '../ports/bus.ts';
import { type HqStore, type StoredEvent } from '../ports/store.ts';

export interface FeedListener {
  /** Committed events, consecutive, in seq order. */
  events(events: readonly StoredEvent[]): void;
  /** The store's epoch changed: what was delivered before belongs to an old epoch. */
  reset(epoch: string, head: number): void;
}

interface Feed {
  storeId: string;
  epoch: string;
  /** Highest seq handed to the listeners. */
  delivered: number;
  listeners: Set<FeedListener>;
  /** A catch-up read is running; `again` asks for one more when it ends. */
  reading: boolean;
  again: boolean;
  stopDoorbells: Unsubscribe;
  ready: Promise<void>;
}

export interface StoreFeedsOptions {
  nodeId: string;
  /** Events per catch-up read. */
  pageSize?: number;
  log(line: string): void;
}

const DEFAULT_PAGE = 500;
/**
 * Committed events ride along with their doorbell up to this size (a few arrivals' worth; NATS
 * takes 1 MB per message): the other nodes then skip the catch-up read that was most of a second
 * node's cost per arrival. Bigger commits (a large batch to one store) ring a bare doorbell.
 */
const DOORBELL_EVENT_BYTES = 64 * 1024;

export class StoreFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly pageSize: number;

  constructor(
    private readonly store: HqStore,
    private readonly bus: Bus,
    private readonly opts: StoreFeedsOptions,
  ) {
    this.pageSize = opts.pageSize ?? DEFAULT_PAGE;
  }

  /**
   * Adds a listener to the store's feed (opening the feed on first use). Resolves once the feed
   * knows its position; from then on the listener gets every event after `position().head`.
   */
  async listen(storeId: string, listener: FeedListener): Promise<Unsubscribe> {
    let feed = this.feeds.get(storeId);
    if (!feed) feed = this.open(storeId);
    feed.listeners.add(listener);
    try {
      await feed.ready;
    } catch (err) {
      this.unlisten(feed, listener);
      throw err;
    }
    return () => this.unlisten(feed, listener);
  }

  /** The node's position in a store's log, when it serves the store. */
  position(storeId: string): { epoch: string; head: number } | null {
    const feed = this.feeds.get(storeId);
    return feed && feed.epoch ? { epoch: feed.epoch, head: feed.delivered } : null;
  }

  servedStores(): string[] {
    return [...this.feeds.keys()];
  }

  /** Events this node committed, in seq order per store: delivered here, rung at other nodes. */
  committed(events: readonly StoredEvent[]): void {
    const byStore = new Map<string, StoredEvent[]>();
    for (const ev of events) {
      let list = byStore.get(ev.storeId);
      if (!list) byStore.set(ev.storeId, (list = []));
      list.push(ev);
    }
    for (const [storeId, list] of byStore) {
      const last = list[list.length - 1]!;
      const ride = isConsecutive(list) && list.every((ev) => ev.epoch === last.epoch) && payloadBytes(list) <= DOORBELL_EVENT_BYTES;
      this.bus.publishDoorbell({ origin: this.opts.nodeId, storeId, epoch: last.epoch, head: last.seq, ...(ride ? { events: list } : {}) });
      const feed = this.feeds.get(storeId);
      if (feed?.epoch) this.offer(feed, last.epoch, last.seq, list);
    }
  }

  /**
   * Committed events of the feed's store up to `head` (this node's commit, or those riding another
   * node's doorbell): handed over directly only when they follow the feed's position in its epoch
   * with nothing missing before them (another writer's commit may still be on its way here);
   * anything else — a gap, another epoch, a read in progress, a bare doorbell — reads the store.
   */
  private offer(feed: Feed, epoch: string, head: number, events: readonly StoredEvent[]): void {
    if (epoch === feed.epoch && head <= feed.delivered) return;
    const fresh = epoch === feed.epoch && !feed.reading ? events.filter((ev) => ev.seq > feed.delivered) : [];
    if (fresh.length > 0 && fresh[0]!.seq === feed.delivered + 1 && fresh[fresh.length - 1]!.seq === head && isConsecutive(fresh)) this.deliver(feed, fresh);
    else this.catchUp(feed);
  }

  /** The store's epoch changed (this node rotated it, or the control bus said so). */
  epochChanged(storeId: string, epoch: string, head: number): void {
    const feed = this.feeds.get(storeId);
    if (!feed || !feed.epoch || feed.epoch === epoch) return;
    this.resetFeed(feed, epoch, head);
  }

  /** One query for the heads of every store served here; feeds that are behind catch up. */
  async sweep(): Promise<void> {
    const ids = [...this.feeds.values()].filter((f) => f.epoch).map((f) => f.storeId);
    if (ids.length === 0) return;
    const heads = await this.store.read((r) => r.storeHeads(ids));
    for (const s of heads) {
      const feed = this.feeds.get(s.id);
      if (!feed || !feed.epoch) continue;
      if (s.epoch !== feed.epoch || s.head > feed.delivered) this.catchUp(feed);
    }
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.stopDoorbells();
    this.feeds.clear();
  }

  private open(storeId: string): Feed {
    const feed: Feed = {
      storeId,
      epoch: '',
      delivered: 0,
      listeners: new Set(),
      reading: false,
      again: false,
      stopDoorbells: () => undefined,
      ready: Promise.resolve(),
    };
    this.feeds.set(storeId, feed);
    // Subscribe first, then read the head: a doorbell that rings in between only causes a read.
    feed.stopDoorbells = this.bus.onDoorbell(storeId, (d) => {
      if (d.origin !== this.opts.nodeId && feed.epoch) this.offer(feed, d.epoch, d.head, d.events ?? []);
    });
    feed.ready = this.store
      .read((r) => r.getStore(storeId))
      .then((s) => {
        if (!s) throw new Error(`unknown store ${storeId}`);
        feed.epoch = s.epoch;
        feed.delivered = s.head;
        // A commit that landed after that read but was announced before it returned was skipped
        // (no position yet): one catch-up read picks it up.
        this.catchUp(feed);
      })
      .catch((err: unknown) => {
        if (this.feeds.get(storeId) === feed) this.feeds.delete(storeId);
        feed.stopDoorbells();
        throw err;
      });
    return feed;
  }

  private unlisten(feed: Feed, listener: FeedListener): void {
    feed.listeners.delete(listener);
    if (feed.listeners.size === 0 && this.feeds.get(feed.storeId) === feed) {
      this.feeds.delete(feed.storeId);
      feed.stopDoorbells();
    }
  }

  private deliver(feed: Feed, events: readonly StoredEvent[]): void {
    feed.delivered = events[events.length - 1]!.seq;
    for (const l of feed.listeners) {
      try {
        l.events(events);
      } catch (err) {
        this.opts.log(`feed ${feed.storeId}: listener failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  private resetFeed(feed: Feed, epoch: string, head: number): void {
    feed.epoch = epoch;
    feed.delivered = head;
    for (const l of feed.listeners) {
      try {
        l.reset(epoch, head);
      } catch (err) {
        this.opts.log(`feed ${feed.storeId}: listener failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }

  /** Reads `seq > delivered` until the store has nothing newer; one loop per store at a time. */
  private catchUp(feed: Feed): void {
    if (feed.reading) {
      feed.again = true;
      return;
    }
    feed.reading = true;
    void (async () => {
      try {
        do {
          feed.again = false;
          for (;;) {
            const { store, events } = await this.store.read(async (r) => ({
              store: await r.getStore(feed.storeId),
              events: await r.readEvents(feed.storeId, feed.delivered, this.pageSize),
            }));
            if (this.feeds.get(feed.storeId) !== feed || !store) return;
            if (store.epoch !== feed.epoch) {
              this.resetFeed(feed, store.epoch, store.head);
              break;
            }
            const fresh = events.filter((ev) => ev.seq > feed.delivered);
            if (fresh.length === 0) {
              if (store.head > feed.delivered && events.length === 0) {
                // The events up to the head were trimmed away under a very slow feed: the
                // listeners cannot be given them; they must resume (desks will be reset).
                this.resetFeed(feed, store.epoch, store.head);
              }
              break;
            }
            if (fresh[0]!.seq !== feed.delivered + 1) {
              this.resetFeed(feed, store.epoch, store.head);
              break;
            }
            this.deliver(feed, fresh);
            if (events.length < this.pageSize) break;
          }
        } while (feed.again);
      } catch (err) {
        // The store is unreachable: the next doorbell or sweep tries again.
        this.opts.log(`feed ${feed.storeId}: catch-up failed: ${(err as Error).message}`);
      } finally {
        feed.reading = false;
      }
    })();
  }
}

function payloadBytes(events: readonly StoredEvent[]): number {
  let n = 0;
  for (const ev of events) n += ev.data.length + 128;
  return n;
}

function isConsecutive(events: readonly StoredEvent[]): boolean {
  for (let i = 1; i < events.length; i++) if (events[i]!.seq !== events[i - 1]!.seq + 1) return false;
  return true;
}
