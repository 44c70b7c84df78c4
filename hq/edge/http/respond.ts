// HTTP plumbing: size-limited body reading, JSON answers, and errors as {error: {code, message}}.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type z } from 'zod';
import { MAX_IMAGE_BYTES } from '../../../shared/domain.ts';
import { describeIssues, hasEscapedNul, NUL_REFUSED } from '../../../shared/protocol.ts';

export const JSON_LIMIT = 1024 * 1024;
export const CSV_LIMIT = 20 * 1024 * 1024;

/** The largest body a route reads: CSV uploads, raw images, and JSON for everything else. */
export function bodyLimitFor(path: string): number {
  if (path.startsWith('/v1/ingest/') && path.endsWith('.csv')) return CSV_LIMIT;
  if (path === '/v1/desk/images' || path === '/v1/member/images') return MAX_IMAGE_BYTES;
  if (/^\/v1\/ingest\/styles\/[^/]+\/image$/.test(path)) return MAX_IMAGE_BYTES; // a style picture (pictureRoutes.ts)
  return JSON_LIMIT;
}

/**
 * Answers 413 at once when a request announces (Content-Length) more than its route reads, before
 * any of the body is read — and, for `Expect: 100-continue`, instead of `100 Continue`, so the
 * client sends nothing and sees the refusal rather than a connection cut mid-upload. True when it
 * answered. A body without Content-Length (chunked) is measured as it is read (readBody).
 */
export function refuseOversizedBody(req: IncomingMessage, res: ServerResponse): boolean {
  const header = req.headers['content-length'];
  if (header === undefined) return false;
  const declared = Number(header);
  let path = '/';
  try {
    path = new URL(req.url ?? '/', 'http://hq').pathname;
  } catch {
    /* the router answers a bad URL */
  }
  const limit = bodyLimitFor(path);
  if (!(declared > limit)) return false;
  sendError(res, new HttpError(413, 'body_too_large', `body of ${declared} bytes is over the ${limit}-byte limit of ${path}`));
  return true;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  // A body we refused to read may still be arriving: close the connection instead of draining it.
  const headers: Record<string, string> = err.status === 413 ? { connection: 'close' } : {};
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, headers);
}

/**
 * Reads the whole raw body, refusing with `tooLarge()` anything over `limit` bytes without buffering
 * it: at once when Content-Length says so, else as soon as the bytes pass the limit.
 */
export function readBytes(req: IncomingMessage, limit: number, tooLarge: () => HttpError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'bad_request', e.message));
    });
  });
}

/** Reads the whole body as UTF-8, refusing (413) anything over `limit` bytes without buffering it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const text = (await readBytes(req, limit, () => new HttpError(413, 'body_too_large', `body over ${limit} bytes`))).toString('utf8');
  // A raw NUL (a CSV upload, say): refused like an escaped one in JSON.
  if (text.includes('\u0000')) throw new HttpError(422, 'invalid_body', NUL_REFUSED);
  return text;
}

/** An id from a path segment (a member's, a style's, a group's, …): percent-decoded and 1–64 characters, else 400 `bad_<what>_id`. */
export function pathId(raw: string, what: 'member' | 'style' | 'expected' | 'group' | 'message' | 'invite' | 'room' | 'lottery' | 'store'): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, `bad_${what}_id`, `the ${what} id in the path is not valid percent-encoding`);
  }
  if (id.length < 1 || id.length > 64) throw new HttpError(400, `bad_${what}_id`, `a ${what} id is 1 to 64 characters`);
  return id;
}

/** Reads a JSON body and checks it against `schema` (400 for bad JSON, 422 for a schema failure). */
export async function readJson<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<{ value: T; raw: string }> {
  const raw = await readBody(req, JSON_LIMIT);
  if (hasEscapedNul(raw)) throw new HttpError(422, 'invalid_body', NUL_REFUSED);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'bad_json', 'body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(422, 'invalid_body', describeIssues(parsed.error));
  return { value: parsed.data, raw };
}
