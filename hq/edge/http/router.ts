// The HTTP request handler: routes, auth per route, and the promise that a bad request is
// answered with a 4xx JSON error and never brings the server down. A database that cannot be
// reached right now is answered 503 with Retry-After (the client retries; nothing was half-applied).
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { deleteMember } from '../../app/memberDeletion.ts';
import { StoreUnavailable } from '../../ports/store.ts';
import { handleEnroll, handleMemberProfile, handleMemberSearch, handleSnapshot } from './deskRoutes.ts';
import {
  checkIntegrationKey,
  handleArrival,
  handleArrivalBatch,
  handleCatalog,
  handleMembers,
  handleMembersCsv,
  handleStock,
  handleStockCsv,
  handleCatalogCsv,
  handleStores,
  type IngestContext,
} from './ingest.ts';
import { handleManagerRoute, isManagerRoute } from './managerRoutes.ts';
import { handleMemberHistory, MEMBER_HISTORY_PATH } from './memberHistoryRoutes.ts';
import { HttpError, sendError, sendJson } from './respond.ts';
import { handleUpdates, isUpdatesRoute } from './updates.ts';
import { handleHoldRoute, isHoldRoute } from './holdRoutes.ts'; // 4/8 part C

type Handler = (ctx: IngestContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

const ingestRoutes: Record<string, Handler> = {
  '/v1/ingest/arrivals': handleArrival,
  '/v1/ingest/arrivals/batch': handleArrivalBatch,
  '/v1/ingest/stores': handleStores,
  '/v1/ingest/members': handleMembers,
  '/v1/ingest/catalog': handleCatalog,
  '/v1/ingest/stock': handleStock,
  '/v1/ingest/members.csv': handleMembersCsv,
  '/v1/ingest/stock.csv': handleStockCsv,
  '/v1/ingest/catalog.csv': handleCatalogCsv, // 7/8 nba: styles and accessories (kind, goes_with)
};

/** Extra routes (chat, the member page): answers true when it handled the request. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, path: string, method: string) => Promise<boolean>;

export interface RouterOptions {
  /** Folder of desk-app update feeds, one subfolder per channel (GET /updates/<channel>/<file>). */
  updatesDir?: string;
}

export function createRequestHandler(ctx: IngestContext, log: (line: string) => void, extra?: ExtraRoutes, options: RouterOptions = {}) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void route(ctx, req, res, extra, options).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendError(res, err);
        return;
      }
      if (err instanceof StoreUnavailable) {
        // Not logged per request: during an outage every request would log it.
        if (!res.headersSent) sendJson(res, 503, { error: { code: 'unavailable', message: err.message } }, { 'retry-after': String(err.retryAfterSeconds) });
        return;
      }
      log(`http ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal', 'internal error'));
    });
  };
}

async function route(ctx: IngestContext, req: IncomingMessage, res: ServerResponse, extra: ExtraRoutes | undefined, options: RouterOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://hq').pathname;
  const method = req.method ?? 'GET';
  const expect = (m: string) => {
    if (method !== m) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${m}`);
  };

  if (path === '/v1/health') {
    expect('GET');
    return sendJson(res, 200, { ok: true, time: Date.now() });
  }
  if (path === '/v1/enroll') {
    expect('POST');
    return handleEnroll(ctx.store, req, res);
  }
  if (path === '/v1/snapshot') {
    expect('GET');
    return handleSnapshot(ctx.store, req, res);
  }
  if (path === '/v1/desk/members') {
    expect('GET');
    return handleMemberSearch(ctx.store, req, res);
  }
  // 4/8 member page: a chain member's history
  const memberHistory = MEMBER_HISTORY_PATH.exec(path);
  if (memberHistory) {
    expect('GET');
    return handleMemberHistory(ctx.store, req, res, memberHistory[1]!);
  }
  const deskMember = /^\/v1\/desk\/members\/([^/]{1,200})$/.exec(path);
  if (deskMember) {
    expect('GET');
    return handleMemberProfile(ctx.store, req, res, deskMember[1]!);
  }
  if (isUpdatesRoute(path)) return handleUpdates(options.updatesDir, req, res, path, method);
  if (isHoldRoute(path)) return handleHoldRoute(ctx.store, req, res, path, method); // 4/8 part C: GET /v1/desk/stock/{styleId}
  if (isManagerRoute(path)) return handleManagerRoute(ctx, req, res, path, method);
  const erase = /^\/v1\/ingest\/members\/([^/]{1,64})$/.exec(path);
  if (erase) {
    expect('DELETE');
    checkIntegrationKey(ctx, req);
    let memberId: string;
    try {
      memberId = decodeURIComponent(erase[1]!);
    } catch {
      throw new HttpError(400, 'bad_member_id', 'the member id in the path is not valid percent-encoding');
    }
    const result = await deleteMember(ctx.eventLog, memberId);
    if (!result) throw new HttpError(404, 'member_not_found', `no member ${memberId}`);
    return sendJson(res, 200, { deleted: memberId, stores: result.events.length, trimmedEvents: result.trimmed });
  }
  const ingest = ingestRoutes[path];
  if (ingest) {
    expect('POST');
    checkIntegrationKey(ctx, req);
    return ingest(ctx, req, res);
  }
  if (extra && (await extra(req, res, path, method))) return;
  throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
}
