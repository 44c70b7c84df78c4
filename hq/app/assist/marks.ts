// What an arrival card showed, and a clerk's mark on it (7/8 `suggest.mark`).
//
// Invariant: a mark is only ever on a suggestion HQ recorded as shown on that visit in that role —
// the styles of the profile's next best action (role `style`) and its add-on (role `addon`), recorded
// in the transaction of the arrival that carried them (recordShown). So a mark cannot invent a
// suggestion, and the manager's "used / not relevant" counts are counts of real suggestions. One
// mark per (visit, style): a later verdict replaces the earlier, a resend of one op is one mark
// (runDeskCommand remembers the op).
import { type AssistCommandData, type SuggestionMark } from '../../../shared/assist.ts';
import { type Actor, type MemberProfile } from '../../../shared/domain.ts';
import { type z } from 'zod';
import { type ShownSuggestion } from '../../ports/assistStore.ts';
import { type HqTx, type OpRecord, type VisitRow } from '../../ports/store.ts';
import { okOp, rejectOp } from '../deskCommand.ts';
import { type Append } from '../eventLog.ts';

/** The suggestions of a profile's next best action for one visit (none while `next` is absent). */
export function shownOf(visit: Pick<VisitRow, 'id' | 'storeId' | 'memberId'>, profile: MemberProfile, at: number): ShownSuggestion[] {
  const next = profile.next;
  if (!next) return [];
  const row = (styleId: string, role: ShownSuggestion['role']): ShownSuggestion => ({ storeId: visit.storeId, visitId: visit.id, memberId: visit.memberId, styleId, role, at });
  const rows = next.styles.map((s) => row(s, 'style'));
  if (next.addOn && !next.styles.includes(next.addOn.styleId)) rows.push(row(next.addOn.styleId, 'addon'));
  return rows;
}

/** Records what the arrival's card shows, in the arrival's transaction (hq/app/arrivals.ts). */
export async function recordShown(tx: HqTx, visit: Pick<VisitRow, 'id' | 'storeId' | 'memberId'>, profile: MemberProfile, at: number): Promise<void> {
  const rows = shownOf(visit, profile, at);
  if (rows.length) await tx.assist.putShown(rows);
}

/**
 * Records `data` as `actor`'s mark on a visit of `storeId` and appends `suggest.marked` to that
 * store's log. Another store's visit (or an unknown one) is `not_found`; a style the visit's card did
 * not show in that role is `invalid`.
 */
export async function executeMark(
  tx: HqTx,
  append: Append,
  storeId: string,
  actor: Actor,
  data: z.infer<(typeof AssistCommandData)['suggest.mark']>,
  opId: string,
  now: number,
): Promise<OpRecord> {
  const visit = await tx.getVisit(data.visitId);
  if (!visit || visit.storeId !== storeId) return rejectOp('not_found', 'No such visit at this store');
  const shown = (await tx.assist.shownOfVisit(visit.id)).find((s) => s.styleId === data.styleId);
  if (!shown) return rejectOp('invalid', `Style ${data.styleId} was not suggested on this visit`);
  if (shown.role !== data.role) return rejectOp('invalid', `Style ${data.styleId} was shown on this visit as ${shown.role === 'addon' ? 'the add-on' : 'a suggested style'}, not as ${data.role}`);
  const mark: SuggestionMark = { storeId, visitId: visit.id, memberId: visit.memberId, styleId: data.styleId, role: data.role, verdict: data.verdict, by: actor, at: now };
  await tx.assist.putMark(mark);
  const ev = await append(storeId, 'suggest.marked', { mark, by: actor, opId }, now);
  return okOp(ev.seq);
}
