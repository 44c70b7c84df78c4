// GET /v1/desk/members/{id}/history: a chain member's history for a desk of any store (device
// token). Why any store, and what it never returns: hq/app/memberHistory.ts.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Id } from '../../../shared/domain.ts';
import { bearerToken, deviceForToken } from '../../app/devices.ts';
import { memberHistoryFor } from '../../app/memberHistory.ts';
import { type HqStore } from '../../ports/store.ts';
import { HttpError, sendJson } from './respond.ts';

export const MEMBER_HISTORY_PATH = /^\/v1\/desk\/members\/([^/]{1,200})\/history$/;

export async function handleMemberHistory(store: HqStore, req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
  const device = await deviceForToken(store, bearerToken(req.headers.authorization));
  if (!device) throw new HttpError(401, 'unauthorized', 'missing, unknown or revoked device token');
  let memberId: string;
  try {
    memberId = decodeURIComponent(rawId);
  } catch {
    throw new HttpError(400, 'bad_member_id', 'the member id in the path is not valid percent-encoding');
  }
  if (!Id.safeParse(memberId).success) throw new HttpError(400, 'bad_member_id', 'a member id is 1 to 64 characters');
  const history = await memberHistoryFor(store, device.storeId, memberId);
  if (!history) throw new HttpError(404, 'member_not_found', `no member ${memberId}`);
  sendJson(res, 200, { history, at: Date.now() });
}
