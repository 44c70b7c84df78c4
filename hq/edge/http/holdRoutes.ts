// HTTP side of holds for desks: GET /v1/desk/stock/{styleId} — the style's stock at every store of
// the chain by colour and size, active holds subtracted, so a clerk can see where a size is and ask
// that store to hold it. Stores, sizes and counts only: no member data at all.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { styleStockFor } from '../../app/holds/reads.ts';
import { type HqStore } from '../../ports/store.ts';
import { requireDevice } from './deskRoutes.ts';
import { HttpError, pathId, sendJson } from './respond.ts';

const STOCK_ROUTE = /^\/v1\/desk\/stock\/([^/]{1,200})$/;

export const isHoldRoute = (path: string): boolean => STOCK_ROUTE.test(path);

export async function handleHoldRoute(store: HqStore, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
  if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${path} accepts GET`);
  const device = await requireDevice(store, req);
  const styleId = pathId(STOCK_ROUTE.exec(path)![1]!, 'style');
  const stock = await styleStockFor(store, device.storeId, styleId);
  if (!stock) throw new HttpError(404, 'style_not_found', `no style ${styleId}`);
  sendJson(res, 200, stock, { 'cache-control': 'no-store' });
}
