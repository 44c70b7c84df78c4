// Style pictures (4/8 part E): every style may have a picture per colourway and a default one
// (shown for a colour without its own), kept by HQ beside the catalog and served to desks and
// member pages by its content hash.
//
// Invariants:
//  - a colour's picture is only of a colour the style has (in the catalog);
//  - a picture is PNG, JPEG or WebP by its magic bytes (never a claimed type: SVG can carry
//    script and is never accepted), 1 byte – 2 MiB;
//  - its id is the SHA-256 of the bytes (hex): the ETag, and the key a desk caches it under;
//  - setting one drops the catalog cache (the picture travels in recommendations), here and, via
//    the caller's `onCatalogChanged`, on the other nodes.
import { createHash } from 'node:crypto';
import { MAX_STYLE_IMAGE_BYTES, type StyleImageRef } from '../../../shared/domain.ts';
import { sniffImage } from '../../../shared/chatImages.ts';
import { type HqStore } from '../../ports/store.ts';
import { DEFAULT_COLOR } from '../../ports/styleImageStore.ts';
import { invalidateCatalog } from '../catalogCache.ts';

export type PictureErrorCode = 'style_not_found' | 'color_not_found' | 'empty' | 'too_large' | 'unsupported_type' | 'bad_url' | 'fetch_failed' | 'timeout' | 'refused_address' | 'redirect_refused';

export class PictureError extends Error {
  constructor(
    readonly code: PictureErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The reference a picture's bytes get, or a PictureError saying why they are not a picture. */
export function pictureRef(bytes: Uint8Array): StyleImageRef {
  if (bytes.length === 0) throw new PictureError('empty', 'the picture is empty');
  if (bytes.length > MAX_STYLE_IMAGE_BYTES) throw new PictureError('too_large', `pictures may be at most ${MAX_STYLE_IMAGE_BYTES} bytes`);
  const mime = sniffImage(bytes);
  if (!mime) throw new PictureError('unsupported_type', 'only PNG, JPEG and WebP pictures are accepted (by their bytes)');
  return { id: createHash('sha256').update(bytes).digest('hex'), mime, bytes: bytes.length };
}

/**
 * Sets the style's picture in `color` (DEFAULT_COLOR: its default), replacing any; refuses a style
 * the catalog does not have, or a colour the style does not have, unless the caller has just
 * imported the style and checked the colour (`styleKnown`: a catalog feed's pictures, where a
 * look-up per picture would read the whole catalog once per style).
 */
export async function setStylePicture(
  store: HqStore,
  styleId: string,
  bytes: Uint8Array,
  now = Date.now(),
  styleKnown = false,
  color: string = DEFAULT_COLOR,
): Promise<StyleImageRef> {
  const ref = pictureRef(bytes);
  await store.withTx(async (tx) => {
    if (!styleKnown) {
      const style = (await tx.listStyles()).find((s) => s.id === styleId);
      if (!style) throw new PictureError('style_not_found', `no style ${styleId} in the catalog`);
      if (color !== DEFAULT_COLOR && !style.colors.some((c) => c.code === color)) throw new PictureError('color_not_found', `style ${styleId} has no colour ${color}`);
    }
    await tx.styleImages.put({ ...ref, styleId, color, data: Buffer.from(bytes), updatedAt: now });
    await tx.catalogChanged(null);
  });
  invalidateCatalog(store);
  return ref;
}
