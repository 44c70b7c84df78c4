// HTTP side of chat: the member API (/v1/member/*), the integration's member tokens, image upload
// and download, desk history paging, and HQ's member chat page (/m/). See docs/protocol.md.
import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Id, MAX_IMAGE_BYTES } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { bearerToken, deviceForToken } from '../../app/devices.ts';
import { requireDevice } from './deskRoutes.ts';
import { HttpError, readBytes, readJson, sendJson } from './respond.ts';
import { secretEquals } from '../../app/tokens.ts';
import { checkImage } from '../../app/chat/images.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { memberCardSvg } from '../../app/memberCard.ts'; // 4/8 part A
import { MemberReceiptBody, MemberSendBody, MemberSessionRequest, MemberTokenRequest } from '../ws/memberProtocol.ts';
import { ChatError, type ChatService } from '../../app/chat/service.ts';
import { memberHoldsFor } from '../../app/holds/reads.ts'; // 4/8 part C
import { type EventLog } from '../../app/eventLog.ts';
import { handleMemberExpectedRoute, isMemberExpectedRoute } from './expectedRoutes.ts'; // 5/8 expected visits
import { MemberConsentsBody } from '../../../shared/assist.ts'; // 7/8 attribution
import { ConsentsError, memberConsents, setMemberConsents } from '../../app/assist/consents.ts'; // 7/8 attribution

export interface ChatHttpContext {
  chat: ChatService;
  auth: MemberAuth;
  integrationKey: string;
  /** 5/8: member-made holds and expected visits write to the store's log. */
  eventLog: EventLog;
}

const PAGE_DIR = fileURLToPath(new URL('../../member-page/', import.meta.url));
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/m': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/m/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/m/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/m/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/m/queue.js': { file: 'queue.js', type: 'text/javascript; charset=utf-8' },
  '/m/holds.js': { file: 'holds.js', type: 'text/javascript; charset=utf-8' }, // 4/8 part C
  '/m/groups.js': { file: 'groups.js', type: 'text/javascript; charset=utf-8' }, // 5/8 part C
  '/m/consents.js': { file: 'consents.js', type: 'text/javascript; charset=utf-8' }, // 7/8 attribution: My choices
  '/m/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  // 6/8 part L4: the live room's viewer page and the member page's "Live" entry
  '/m/live.html': { file: 'live.html', type: 'text/html; charset=utf-8' },
  '/m/live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  '/m/live-draw.js': { file: 'live-draw.js', type: 'text/javascript; charset=utf-8' },
  '/m/live-list.js': { file: 'live-list.js', type: 'text/javascript; charset=utf-8' },
  '/m/live.css': { file: 'live.css', type: 'text/css; charset=utf-8' },
};

const ERROR_STATUS: Record<string, number> = { not_found: 404, not_sender: 403, recall_expired: 409, out_of_stock: 409, invalid: 422 };

const HistoryQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** Handles chat routes; returns false for any other path. */
export async function handleChatHttp(ctx: ChatHttpContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<boolean> {
  const expect = (m: string) => {
    if (method !== m) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${m}`);
  };
  try {
    if (PAGE_FILES[path]) {
      expect('GET');
      await servePage(req, res, PAGE_FILES[path]);
      return true;
    }
    if (path === '/v1/member/session') {
      expect('POST');
      const { value } = await readJson(req, MemberSessionRequest);
      const r = await ctx.auth.login(value.storeId, value.memberCode, value.phoneLast4);
      if (r === 'throttled') throw new HttpError(429, 'too_many_attempts', 'too many failed attempts; try again in 15 minutes');
      if (r === 'denied') throw new HttpError(401, 'unauthorized', 'card code, phone or store do not match');
      sendJson(res, 201, r, noStore);
      return true;
    }
    if (path === '/v1/integration/member-token') {
      expect('POST');
      const key = req.headers['x-integration-key'];
      if (typeof key !== 'string' || !secretEquals(key, ctx.integrationKey)) throw new HttpError(401, 'unauthorized', 'missing or wrong X-Integration-Key');
      const { value } = await readJson(req, MemberTokenRequest);
      const { member, store } = await ctx.chat.store.read(async (r) => ({
        member: value.memberId ? await r.getMember(value.memberId) : await r.findMemberByCode(value.memberCode!),
        store: await r.getStore(value.storeId),
      }));
      if (!member) throw new HttpError(404, 'member_not_found', 'no such member');
      if (!store) throw new HttpError(404, 'store_not_found', 'no such store');
      if (!(await ctx.auth.mayChat(member, value.storeId))) throw new HttpError(403, 'not_allowed', 'the member neither belongs to nor visited this store');
      sendJson(res, 201, await ctx.auth.issue(member, value.storeId), noStore);
      return true;
    }
    if (path === '/v1/live/stores') {
      // 6/8 part L4: the chain's stores for a live room's viewer to choose where to "reserve my size"
      // (no session: a store's name and city are public, as on the room's own page).
      expect('GET');
      const stores = await ctx.chat.store.read((r) => r.listStores());
      const list = stores.map((s) => ({ id: s.id, name: s.name, city: s.city ?? '' })).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
      sendJson(res, 200, { stores: list }, { 'cache-control': 'max-age=60' });
      return true;
    }
    if (path.startsWith('/v1/member/')) {
      await memberRoute(ctx, req, res, path, method, expect);
      return true;
    }
    if (path === '/v1/desk/images' || path === '/v1/desk/messages') {
      const device = await requireDevice(ctx.chat.store, req);
      if (path === '/v1/desk/images') {
        expect('POST');
        sendJson(res, 201, { image: await storeUpload(ctx, req, device.storeId, null) });
      } else {
        expect('GET');
        const url = new URL(req.url ?? '/', 'http://hq');
        const memberId = Id.safeParse(url.searchParams.get('memberId'));
        if (!memberId.success) throw new HttpError(422, 'invalid_query', 'memberId is required');
        const q = parseHistory(url);
        if (!(await ctx.chat.memberReachable(device.storeId, memberId.data))) throw new HttpError(404, 'not_found', 'no such member for this store');
        sendJson(res, 200, await ctx.chat.history(device.storeId, memberId.data, q.before ?? null, q.limit ?? 50), noStore);
      }
      return true;
    }
    const img = /^\/v1\/chat\/images\/([A-Za-z0-9-]{1,64})$/.exec(path);
    if (img) {
      expect('GET');
      await serveImage(ctx, req, res, img[1]!);
      return true;
    }
    return false;
  } catch (err) {
    if (err instanceof ChatError) throw new HttpError(ERROR_STATUS[err.code] ?? 422, err.code, err.message);
    throw err;
  }
}

export const noStore = { 'cache-control': 'no-store' };

function parseHistory(url: URL): z.infer<typeof HistoryQuery> {
  const q = HistoryQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) throw new HttpError(422, 'invalid_query', 'before and limit must be positive integers (limit ≤ 100)');
  return q.data;
}

/** The member session the request's bearer token names, or 401: every member route starts here (chat's, groups'). */
export async function requireMember(auth: MemberAuth, req: IncomingMessage): Promise<NonNullable<Awaited<ReturnType<MemberAuth['session']>>>> {
  const session = await auth.session(bearerToken(req.headers.authorization));
  if (!session) throw new HttpError(401, 'unauthorized', 'missing, unknown or expired member token');
  return session;
}

async function memberRoute(ctx: ChatHttpContext, req: IncomingMessage, res: ServerResponse, path: string, method: string, expect: (m: string) => void): Promise<void> {
  const session = await requireMember(ctx.auth, req);
  const { storeId, memberId } = session;
  if (path === '/v1/member/me') {
    expect('GET');
    const conv = await ctx.chat.store.read((r) => r.chat.getConversation(storeId, memberId));
    return sendJson(res, 200, { memberId, memberName: session.memberName, storeId, storeName: session.storeName, expiresAt: session.expiresAt, lastN: conv?.lastN ?? 0 }, noStore);
  }
  if (path === '/v1/member/card.svg') {
    // 4/8 part A: "My card" — the signed-in member's QR for check-in at the counter (hq/app/memberCard.ts).
    expect('GET');
    const member = await ctx.chat.store.read((r) => r.getMember(memberId));
    if (!member) throw new HttpError(404, 'not_found', 'no such member');
    const svg = await memberCardSvg(member.code);
    res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'content-length': Buffer.byteLength(svg), ...noStore, 'x-content-type-options': 'nosniff' });
    res.end(svg);
    return;
  }
  if (path === '/v1/member/messages') {
    if (method === 'GET') {
      const q = parseHistory(new URL(req.url ?? '/', 'http://hq'));
      return sendJson(res, 200, await ctx.chat.history(storeId, memberId, q.before ?? null, q.limit ?? 50), noStore);
    }
    expect('POST');
    const { value } = await readJson(req, MemberSendBody);
    const r = await ctx.chat.sendFromMember(storeId, memberId, value);
    return sendJson(res, r.duplicate ? 200 : 201, { status: r.duplicate ? 'duplicate' : 'ok', message: r.message });
  }
  const recall = /^\/v1\/member\/messages\/([A-Za-z0-9-]{1,64})\/recall$/.exec(path);
  if (recall) {
    expect('POST');
    return sendJson(res, 200, { message: await ctx.chat.recallByMember(storeId, memberId, recall[1]!) });
  }
  if (path === '/v1/member/receipts') {
    expect('POST');
    const { value } = await readJson(req, MemberReceiptBody);
    return sendJson(res, 200, { receipts: await ctx.chat.memberReceipt(storeId, memberId, value) });
  }
  if (path === '/v1/member/images') {
    expect('POST');
    return sendJson(res, 201, { image: await storeUpload(ctx, req, storeId, memberId) });
  }
  // 5/8: "hold a pair for me" (POST /v1/member/holds) and "I'll come and try it" (/v1/member/expected)
  if (isMemberExpectedRoute(path, method)) return handleMemberExpectedRoute(ctx.eventLog, { memberId, storeId }, req, res, path, method, ctx.chat.now());
  // 7/8 attribution: the member's consent choices, per purpose (GET them, PUT a change)
  if (path === '/v1/member/consents') {
    try {
      if (method === 'GET') return sendJson(res, 200, { consents: await memberConsents(ctx.chat.store, memberId) }, noStore);
      expect('PUT');
      const { value } = await readJson(req, MemberConsentsBody);
      return sendJson(res, 200, { consents: (await setMemberConsents(ctx.eventLog, memberId, value, ctx.chat.now())).consents }, noStore);
    } catch (err) {
      if (err instanceof ConsentsError) throw new HttpError(404, err.code, err.message);
      throw err;
    }
  }
  // 4/8 part C: the member's active holds at every store (what, where, until when)
  if (path === '/v1/member/holds') {
    expect('GET');
    return sendJson(res, 200, { holds: await memberHoldsFor(ctx.chat.store, memberId) }, noStore);
  }
  throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
}

/** Reads the raw body (≤ 2 MiB + 1), checks it by magic bytes, stores it. */
async function storeUpload(ctx: ChatHttpContext, req: IncomingMessage, storeId: string, memberId: string | null) {
  const bytes = await readBytes(req, MAX_IMAGE_BYTES + 1, () => new HttpError(413, 'too_large', `images may be at most ${MAX_IMAGE_BYTES} bytes`));
  const check = checkImage(bytes);
  if (!check.ok) throw new HttpError(check.code === 'too_large' ? 413 : 415, check.code, check.message);
  const now = ctx.chat.now();
  const id = uuidv7(now);
  await ctx.chat.store.withTx((tx) => tx.chat.putImage({ id, storeId, memberId, mime: check.mime, bytes, createdAt: now }));
  return { id, mime: check.mime, bytes: bytes.length };
}

/** An image is served to a desk of its store, or to a member whose conversation shows it (or who uploaded it). */
async function serveImage(ctx: ChatHttpContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const token = bearerToken(req.headers.authorization);
  const img = await ctx.chat.store.read((r) => r.chat.getImage(id));
  const device = await deviceForToken(ctx.chat.store, token);
  const session = device ? null : await ctx.auth.session(token);
  if (!device && !session) throw new HttpError(401, 'unauthorized', 'a device or member token is required');
  const allowed =
    img &&
    (device
      ? device.storeId === img.storeId
      : session!.storeId === img.storeId &&
        (img.memberId === session!.memberId || (await ctx.chat.store.read((r) => r.chat.imageInConversation(img.storeId, session!.memberId, id)))));
  if (!img || !allowed) throw new HttpError(404, 'not_found', 'no such image');
  res.writeHead(200, {
    'content-type': img.mime,
    'content-length': img.bytes.length,
    'cache-control': 'private, max-age=86400, immutable',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  });
  res.end(img.bytes);
}

async function servePage(req: IncomingMessage, res: ServerResponse, page: { file: string; type: string }): Promise<void> {
  const body = await readFile(PAGE_DIR + page.file);
  const host = /^[A-Za-z0-9.[\]:-]{1,255}$/.test(req.headers.host ?? '') ? req.headers.host! : '';
  const ws = host ? ` ws://${host} wss://${host}` : '';
  res.writeHead(200, {
    'content-type': page.type,
    'content-length': body.length,
    'cache-control': 'no-cache',
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' blob:",
      `connect-src 'self'${ws}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
