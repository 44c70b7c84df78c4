// Integration endpoints (/v1/ingest/*): door/mini-program/POS arrivals, and the chain's members,
// catalog and stock as JSON or CSV. All require the X-Integration-Key header.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ArrivalSource, Id, MAX_MEMBER_NAME, MemberName, Millis, StockLine, Store, Style, Tier } from '../../../shared/domain.ts';
import { describeIssues } from '../../../shared/protocol.ts';
import { type ArrivalGroups, type ArrivalItem } from '../../app/arrivalBatches.ts';
import { ArrivalError, type ArrivalOutcome } from '../../app/arrivals.ts';
import { type ImportReport, IngestMember, type ItemError, setStock, upsertMembers, upsertStores, upsertStyles } from '../../app/catalogIngest.ts';
import { type EventLog } from '../../app/eventLog.ts';
import { type HqStore } from '../../ports/store.ts';
import { IngestStyle, importPictures, picturesWanted } from '../../app/pictures/catalogPictures.ts';
import { type PictureFetchOptions } from '../../app/pictures/fetchPicture.ts';
import { secretEquals, sha256 } from '../../app/tokens.ts';
import { parseCsv } from './csv.ts';
import { CSV_LIMIT, HttpError, readBody, readJson, sendJson } from './respond.ts';

export interface IngestContext {
  store: HqStore;
  eventLog: EventLog;
  /** Single arrivals, grouped into shared transactions while others are in flight (hq/app/arrivalBatches.ts). */
  arrivals: ArrivalGroups;
  integrationKey: string;
  /**
   * Catalog, stock or purchases changed and committed here. This node's catalog cache (the
   * per-store styles, stock and popularity of hq/app/profiles.ts) is already dropped by the ingest
   * use case; the server tells the other nodes to drop theirs.
   */
  onCatalogChanged?: () => void;
  /** How HQ fetches a catalog style's `imageUrl` (4/8 part E; hq/app/pictures/fetchPicture.ts). */
  pictureFetch?: PictureFetchOptions;
}

export const ArrivalRequest = z
  .object({
    storeId: Id,
    memberId: Id.optional(),
    memberCode: z.string().trim().min(1).max(32).optional(),
    phone: z.string().trim().min(3).max(32).optional(),
    source: ArrivalSource,
    at: Millis.optional(),
  })
  .strict()
  .refine((b) => [b.memberId, b.memberCode, b.phone].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of memberId, memberCode, phone',
  });

/** Items of one JSON ingest request (members, stores, catalog, stock). */
export const MAX_INGEST_ITEMS = 10_000;
const ItemArray = z.array(z.unknown()).max(MAX_INGEST_ITEMS);
/** Longest Idempotency-Key (header, or `idempotencyKey` of a batch item). */
export const MAX_IDEMPOTENCY_KEY = 200;

export function checkIntegrationKey(ctx: Pick<IngestContext, 'integrationKey'>, req: IncomingMessage): void {
  const key = req.headers['x-integration-key'];
  if (typeof key !== 'string' || !secretEquals(key, ctx.integrationKey)) {
    throw new HttpError(401, 'unauthorized', 'missing or wrong X-Integration-Key');
  }
}

export async function handleArrival(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { value: body, raw } = await readJson(req, ArrivalRequest);
  const idemHeader = req.headers['idempotency-key'];
  const idemKey = typeof idemHeader === 'string' && idemHeader.length > 0 ? idemHeader : null;
  if (idemKey && idemKey.length > MAX_IDEMPOTENCY_KEY) throw new HttpError(400, 'bad_idempotency_key', `Idempotency-Key is longer than ${MAX_IDEMPOTENCY_KEY} characters`);
  const out = await asHttp(ctx.arrivals.arrive(body, idemKey ? { key: idemKey, requestHash: sha256(raw) } : null));
  if (out.status === 'duplicate') return sendJson(res, 200, out, { 'idempotent-replayed': 'true' });
  sendJson(res, out.status === 'created' ? 201 : 200, out);
}

/** The use case's refusals as HTTP answers. */
async function asHttp(outcome: Promise<ArrivalOutcome>): Promise<ArrivalOutcome> {
  try {
    return await outcome;
  } catch (err) {
    if (!(err instanceof ArrivalError)) throw err;
    throw new HttpError(err.code === 'idempotency_key_reused' || err.code === 'at_out_of_range' ? 422 : 404, err.code, err.message);
  }
}

export const MAX_BATCH_ARRIVALS = 1000;
const ArrivalBatch = z.object({ items: z.array(z.unknown()).min(1).max(MAX_BATCH_ARRIVALS) }).strict();
const IdempotencyKey = z.string().min(1).max(MAX_IDEMPOTENCY_KEY);

/**
 * POST /v1/ingest/arrivals/batch: `{items: [{idempotencyKey?, ...arrival}]}` — a burst of arrivals
 * (a POS or door system catching up, the load generator) in one request. Each item has the
 * semantics of one POST /v1/ingest/arrivals, in order, with its own idempotency key and event; a
 * bad item is reported by index and does not stop the others. The whole request is in ONE
 * transaction (one commit, `EventLog.batch`; on SQLite shared with the requests queued beside it,
 * `ArrivalGroups`) in which an item that fails half-way is undone alone; the events reach the
 * desks after that commit, in seq order. An unexpected (non-HTTP) error aborts the request: 500
 * (503 when the database is unreachable), nothing of it applied or published.
 * Answers 200 `{results: [{index, status, visitId, seq} | {index, error: {code, message}}]}`.
 */
export async function handleArrivalBatch(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { value } = await readJson(req, ArrivalBatch);
  const items = value.items.map(arrivalItem);
  // The good items in one transaction (an item refused there is undone alone), the refused ones
  // answered in their place.
  const applied = await ctx.arrivals.arriveBatch(items.flatMap((item) => ('request' in item ? [item] : [])));
  let next = 0;
  const results = items.map((item, index) => {
    const r = 'error' in item ? item.error : applied[next++]!;
    return r instanceof HttpError || r instanceof ArrivalError ? { index, error: { code: r.code, message: r.message } } : { index, ...r };
  });
  sendJson(res, 200, { results });
}

/** One item of a batch, checked: the arrival with its idempotency, or why it is refused. */
function arrivalItem(raw: unknown): ArrivalItem | { error: HttpError } {
  const { idempotencyKey, ...item } = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const key = idempotencyKey === undefined ? null : IdempotencyKey.safeParse(idempotencyKey);
  if (key && !key.success) return { error: new HttpError(400, 'bad_idempotency_key', `idempotencyKey must be 1–${MAX_IDEMPOTENCY_KEY} characters`) };
  const parsed = ArrivalRequest.safeParse(item);
  if (!parsed.success) return { error: new HttpError(400, 'invalid_body', describeIssues(parsed.error)) };
  // Same key space as the single route: an arrival retried through either route applies once.
  return { request: parsed.data, idempotency: key ? { key: key.data, requestHash: sha256(JSON.stringify(item)) } : null };
}

/** Validates each element of a JSON array separately, so one bad item does not sink the batch. */
async function readItems<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<{ good: { item: T; index: number }[]; errors: ItemError[] }> {
  const { value } = await readJson(req, ItemArray);
  const good: { item: T; index: number }[] = [];
  const errors: ItemError[] = [];
  value.forEach((raw, index) => {
    const r = schema.safeParse(raw);
    if (r.success) good.push({ item: r.data, index });
    else errors.push({ index, message: describeIssues(r.error) });
  });
  return { good, errors };
}

function report(res: ServerResponse, r: ImportReport, parseErrors: ItemError[]): void {
  const errors = [...parseErrors, ...r.errors].sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
  sendJson(res, 200, { imported: r.imported, rejected: errors.length, errors });
}

export async function handleStores(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { good, errors } = await readItems(req, Store);
  report(res, await upsertStores(ctx.store, good.map((g) => g.item)), errors);
}

export async function handleMembers(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { good, errors } = await readItems(req, IngestMember);
  report(res, await importMembers(ctx, good), errors);
}

export async function handleCatalog(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A style may name its pictures (`imageUrl`, `imageUrls` per colour; 4/8 part E): fetched after the styles are in, each on its own.
  const { good, errors } = await readItems(req, IngestStyle);
  const r = await upsertStyles(ctx.store, good.map(({ item: { imageUrl: _, imageUrls: __, ...style } }) => style));
  const wanted = good.flatMap((g) => picturesWanted(g.index, g.item));
  const styles = new Map(good.map((g) => [g.item.id, g.item]));
  const images = wanted.length ? await importPictures(ctx.store, styles, wanted, ctx.pictureFetch) : null;
  ctx.onCatalogChanged?.();
  const errs = [...errors, ...r.errors].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  sendJson(res, 200, { imported: r.imported, rejected: errs.length, errors: errs, ...(images ? { images } : {}) });
}

export async function handleStock(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { good, errors } = await readItems(req, StockLine);
  report(res, await importStock(ctx, good), errors);
}

/** Members with their purchases; purchases feed the catalog's popularity, so other nodes drop their cache too. */
async function importMembers(ctx: IngestContext, good: readonly { item: IngestMember; index?: number; line?: number }[]): Promise<ImportReport> {
  const r = await upsertMembers(ctx.eventLog, good);
  ctx.onCatalogChanged?.();
  return r;
}

async function importStock(ctx: IngestContext, good: readonly { item: StockLine; index?: number; line?: number }[]): Promise<ImportReport> {
  const r = await setStock(ctx.eventLog, good);
  ctx.onCatalogChanged?.();
  return r;
}

// ---------------------------------------------------------------------------------------------
// CSV. The first row names the columns (any order, case-insensitive); later rows are data.
//
// members.csv: id, code, name, nameEn?, tier? (basic|silver|gold|platinum, default basic),
//   phone?, homeStoreId, sizeEu, sizeCn? (mm; default (EU+10)*5), preferences? (categories
//   separated by '|', e.g. "running|retro"), points?, joinedAt? (epoch ms or ISO date),
//   birthday? (MM-DD), consents? (given consents separated by '|': marketing, personalization, contact;
//   an empty cell keeps what HQ has, "none" clears them)
// stock.csv: storeId, styleId, color (colorway code), size (EU), qty
// catalog.csv (7/8): id, name, category, price (fen), colors (CODE:Name pairs separated by '|',
//   e.g. "BLK:Black|WHT:White"), sizes (EU sizes separated by '|'), releasedAt? (epoch ms or ISO
//   date; default now), kind? (shoe|socks|insoles|care; empty = shoe), goes_with? (categories
//   separated by '|', e.g. "running|basketball"; also accepted as goesWith). No pictures: those are
//   the JSON feed's imageUrl/imageUrls, or PUT on the style's picture.
//
// Answer: {imported, rejected, errors: [{line, message}]}; lines are 1-based and the header is
// line 1. Good rows are imported even when others fail.

const MemberCsvRow = z.object({
  id: Id,
  code: z.string().min(1).max(32),
  name: MemberName,
  nameen: z.string().max(MAX_MEMBER_NAME).default(''),
  tier: z.preprocess((v) => (v === '' ? undefined : v), Tier.default('basic')),
  phone: z.string().max(32).default(''),
  homestoreid: Id,
  sizeeu: z.coerce.number(),
  sizecn: z.string().default(''),
  preferences: z.string().default(''),
  points: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().nonnegative().default(0)),
  joinedat: z.string().default(''),
  birthday: z.string().default(''),
  consents: z.string().default(''),
});

/** The consents column: names separated by '|', "none" for none; '' keeps what HQ has. */
function parseConsents(cell: string): Record<string, boolean> | undefined {
  if (!cell) return undefined;
  const given = cell.toLowerCase() === 'none' ? [] : cell.split('|').map((c) => c.trim().toLowerCase());
  const known = ['marketing', 'personalization', 'contact'];
  const odd = given.filter((g) => !known.includes(g));
  if (odd.length) throw new Error(`consents: unknown consent(s) ${odd.join(', ')} (known: ${known.join(', ')}, or none)`);
  return Object.fromEntries(known.map((k) => [k, given.includes(k)]));
}

const StockCsvRow = z.object({
  storeid: Id,
  styleid: Id,
  color: z.string().min(1).max(20),
  size: z.coerce.number(),
  qty: z.coerce.number().int().nonnegative(),
});

const CatalogCsvRow = z.object({
  id: Id,
  name: z.string(),
  category: z.string(),
  price: z.coerce.number(),
  colors: z.string(),
  sizes: z.string(),
  releasedat: z.string().default(''),
  kind: z.string().default(''),
  goes_with: z.string().default(''),
  goeswith: z.string().default(''),
});

/** A '|'-separated cell as its trimmed, non-empty parts. */
const parts = (cell: string): string[] =>
  cell
    .split('|')
    .map((x) => x.trim())
    .filter((x) => x !== '');

function csvRows(text: string, required: string[]): { line: number; row: Record<string, string> }[] {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) throw new HttpError(400, 'empty_csv', 'the CSV has no header row');
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const missing = required.filter((r) => !names.includes(r.toLowerCase()));
  if (missing.length) throw new HttpError(400, 'bad_csv_header', `missing column(s): ${missing.join(', ')}`);
  return records.map((r) => {
    const row: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = r.fields[i]?.trim();
      if (v !== undefined && v !== '') row[n] = v;
    });
    return { line: r.line, row };
  });
}

function parseTime(s: string, column = 'joinedAt'): number | undefined {
  if (!s) return undefined;
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${column} "${s}" is not epoch ms or an ISO date`);
  return n;
}

export async function handleMembersCsv(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rows = csvRows(await readBody(req, CSV_LIMIT), ['id', 'code', 'name', 'homeStoreId', 'sizeEu']);
  const good: { item: IngestMember; line: number }[] = [];
  const errors: ItemError[] = [];
  for (const { line, row } of rows) {
    try {
      const r = MemberCsvRow.safeParse(row);
      if (!r.success) throw new Error(describeIssues(r.error));
      const c = r.data;
      const prefs = c.preferences ? c.preferences.split('|').map((p) => p.trim().toLowerCase()) : [];
      const item = IngestMember.safeParse({
        id: c.id,
        code: c.code,
        name: c.name,
        nameEn: c.nameen,
        tier: c.tier,
        phone: c.phone,
        homeStoreId: c.homestoreid,
        sizes: { eu: c.sizeeu, cn: c.sizecn ? Number(c.sizecn) : Math.round((c.sizeeu + 10) * 5) },
        preferences: prefs, // unknown categories fail IngestMember with the row's line
        points: c.points,
        joinedAt: parseTime(c.joinedat),
        ...(c.birthday ? { birthday: c.birthday } : {}),
        ...(c.consents ? { consents: parseConsents(c.consents) } : {}),
      });
      if (!item.success) throw new Error(describeIssues(item.error));
      good.push({ item: item.data, line });
    } catch (e) {
      errors.push({ line, message: (e as Error).message });
    }
  }
  report(res, await importMembers(ctx, good), errors);
}

export async function handleStockCsv(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rows = csvRows(await readBody(req, CSV_LIMIT), ['storeId', 'styleId', 'color', 'size', 'qty']);
  const good: { item: StockLine; line: number }[] = [];
  const errors: ItemError[] = [];
  for (const { line, row } of rows) {
    const r = StockCsvRow.safeParse(row);
    const item = r.success
      ? StockLine.safeParse({ storeId: r.data.storeid, styleId: r.data.styleid, color: r.data.color, size: r.data.size, qty: r.data.qty })
      : r;
    if (item.success) good.push({ item: item.data as StockLine, line });
    else errors.push({ line, message: describeIssues(item.error) });
  }
  report(res, await importStock(ctx, good), errors);
}

/** POST /v1/ingest/catalog.csv (7/8): styles and accessories as rows; each row is checked as a JSON catalog item is. */
export async function handleCatalogCsv(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rows = csvRows(await readBody(req, CSV_LIMIT), ['id', 'name', 'category', 'price', 'colors', 'sizes']);
  const good: { item: Style; line: number }[] = [];
  const errors: ItemError[] = [];
  const now = Date.now();
  for (const { line, row } of rows) {
    try {
      const r = CatalogCsvRow.safeParse(row);
      if (!r.success) throw new Error(describeIssues(r.error));
      const c = r.data;
      const colors = parts(c.colors).map((pair) => {
        const at = pair.indexOf(':');
        return at < 0 ? { code: pair, name: pair } : { code: pair.slice(0, at).trim(), name: pair.slice(at + 1).trim() };
      });
      const goesWith = parts(c.goes_with || c.goeswith).map((g) => g.toLowerCase());
      const item = Style.safeParse({
        id: c.id,
        name: c.name,
        category: c.category.toLowerCase(),
        price: c.price,
        colors,
        sizes: parts(c.sizes).map(Number),
        releasedAt: parseTime(c.releasedat, 'releasedAt') ?? now,
        ...(c.kind ? { kind: c.kind.toLowerCase() } : {}),
        ...(goesWith.length ? { goesWith } : {}),
      });
      if (!item.success) throw new Error(describeIssues(item.error));
      good.push({ item: item.data, line });
    } catch (e) {
      errors.push({ line, message: (e as Error).message });
    }
  }
  const r = await upsertStyles(ctx.store, good.map((g) => g.item));
  ctx.onCatalogChanged?.();
  report(res, r, errors);
}
