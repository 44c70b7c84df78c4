// GET /v1/desk/members/{id}/history: a chain member's history for a desk of any store (device
// token). Why any store, and what it never returns: hq/app/memberHistory.ts.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { memberHistoryFor } from '../../app/memberHistory.ts';
import { type HqStore } from '../../ports/store.ts';
import { requireDevice } from './deskRoutes.ts';
import { HttpError, pathId, sendJson } from './respond.ts';

export const MEMBER_HISTORY_PATH = /^\/v1\/desk\/members\/([^/]{1,200})\/history$/;

export async function handleMemberHistory(store: HqStore, req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
  const device = await requireDevice(store, req);
  const memberId = pathId(rawId, 'member');
  const history = await memberHistoryFor(store, device.storeId, memberId);
  if (!history) throw new HttpError(404, 'member_not_found', `no member ${memberId}`);
  sendJson(res, 200, { history, at: Date.now() });
}
