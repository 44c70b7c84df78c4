// Suggestion marks into the cache (called by sync.ts `applyEvent`, inside its transaction). Each
// `suggest.marked` carries the mark whole; the event naming this desk's op settles it, and a refusal
// of an earlier mark on the same suggestion is moot once HQ has a verdict for it.
import type { EvFrame, Snapshot } from '../../../shared/protocol.ts';
import type { CacheQueries } from '../cache/queries.ts';
import { markSubject } from './markViews.ts';

export type MarkEvent = Extract<EvFrame, { type: 'suggest.marked' }>;

/** Applies one mark; answers its visit and the op it settles (this desk's), if any. */
export function applyMarkEvent(q: CacheQueries, ev: MarkEvent): { visitId: string; settledOpId: string | null } {
  const { mark, opId } = ev.data;
  q.marks.put(mark);
  for (const op of q.opsOfVisit(markSubject(mark.visitId))) {
    if (op.state === 'rejected' && op.type === 'suggest.mark' && op.data.styleId === mark.styleId) q.deleteOp(op.opId);
  }
  const settledOpId = opId && q.deleteOp(opId) ? opId : null;
  return { visitId: mark.visitId, settledOpId };
}

/** The snapshot's marks (the table was wiped with the rest of HQ's state). */
export function applyMarkSnapshot(q: CacheQueries, snap: Snapshot): void {
  for (const m of snap.suggestionMarks ?? []) q.marks.put(m);
}
