// HTTP side of member communities (5/8): the member API's group routes (/v1/member/groups…, with the
// member session token of the chat API), an invite's preview and QR (no session: the token is the
// link), a host's QR for the counter screen (device token), and the chain's community settings
// (/v1/ingest/community, integration key). See docs/protocol.md, "Member API" and "HTTP".
//
// Invariants: every body and query passes its schema before a use case sees it (a bad one is 400
// with the schema's words); a member reaches only groups they belong to (or a chain group they may
// join) and sees no member ids (the use cases' views carry none); a desk reaches only invites of its
// own store's groups. The rules themselves (mute, slow mode, limits, keywords) are the use cases'
// (hq/app/groups/memberSide.ts); this file maps their refusals to statuses, one table for all.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { CommunitySettings, JoinGroupBody, MemberGroupPatch, MemberGroupRead, MemberGroupSendBody } from '../../../shared/groups.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { GroupError, type GroupMemberService } from '../../app/groups/memberSide.ts';
import { qrSvg } from '../../app/memberCard.ts';
import { type HqStore } from '../../ports/store.ts';
import { noStore, requireMember } from './chatRoutes.ts';
import { requireDevice } from './deskRoutes.ts';
import { checkIntegrationKey } from './ingest.ts';
import { HttpError, pathId, readJson, sendJson } from './respond.ts';

export interface GroupHttpContext {
  groups: GroupMemberService;
  auth: MemberAuth;
  store: HqStore;
  integrationKey: string;
  /** A member joined a group through this node: their member sockets, on every node, start following it. */
  onJoined(memberId: string): void;
  /** The member page's origin for join links (e.g. https://hq.example.com); default: this request's Host. */
  publicOrigin?: string;
  now(): number;
}

/**
 * A use case's refusal → HTTP status. Waiting helps for slow mode and the per-minute limit (429);
 * a mute lasts up to 30 days and a closed group stays closed, so those are conflicts (409).
 */
export const GROUP_ERROR_STATUS: Record<GroupError['code'], number> = {
  not_found: 404,
  member_not_found: 404,
  forbidden: 403,
  not_sender: 403,
  unauthorized: 401,
  gone: 410,
  muted: 409,
  closed: 409,
  recall_expired: 409,
  out_of_stock: 409,
  already_claimed: 409,
  not_claimed_by_you: 409,
  visit_closed: 409,
  slow_mode: 429,
  rate_limited: 429,
  blocked_word: 422,
  invalid: 400,
};

const GROUPS = '/v1/member/groups';
const INVITE = /^\/v1\/member\/invites\/([^/]{1,200})(\/qr\.svg)?$/;
const GROUP = /^\/v1\/member\/groups\/([^/]{1,200})(?:\/(leave|messages|read))?$/;
const RECALL = /^\/v1\/member\/groups\/([^/]{1,200})\/messages\/([^/]{1,200})\/recall$/;
const DESK_QR = /^\/v1\/desk\/groups\/invites\/([^/]{1,200})\/qr\.svg$/;
const COMMUNITY = '/v1/ingest/community';
/** What an invite token looks like (rules.ts makes 32 url-safe characters; the schema allows 16–64). */
const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export const isGroupRoute = (path: string): boolean =>
  path === GROUPS || path.startsWith(`${GROUPS}/`) || path.startsWith('/v1/member/invites/') || DESK_QR.test(path) || path === COMMUNITY;

const PageQuery = z
  .object({
    after: z.coerce.number().int().nonnegative().optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((q) => q.after === undefined || q.before === undefined, { message: 'give after or before, not both' });

/** Handles the group routes (callers check `isGroupRoute` first). */
export async function handleGroupHttp(ctx: GroupHttpContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
  const expect = (...ms: string[]) => {
    if (!ms.includes(method)) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${ms.join(', ')}`);
  };
  try {
    if (path === COMMUNITY) {
      expect('GET', 'PUT');
      checkIntegrationKey(ctx, req);
      const settings = method === 'GET' ? await ctx.groups.communitySettings() : await ctx.groups.putCommunitySettings(await body(req, CommunitySettings));
      return sendJson(res, 200, settings, noStore);
    }
    const deskQr = DESK_QR.exec(path);
    if (deskQr) {
      expect('GET');
      const device = await requireDevice(ctx.store, req);
      const inviteId = pathId(deskQr[1]!, 'invite');
      const found = await ctx.store.read(async (r) => {
        const invite = await r.groups.getInvite(inviteId);
        return invite ? { invite, group: await r.groups.getGroup(invite.groupId) } : null;
      });
      // Another store's invite is answered as unknown: a desk learns nothing about other stores' groups.
      if (!found?.group || found.group.storeId !== device.storeId) throw new HttpError(404, 'not_found', 'no such invite at this store');
      if (found.invite.revokedAt !== null || found.invite.expiresAt <= ctx.now()) throw new HttpError(410, 'gone', 'this invite was revoked or has expired');
      return sendSvg(res, await qrSvg(joinLink(ctx, req, found.group.storeId, found.invite.token)));
    }
    const invite = INVITE.exec(path);
    if (invite) {
      expect('GET');
      const token = decode(invite[1]!);
      if (!TOKEN.test(token)) throw new HttpError(404, 'not_found', 'no such invite');
      if (!invite[2]) return sendJson(res, 200, await ctx.groups.preview(token), noStore);
      const storeId = await ctx.store.read(async (r) => {
        const inv = await r.groups.inviteByToken(token);
        return inv ? ((await r.groups.getGroup(inv.groupId))?.storeId ?? null) : null;
      });
      if (!storeId) throw new HttpError(404, 'not_found', 'no such invite');
      return sendSvg(res, await qrSvg(joinLink(ctx, req, storeId, token)));
    }
    return await memberGroupRoute(ctx, req, res, path, expect);
  } catch (err) {
    if (err instanceof GroupError) throw new HttpError(GROUP_ERROR_STATUS[err.code] ?? 400, err.code, err.message);
    throw err;
  }
}

async function memberGroupRoute(ctx: GroupHttpContext, req: IncomingMessage, res: ServerResponse, path: string, expect: (...ms: string[]) => void): Promise<void> {
  const { memberId } = await requireMember(ctx.auth, req);
  const g = ctx.groups;
  if (path === GROUPS) {
    expect('GET');
    return sendJson(res, 200, await g.list(memberId), noStore);
  }
  if (path === `${GROUPS}/join`) {
    expect('POST');
    const joined = await g.join(memberId, await body(req, JoinGroupBody));
    ctx.onJoined(memberId);
    return sendJson(res, 200, joined, noStore);
  }
  const recall = RECALL.exec(path);
  if (recall) {
    expect('POST');
    return sendJson(res, 200, { message: await g.recall(memberId, pathId(recall[1]!, 'group'), pathId(recall[2]!, 'message')) });
  }
  const m = GROUP.exec(path);
  if (!m) throw new HttpError(404, 'not_found', `no route ${req.method} ${path}`);
  const groupId = pathId(m[1]!, 'group');
  switch (m[2]) {
    case undefined:
      expect('PATCH');
      return sendJson(res, 200, { group: await g.patch(memberId, groupId, await body(req, MemberGroupPatch)) });
    case 'leave':
      expect('POST');
      await g.leave(memberId, groupId);
      return sendJson(res, 200, { groupId, left: true });
    case 'read': {
      expect('POST');
      const { upTo } = await body(req, MemberGroupRead);
      await g.read(memberId, groupId, upTo);
      return sendJson(res, 200, { groupId, readN: upTo });
    }
    default: {
      expect('GET', 'POST');
      if (req.method === 'GET') {
        const q = PageQuery.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://hq').searchParams));
        if (!q.success) throw new HttpError(400, 'invalid_query', 'after (≥ 0) or before (≥ 1), not both, and limit 1 to 100');
        return sendJson(res, 200, await g.page(memberId, groupId, q.data), noStore);
      }
      const r = await g.send(memberId, groupId, await body(req, MemberGroupSendBody));
      return sendJson(res, r.duplicate ? 200 : 201, r);
    }
  }
}

/** A body through its schema; a schema failure is 400 here (the request is malformed; nothing was applied). */
async function body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  try {
    return (await readJson(req, schema)).value;
  } catch (err) {
    if (err instanceof HttpError && err.status === 422) throw new HttpError(400, err.code, err.message);
    throw err;
  }
}

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(404, 'not_found', 'no such invite');
  }
}

/** The member page's join link: `<origin>/m/?store=<storeId>&join=<token>`. */
export function joinLink(ctx: Pick<GroupHttpContext, 'publicOrigin'>, req: IncomingMessage, storeId: string, token: string): string {
  return `${originOf(ctx, req)}/m/?store=${encodeURIComponent(storeId)}&join=${encodeURIComponent(token)}`;
}

/** The member page's origin: HQ's public origin, else the one the caller reached HQ by. */
export function originOf(ctx: Pick<GroupHttpContext, 'publicOrigin'>, req: IncomingMessage): string {
  let origin = ctx.publicOrigin?.replace(/\/+$/, '');
  if (!origin) {
    // The Host the phone or the desk reached HQ by (the same check as the member page's CSP); a
    // TLS proxy in front says so in X-Forwarded-Proto. Either only shapes this caller's own answer.
    const host = /^[A-Za-z0-9.[\]:-]{1,255}$/.test(req.headers.host ?? '') ? req.headers.host! : '127.0.0.1';
    origin = `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${host}`;
  }
  return origin;
}

export function sendSvg(res: ServerResponse, svg: string): void {
  res.writeHead(200, { 'content-type': 'image/svg+xml; charset=utf-8', 'content-length': Buffer.byteLength(svg), ...noStore, 'x-content-type-options': 'nosniff' });
  res.end(svg);
}
