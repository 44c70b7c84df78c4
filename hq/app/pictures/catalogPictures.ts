// Pictures named by URL in a catalog feed (`imageUrl`, the style's default picture, and
// `imageUrls` per colour code, on a style of POST /v1/ingest/catalog). The styles are imported
// first; each picture is then fetched and stored on its own, a few at a time, and a failure is
// reported for its item (and colour) — it never fails the import or the other pictures.
import { z } from 'zod';
import { Style, type StyleImageRef } from '../../../shared/domain.ts';
import { type HqStore } from '../../ports/store.ts';
import { DEFAULT_COLOR } from '../../ports/styleImageStore.ts';
import { fetchPicture, type PictureFetchOptions } from './fetchPicture.ts';
import { PictureError, setStylePicture } from './stylePictures.ts';

const PictureUrl = z.string().min(1).max(2048);

/** A style as a catalog feed sends it: the style, and optionally where its pictures are. */
export const IngestStyle = Style.extend({
  /** http(s) URL of the style's default picture (PNG, JPEG or WebP, ≤ 2 MiB); HQ fetches and keeps it. */
  imageUrl: PictureUrl.optional(),
  /** Colour code → http(s) URL of that colourway's picture (same rules); a code the style lacks is reported as `color_not_found`. */
  imageUrls: z.record(z.string().min(1).max(32), PictureUrl).optional(),
});
export type IngestStyle = z.infer<typeof IngestStyle>;

/** Pictures fetched at once during one catalog import. */
export const PICTURE_FETCH_CONCURRENCY = 4;

/** One picture of a catalog import; `color` is absent for the style's default picture. */
export interface PictureWanted {
  index: number;
  styleId: string;
  color?: string;
  imageUrl: string;
}

export interface PictureImport {
  stored: Array<{ index: number; styleId: string; color?: string; image: StyleImageRef }>;
  failed: Array<{ index: number; styleId: string; color?: string; code: string; message: string }>;
}

/** The pictures an imported style names: its default (`imageUrl`) first, then each colour's in the order given. */
export function picturesWanted(index: number, item: IngestStyle): PictureWanted[] {
  const out: PictureWanted[] = item.imageUrl ? [{ index, styleId: item.id, imageUrl: item.imageUrl }] : [];
  for (const [color, imageUrl] of Object.entries(item.imageUrls ?? {})) out.push({ index, styleId: item.id, color, imageUrl });
  return out;
}

export async function importPictures(
  store: HqStore,
  styles: ReadonlyMap<string, Pick<Style, 'colors'>>,
  items: readonly PictureWanted[],
  opts: PictureFetchOptions = {},
): Promise<PictureImport> {
  const out: PictureImport = { stored: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const { index, styleId, color, imageUrl } = items[next++]!;
      const which = color === undefined ? {} : { color };
      try {
        // Checked here, not by setStylePicture: the style was imported just before (styleKnown).
        if (color !== undefined && !styles.get(styleId)?.colors.some((c) => c.code === color)) throw new PictureError('color_not_found', `style ${styleId} has no colour ${color}`);
        const bytes = await fetchPicture(imageUrl, opts);
        out.stored.push({ index, styleId, ...which, image: await setStylePicture(store, styleId, bytes, Date.now(), true, color ?? DEFAULT_COLOR) });
      } catch (err) {
        if (!(err instanceof PictureError)) throw err;
        out.failed.push({ index, styleId, ...which, code: err.code, message: err.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PICTURE_FETCH_CONCURRENCY, items.length) }, worker));
  // Per item in feed order; within an item, the default first and then the colours as given.
  const order = new Map(items.map((w, i) => [`${w.index}|${w.color ?? ''}`, i]));
  const rank = (p: { index: number; color?: string }) => order.get(`${p.index}|${p.color ?? ''}`) ?? 0;
  out.stored.sort((a, b) => rank(a) - rank(b));
  out.failed.sort((a, b) => rank(a) - rank(b));
  return out;
}
