// HTTP plumbing: size-limited body reading, JSON answers, and errors as {error: {code, message}}.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type z } from 'zod';
import { describeIssues, hasEscapedNul, NUL_REFUSED } from '../../../shared/protocol.ts';

export const JSON_LIMIT = 1024 * 1024;
export const CSV_LIMIT = 20 * 1024 * 1024;

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

/** Reads the whole body as UTF-8, refusing (413) anything over `limit` bytes without buffering it. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(new HttpError(413, 'body_too_large', `body over ${limit} bytes`));
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
        reject(new HttpError(413, 'body_too_large', `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      // A raw NUL (a CSV upload, say): refused like an escaped one in JSON.
      if (text.includes('\u0000')) reject(new HttpError(422, 'invalid_body', NUL_REFUSED));
      else resolve(text);
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'bad_request', e.message));
    });
  });
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
