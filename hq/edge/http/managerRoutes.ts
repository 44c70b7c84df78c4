// Clerk and manager routes:
//   POST /v1/ingest/clerks, /v1/ingest/clerks.csv   X-Integration-Key   create/update clerks (PIN hashed here;
//                                                                     the stores' desks get `clerks.updated`)
//   GET  /v1/clerks                                  device token        the store's clerks with PIN hashes (offline sign-in)
//   POST /v1/clerks/signin                           device token        {clerkId, pin} → {clerk, session, expiresAt}
//   POST /v1/clerks/signout                          device token + X-Clerk-Session
//   GET  /v1/reports/kpis | /visits | /visits.csv    a manager session (device token + X-Clerk-Session of a
//                                                    manager of that store) or X-Admin-Key (any/all stores)
//   GET  /v1/reports/timeline?visit=<id>             as the reports: one visit's timeline (built in SQL)
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ClerkImport, type ClerksResponse, SignInRequest } from '../../../shared/clerks.ts';
import { ReportArgs, type ReportQuery } from '../../../shared/kpis.ts';
import { CSV_LANGS, visitsCsv } from '../../../shared/visitsCsv.ts';
import { zoneOffsetMin } from '../../../shared/zoneTime.ts';
import { describeIssues } from '../../../shared/protocol.ts';
import { adminKey, clerkForSession, importClerks, PinGuard, signIn } from '../../app/clerks/service.ts';
import { type EventLog } from '../../app/eventLog.ts';
import { type HqStore } from '../../ports/store.ts';
import { secretEquals, sha256 } from '../../app/tokens.ts';
import { parseCsv } from './csv.ts';
import { checkIntegrationKey, type IngestContext } from './ingest.ts';
import { requireDevice } from './deskRoutes.ts';
import { CSV_LIMIT, HttpError, readBody, readJson, sendJson } from './respond.ts';

export const isManagerRoute = (path: string): boolean =>
  path === '/v1/ingest/clerks' || path === '/v1/ingest/clerks.csv' || path === '/v1/clerks' || path.startsWith('/v1/clerks/') || path.startsWith('/v1/reports/');

const guards = new WeakMap<HqStore, PinGuard>();
const guardOf = (store: HqStore) => {
  let g = guards.get(store);
  if (!g) guards.set(store, (g = new PinGuard(store)));
  return g;
};

const ClerkImportList = z.array(ClerkImport).min(1).max(5000);

export async function handleManagerRoute(ctx: IngestContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<void> {
  const expect = (m: string) => {
    if (method !== m) throw new HttpError(405, 'method_not_allowed', `${path} accepts ${m}`);
  };
  const { store } = ctx;
  switch (path) {
    case '/v1/ingest/clerks': {
      expect('POST');
      checkIntegrationKey(ctx, req);
      const { value } = await readJson(req, ClerkImportList);
      return sendJson(res, 200, await importClerks(ctx.eventLog, value, Date.now()));
    }
    case '/v1/ingest/clerks.csv': {
      expect('POST');
      checkIntegrationKey(ctx, req);
      return sendJson(res, 200, await importClerksCsv(ctx.eventLog, await readBody(req, CSV_LIMIT)));
    }
    case '/v1/clerks': {
      expect('GET');
      const device = await requireDevice(store, req);
      const body: ClerksResponse = { storeId: device.storeId, clerks: await store.read((r) => r.clerks.listClerks(device.storeId)) };
      return sendJson(res, 200, body, { 'cache-control': 'no-store' });
    }
    case '/v1/clerks/signin': {
      expect('POST');
      const device = await requireDevice(store, req);
      const { value } = await readJson(req, SignInRequest);
      const out = await signIn(store, guardOf(store), device, value.clerkId, value.pin);
      if (!out.ok) {
        return sendJson(res, out.status, { error: { code: out.code, message: out.message }, attemptsLeft: out.attemptsLeft, retryAt: out.retryAt });
      }
      return sendJson(res, 200, out.response, { 'cache-control': 'no-store' });
    }
    case '/v1/clerks/signout': {
      expect('POST');
      await requireDevice(store, req);
      const token = header(req, 'x-clerk-session');
      if (token) {
        const hash = sha256(token);
        await store.withTx((tx) => tx.clerks.deleteSession(hash));
      }
      return sendJson(res, 200, { ok: true });
    }
    case '/v1/reports/timeline': {
      expect('GET');
      const url = new URL(req.url ?? '/', 'http://hq');
      const stores = await reportScope(store, req, url);
      const visitId = url.searchParams.get('visit') ?? '';
      if (!visitId || visitId.length > 100) throw new HttpError(400, 'bad_query', 'visit: required');
      const timeline = await store.read(async (r) => {
        for (const storeId of stores) {
          const found = await r.clerks.timeline(storeId, visitId);
          if (found) return found;
        }
        return null;
      });
      if (!timeline) throw new HttpError(404, 'not_found', 'no such visit in the store(s)');
      return sendJson(res, 200, timeline, { 'cache-control': 'no-store' });
    }
    case '/v1/reports/kpis':
    case '/v1/reports/visits':
    case '/v1/reports/visits.csv': {
      expect('GET');
      const url = new URL(req.url ?? '/', 'http://hq');
      const stores = await reportScope(store, req, url);
      const q = reportQuery(url);
      if (path === '/v1/reports/kpis') {
        const { all, perStore, assist } = await store.read(async (r) => {
          const all = await r.clerks.figures(stores, q);
          const perStore = [];
          for (const storeId of stores) {
            perStore.push({ storeId, storeName: (await r.getStore(storeId))?.name ?? storeId, kpis: (await r.clerks.figures([storeId], q)).kpis });
          }
          const assist = await r.assist.kpis(stores, q); // 7/8 attribution
          return { all, perStore, assist };
        });
        return sendJson(res, 200, { from: q.from, to: q.to, stores, ...all, perStore, assist });
      }
      // One row past the limit says whether the list was cut.
      const rows = await store.read((r) => r.clerks.visitFacts(stores, { ...q, limit: q.limit + 1 }));
      const visits = rows.slice(0, q.limit);
      if (path === '/v1/reports/visits.csv') {
        const text = visitsCsv(visits, { lang: csvLang(url), timeZone: q.timeZone, tzOffsetMin: q.tzOffsetMin });
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="visits-${new Date(q.from).toISOString().slice(0, 10)}.csv"`,
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      return sendJson(res, 200, { from: q.from, to: q.to, stores, visits, truncated: rows.length > q.limit });
    }
  }
  throw new HttpError(404, 'not_found', `no route ${method} ${path}`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

/** Which stores the caller may see: one store for its manager, any for the chain admin key. */
async function reportScope(store: HqStore, req: IncomingMessage, url: URL): Promise<string[]> {
  const asked = (url.searchParams.get('store') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const admin = header(req, 'x-admin-key');
  if (admin !== undefined) {
    if (!secretEquals(admin, await adminKey(store))) throw new HttpError(401, 'unauthorized', 'wrong X-Admin-Key');
    const known = new Set((await store.read((r) => r.listStores())).map((s) => s.id));
    const unknown = asked.filter((s) => !known.has(s));
    if (unknown.length) throw new HttpError(404, 'unknown_store', `unknown store(s): ${unknown.join(', ')}`);
    return asked.length ? asked : [...known];
  }
  const device = await requireDevice(store, req);
  const clerk = await clerkForSession(store, device, header(req, 'x-clerk-session'));
  if (!clerk) throw new HttpError(401, 'clerk_session_required', 'sign in as a manager (X-Clerk-Session)');
  if (clerk.role !== 'manager') throw new HttpError(403, 'not_allowed', 'reports are for store managers');
  if (asked.some((s) => s !== device.storeId)) throw new HttpError(403, 'not_allowed', 'a store manager sees only their own store');
  return [device.storeId];
}

const time = (s: string | null): number | undefined => {
  if (s === null || s === '') return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  return Number.isFinite(n) ? n : NaN;
};

/**
 * The report's query: `tz` is the store's offset in minutes; `zone` its IANA time zone, which also
 * gives the offset (at `from`) when `tz` is absent.
 */
function reportQuery(url: URL): ReportQuery {
  const p = url.searchParams;
  const served = p.get('served');
  const zone = p.get('zone') || undefined;
  const raw = {
    from: time(p.get('from')),
    to: time(p.get('to')),
    clerkId: p.get('clerk') || undefined,
    tier: p.get('tier') || undefined,
    outcome: p.get('outcome') || undefined,
    served: served === null || served === '' ? undefined : served === 'true' || served === '1',
    tzOffsetMin: p.has('tz') ? Number(p.get('tz')) : undefined,
    timeZone: zone,
    limit: p.has('limit') ? Number(p.get('limit')) : undefined,
  };
  const parsed = ReportArgs.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw new HttpError(400, 'bad_query', describeIssues(parsed.error));
  const q = parsed.data;
  return q.timeZone && !p.has('tz') ? { ...q, tzOffsetMin: zoneOffsetMin(q.timeZone, q.from) } : q;
}

/** The CSV's language: `lang=zh-CN` or `en` (the default). */
function csvLang(url: URL): (typeof CSV_LANGS)[number] {
  const lang = url.searchParams.get('lang') ?? 'en';
  const known = CSV_LANGS.find((l) => l.toLowerCase() === lang.toLowerCase());
  if (!known) throw new HttpError(400, 'bad_query', `lang: one of ${CSV_LANGS.join(', ')}`);
  return known;
}

async function importClerksCsv(log: EventLog, text: string) {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) throw new HttpError(400, 'empty_csv', 'the CSV has no header row');
  const names = header.fields.map((f) => f.trim().toLowerCase().replace(/_/g, ''));
  const missing = ['storeid', 'name'].filter((r) => !names.includes(r));
  if (missing.length) throw new HttpError(400, 'bad_csv_header', `missing column(s): ${missing.join(', ')}`);
  const good: ClerkImport[] = [];
  const lines: number[] = [];
  const errors: { line: number; message: string }[] = [];
  for (const r of records) {
    const row: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = r.fields[i]?.trim();
      if (v) row[n] = v;
    });
    const item = ClerkImport.safeParse({
      id: row.id,
      storeId: row.storeid,
      name: row.name,
      role: row.role,
      pin: row.pin,
      enabled: row.enabled === undefined ? undefined : !/^(0|false|no)$/i.test(row.enabled),
    });
    if (!item.success) errors.push({ line: r.line, message: describeIssues(item.error) });
    else {
      good.push(item.data);
      lines.push(r.line);
    }
  }
  const result = good.length ? await importClerks(log, good, Date.now()) : { saved: 0, errors: [], clerks: [] };
  return { saved: result.saved, clerks: result.clerks, errors: [...errors, ...result.errors.map((e) => ({ line: lines[e.index]!, message: e.message }))] };
}
