// What the clerk sees of a visit's suggestion marks: HQ's confirmed marks with this desk's queued
// `suggest.mark` ops laid over them, in the order the clerk made them (the outbox is never written
// into the confirmed table, so a refusal simply stops being applied). Pure: rows in, views out.
//
// Queued marks are filed in the outbox under the subject `mark:<visitId>` — not the visit's own id,
// so a mark never shows as a pending claim/close on the visit (overlay.ts) or raises a visit notice.
import type { SuggestionMarkView } from '../../../shared/deskApi.ts';
import type { SuggestionMark } from '../../../shared/assist.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { OutboxOp } from '../cache/queries.ts';

export const markSubject = (visitId: string) => `mark:${visitId}`;
export const visitOfMarkSubject = (subject: string) => (subject.startsWith('mark:') ? subject.slice(5) : null);

/**
 * The marks of one visit, one per style (in the order first marked): confirmed ones as HQ has them,
 * a queued one as `pending` with its verdict, a refused one as `rejected` with HQ's reason (its
 * verdict is what the clerk tried; the confirmed one, if any, is still HQ's).
 */
export function markViews(visitId: string, confirmed: readonly SuggestionMark[], ops: readonly OutboxOp[], self: Actor): SuggestionMarkView[] {
  const byStyle = new Map<string, SuggestionMarkView>();
  for (const m of confirmed) {
    byStyle.set(m.styleId, { visitId, styleId: m.styleId, role: m.role, verdict: m.verdict, by: m.by, at: m.at, sync: 'confirmed', rejection: null });
  }
  const subject = markSubject(visitId);
  for (const op of ops) {
    if (op.type !== 'suggest.mark' || op.visitId !== subject) continue;
    const d = op.data;
    const by = typeof d.clerkId === 'string' ? { ...self, clerkId: d.clerkId } : self;
    byStyle.set(d.styleId, {
      visitId,
      styleId: d.styleId,
      role: d.role,
      verdict: d.verdict,
      by,
      at: op.createdAt,
      sync: op.state === 'rejected' ? 'rejected' : 'pending',
      rejection: op.state === 'rejected' ? op.rejection : null,
    });
  }
  return [...byStyle.values()];
}
