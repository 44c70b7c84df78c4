// Restock events into the cache (7/8), called by sync.ts in the event's transaction: the match as
// HQ has it now replaces the cached one; an event that names this desk's op settles it.
import type { EvFrame, Snapshot } from '../../../shared/protocol.ts';
import type { CacheQueries } from '../cache/queries.ts';

/** Applies `restock.matched` / `restock.updated`; answers the desk op it settles, if any. */
export function applyRestockEvent(q: CacheQueries, ev: Extract<EvFrame, { type: 'restock.matched' | 'restock.updated' }>): string | null {
  q.restock.put(ev.data.match);
  const opId = ev.type === 'restock.updated' ? ev.data.opId : null;
  return opId && q.deleteOp(opId) ? opId : null;
}

/** The snapshot's matches (the cache was wiped of HQ's rows before). */
export function applyRestockSnapshot(q: CacheQueries, snap: Snapshot): void {
  for (const m of snap.restockMatches ?? []) q.restock.put(m);
}
