// The presence port: who is connected where, across nodes, with a time to live. A node adds its
// clients and refreshes them well within the TTL; when a node dies its entries simply expire, so
// nobody has to clean up after it.
// Adapters: hq/adapters/memory/memoryPresence.ts (one node), hq/adapters/nats/natsPresence.ts
// (a JetStream key-value bucket whose entries expire).

export interface Presence {
  /** Marks `clientId` present in `channel` (e.g. `desks.<storeId>`) for `ttlMs`; call again to refresh. */
  add(channel: string, clientId: string, ttlMs: number): Promise<void>;
  remove(channel: string, clientId: string): Promise<void>;
  /** Clients present in the channel now (unexpired), each once, in no set order. */
  list(channel: string): Promise<string[]>;
  close(): Promise<void>;
}
