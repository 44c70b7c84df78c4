// PLACEHOLDER (7/8 part "restock" fills it): restock matches and what clerks did about them.
import { type AssistCommandData } from '../../../shared/assist.ts';
import { type Actor } from '../../../shared/domain.ts';
import { type z } from 'zod';
import { type HqTx, type OpRecord } from '../../ports/store.ts';
import { rejectOp } from '../deskCommand.ts';
import { type Append } from '../eventLog.ts';

/**
 * Records that `actor` acted on `data.memberId` of restock match `data.matchId` of `storeId` and
 * appends `restock.updated`. Another store's match (or an unknown one, or a member not in it) is `not_found`.
 */
export async function executeRestockDone(
  _tx: HqTx,
  _append: Append,
  _storeId: string,
  _actor: Actor,
  _data: z.infer<(typeof AssistCommandData)['restock.done']>,
  _opId: string,
  _now: number,
): Promise<OpRecord> {
  return rejectOp('invalid', 'restock.done is not built yet');
}
