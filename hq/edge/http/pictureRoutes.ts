// Style pictures over HTTP (4/8 part E):
//   PUT /v1/ingest/styles/{styleId}/image[?color=CODE]   raw body, X-Integration-Key: sets the
//                                           picture of the style's colourway CODE (a colour the style
//                                           has), or without `color` its default picture
//   GET /v1/styles/{styleId}/image[?color=CODE]   the colour's current picture, else the style's
//                                           default (revalidated: either may change)
//   GET /v1/style-images/{imageId}          a picture by its id (content hash: never changes)
// Reading needs a device token (any store's: the catalog is the chain's) or a member session; an
// answer carries the id as ETag, so a client sends If-None-Match and gets 304 without the bytes.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_STYLE_IMAGE_BYTES } from '../../../shared/domain.ts';
import { type MemberAuth } from '../../app/chat/memberAuth.ts';
import { bearerToken, deviceForToken } from '../../app/devices.ts';
import { PictureError, pictureRef, setStylePicture } from '../../app/pictures/stylePictures.ts';
import { secretEquals } from '../../app/tokens.ts';
import { type HqStore } from '../../ports/store.ts';
import { DEFAULT_COLOR, type StyleImageRecord } from '../../ports/styleImageStore.ts';
import { HttpError, pathId, readBytes, sendJson } from './respond.ts';

export interface PictureHttpContext {
  store: HqStore;
  auth: MemberAuth;
  integrationKey: string;
  onCatalogChanged?: () => void;
}

const UPLOAD = /^\/v1\/ingest\/styles\/([^/]{1,200})\/image$/;
const BY_STYLE = /^\/v1\/styles\/([^/]{1,200})\/image$/;
const BY_ID = /^\/v1\/style-images\/([0-9a-f]{64})$/;
const ACCEPTED = new Set(['image/png', 'image/jpeg', 'image/webp']);

const STATUS: Record<string, number> = { style_not_found: 404, color_not_found: 404, empty: 400, too_large: 413, unsupported_type: 415 };

/** Handles the picture routes; false for any other path. */
export async function handlePictureHttp(ctx: PictureHttpContext, req: IncomingMessage, res: ServerResponse, path: string, method: string): Promise<boolean> {
  const upload = UPLOAD.exec(path);
  const byStyle = upload ? null : BY_STYLE.exec(path);
  const byId = upload || byStyle ? null : BY_ID.exec(path);
  if (!upload && !byStyle && !byId) return false;
  if (upload) {
    if (method !== 'PUT') throw new HttpError(405, 'method_not_allowed', `${path} accepts PUT`);
    const key = req.headers['x-integration-key'];
    if (typeof key !== 'string' || !secretEquals(key, ctx.integrationKey)) throw new HttpError(401, 'unauthorized', 'missing or wrong X-Integration-Key');
    const styleId = pathId(upload[1]!, 'style');
    const color = colorParam(req);
    const claimed = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED.has(claimed)) throw new HttpError(415, 'unsupported_type', 'Content-Type must be image/png, image/jpeg or image/webp');
    const bytes = await readBytes(req, MAX_STYLE_IMAGE_BYTES, () => new HttpError(413, 'too_large', `pictures may be at most ${MAX_STYLE_IMAGE_BYTES} bytes`));
    try {
      const ref = pictureRef(bytes);
      if (ref.mime !== claimed) throw new HttpError(415, 'unsupported_type', `the body is ${ref.mime}, not the ${claimed} its Content-Type says`);
      const image = await setStylePicture(ctx.store, styleId, bytes, Date.now(), false, color ?? DEFAULT_COLOR);
      ctx.onCatalogChanged?.();
      sendJson(res, 200, { styleId, ...(color ? { color } : {}), image });
    } catch (err) {
      if (err instanceof PictureError) throw new HttpError(STATUS[err.code] ?? 422, err.code, err.message);
      throw err;
    }
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${path} accepts GET`);
  await checkReader(ctx, req);
  const img = byStyle
    ? await ctx.store.read((r) => r.styleImages.get(pathId(byStyle[1]!, 'style'), colorParam(req)))
    : await ctx.store.read((r) => r.styleImages.byId(byId![1]!));
  if (!img) throw new HttpError(404, 'not_found', 'no such picture');
  sendPicture(req, res, img, byId !== null);
  return true;
}

/** A device of any store of the chain, or a signed-in member: the catalog is not secret, but not public either. */
async function checkReader(ctx: PictureHttpContext, req: IncomingMessage): Promise<void> {
  const token = bearerToken(req.headers.authorization);
  if (await deviceForToken(ctx.store, token)) return;
  if (await ctx.auth.session(token)) return;
  throw new HttpError(401, 'unauthorized', 'a device or member token is required');
}

function sendPicture(req: IncomingMessage, res: ServerResponse, img: StyleImageRecord, immutable: boolean): void {
  const etag = `"${img.id}"`;
  const headers = {
    etag,
    // By id the bytes never change; by style the picture may be replaced, so a client revalidates.
    'cache-control': immutable ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  };
  const match = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (match.includes(etag) || match.includes('*')) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': img.mime, 'content-length': img.data.length });
  res.end(req.method === 'HEAD' ? undefined : img.data);
}

/** The `color` query parameter (a colour code), or null when absent. */
function colorParam(req: IncomingMessage): string | null {
  const color = new URL(req.url ?? '/', 'http://hq').searchParams.get('color');
  if (color === null) return null;
  if (color.length < 1 || color.length > 32) throw new HttpError(400, 'bad_color', 'a colour code is 1 to 32 characters');
  return color;
}
