// HTTP side of live rooms (6/8): the public reads a viewer's page needs without a session (the
// chain's room list, one room, its QR, the pinned product's card at the viewer's store, a lottery's
// audit) and the manager's after-stream summary (device token of the room's store). See
// docs/protocol.md, "Live rooms" and "HTTP".
//
// Invariants: every path id and query passes its check before a use case sees it (a bad one is
// 400); the public answers carry no member ids and no creator (PublicRoom, the audit's opaque refs);
// a desk reaches only its own store's summaries (another store's room is 404, like none); the
// public routes are rate-limited per IP like the other routes without a session (rateLimit.ts).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { Id } from '../../../shared/domain.ts';
import { LiveError, type LiveService, publicRoom } from '../../app/live/service.ts';
import { qrSvg } from '../../app/memberCard.ts';
import { type HqStore } from '../../ports/store.ts';
import { noStore } from './chatRoutes.ts';
import { requireDevice } from './deskRoutes.ts';
import { GROUP_ERROR_STATUS, originOf, sendSvg } from './groupRoutes.ts';
import { HttpError, pathId, sendJson } from './respond.ts';

export interface LiveHttpContext {
  live: LiveService;
  store: HqStore;
  /** The member page's origin for room links and their QR; default: this request's Host. */
  publicOrigin?: string;
}

const ROOMS = '/v1/live/rooms';
const ROOM = /^\/v1\/live\/rooms\/([^/]{1,200})(?:\/(qr\.svg|product))?$/;
const AUDIT = /^\/v1\/live\/rooms\/([^/]{1,200})\/lotteries\/([^/]{1,200})\/audit$/;
const SUMMARY = /^\/v1\/desk\/live\/rooms\/([^/]{1,200})\/summary$/;
/** Public reads change by the second while a room is live; a few seconds of caching spares HQ a crowd's reloads. */
const shortCache = { 'cache-control': 'public, max-age=5' };

export const isLiveRoute = (path: string): boolean => path === ROOMS || path.startsWith(`${ROOMS}/`) || SUMMARY.test(path);

const StoreQuery = z.object({ store: Id.optional() });

function storeQuery(req: IncomingMessage): string | null {
  const q = StoreQuery.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://hq').searchParams));
  if (!q.success) throw new HttpError(400, 'invalid_query', 'store is a store id (1 to 64 characters)');
  return q.data.store ?? null;
}

/** The viewer's page of a room: `<origin>/m/live.html?room=<id>`. */
export function roomLink(ctx: Pick<LiveHttpContext, 'publicOrigin'>, req: IncomingMessage, roomId: string): string {
  return `${originOf(ctx, req)}/m/live.html?room=${encodeURIComponent(roomId)}`;
}

/** Handles the live routes (callers check `isLiveRoute` first). */
export async function handleLiveHttp(ctx: LiveHttpContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
  if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', `${path} accepts GET`);
  try {
    if (path === ROOMS) return sendJson(res, 200, { rooms: await ctx.live.publicRooms(storeQuery(req)) }, shortCache);
    const summary = SUMMARY.exec(path);
    if (summary) {
      const device = await requireDevice(ctx.store, req);
      return sendJson(res, 200, await ctx.live.summary(pathId(summary[1]!, 'room'), device.storeId), noStore);
    }
    const audit = AUDIT.exec(path);
    if (audit) return sendJson(res, 200, await ctx.live.audit(pathId(audit[1]!, 'room'), pathId(audit[2]!, 'lottery')));
    const m = ROOM.exec(path);
    if (!m) throw new HttpError(404, 'not_found', `no route GET ${path}`);
    const roomId = pathId(m[1]!, 'room');
    if (m[2] === 'product') {
      const storeId = storeQuery(req);
      if (!storeId) throw new HttpError(400, 'invalid_query', 'store is required: the store whose stock the card shows');
      return sendJson(res, 200, { roomId, storeId, card: await ctx.live.productCard(roomId, storeId) }, shortCache);
    }
    const found = await ctx.live.room(roomId);
    if (!found) throw new HttpError(404, 'not_found', 'no such room');
    if (m[2] === 'qr.svg') return sendSvg(res, await qrSvg(roomLink(ctx, req, roomId)));
    return sendJson(res, 200, { room: publicRoom(found.room), storeName: found.storeName }, shortCache);
  } catch (err) {
    if (err instanceof LiveError) throw new HttpError(GROUP_ERROR_STATUS[err.code] ?? 400, err.code, err.message);
    throw err;
  }
}
