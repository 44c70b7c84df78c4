// Hold events into the cache (called by sync.ts `applyEvent`, inside its transaction). A hold or
// request is replaced whole by each event about it, so applying events in log order leaves the
// newest state; the event naming this desk's op settles it.
import type { EvFrame, Snapshot } from '../../../shared/protocol.ts';
import type { CacheQueries } from '../cache/queries.ts';

export type HoldEvent = Extract<EvFrame, { type: 'hold.placed' | 'hold.released' | 'hold.requested' | 'hold.answered' }>;

export const isHoldEvent = (ev: EvFrame): ev is HoldEvent => ev.type.startsWith('hold.');

/** Applies one hold event; answers the op it settles (this desk's), if any. */
export function applyHoldEvent(q: CacheQueries, ev: HoldEvent): string | null {
  if (ev.type === 'hold.placed' || ev.type === 'hold.released') q.holds.putHold(ev.data.hold);
  else q.holds.putRequest(ev.data.request);
  const opId = ev.data.opId;
  if (opId && q.deleteOp(opId)) return opId;
  return null;
}

/** The snapshot's holds and requests (the tables were wiped with the rest of HQ's state). */
export function applyHoldSnapshot(q: CacheQueries, snap: Snapshot): void {
  for (const h of snap.holds ?? []) q.holds.putHold(h);
  for (const r of snap.holdRequests ?? []) q.holds.putRequest(r);
}
