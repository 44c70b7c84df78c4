// PLACEHOLDER (7/8 part "attribution" fills it): a clerk's mark on a suggestion of a visit.
import { type AssistCommandData } from '../../../shared/assist.ts';
import { type Actor } from '../../../shared/domain.ts';
import { type z } from 'zod';
import { type HqTx, type OpRecord } from '../../ports/store.ts';
import { rejectOp } from '../deskCommand.ts';
import { type Append } from '../eventLog.ts';

/**
 * Records `data` as `actor`'s mark on a visit of `storeId` and appends `suggest.marked` to that
 * store's log. Another store's visit (or an unknown one) is `not_found`.
 */
export async function executeMark(
  _tx: HqTx,
  _append: Append,
  _storeId: string,
  _actor: Actor,
  _data: z.infer<(typeof AssistCommandData)['suggest.mark']>,
  _opId: string,
  _now: number,
): Promise<OpRecord> {
  return rejectOp('invalid', 'suggest.mark is not built yet');
}
