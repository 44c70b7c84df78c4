// Pictures named by URL in a catalog feed (`imageUrl` on a style of POST /v1/ingest/catalog).
// The styles are imported first; each picture is then fetched and stored on its own, a few at a
// time, and a failure is reported for its item — it never fails the import or the other items.
import { z } from 'zod';
import { Style, type StyleImageRef } from '../../../shared/domain.ts';
import { type HqStore } from '../../ports/store.ts';
import { fetchPicture, type PictureFetchOptions } from './fetchPicture.ts';
import { PictureError, setStylePicture } from './stylePictures.ts';

/** A style as a catalog feed sends it: the style, and optionally where its picture is. */
export const IngestStyle = Style.extend({
  /** http(s) URL of the style's picture (PNG, JPEG or WebP, ≤ 2 MiB); HQ fetches and keeps it. */
  imageUrl: z.string().min(1).max(2048).optional(),
});
export type IngestStyle = z.infer<typeof IngestStyle>;

/** Pictures fetched at once during one catalog import. */
export const PICTURE_FETCH_CONCURRENCY = 4;

export interface PictureImport {
  stored: Array<{ index: number; styleId: string; image: StyleImageRef }>;
  failed: Array<{ index: number; styleId: string; code: string; message: string }>;
}

export async function importPictures(
  store: HqStore,
  items: readonly { index: number; styleId: string; imageUrl: string }[],
  opts: PictureFetchOptions = {},
): Promise<PictureImport> {
  const out: PictureImport = { stored: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const { index, styleId, imageUrl } = items[next++]!;
      try {
        const bytes = await fetchPicture(imageUrl, opts);
        out.stored.push({ index, styleId, image: await setStylePicture(store, styleId, bytes, Date.now(), true) }); // imported just before
      } catch (err) {
        if (!(err instanceof PictureError)) throw err;
        out.failed.push({ index, styleId, code: err.code, message: err.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PICTURE_FETCH_CONCURRENCY, items.length) }, worker));
  out.stored.sort((a, b) => a.index - b.index);
  out.failed.sort((a, b) => a.index - b.index);
  return out;
}
