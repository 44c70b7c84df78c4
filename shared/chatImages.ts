// Chat images are checked by their bytes (magic numbers), never by a claimed name or type.
// Pure: HQ checks uploads with it, the desk checks an image before queueing it.
import { type ImageMime, MAX_IMAGE_BYTES } from './domain.ts';

/** The image type the bytes really are (PNG, JPEG or WebP), or null. */
export function sniffImage(b: Uint8Array): ImageMime | null {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((x, i) => b[i] === x)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

export type ImageCheck = { ok: true; mime: ImageMime } | { ok: false; code: 'empty' | 'too_large' | 'unsupported_type'; message: string };

export function checkImage(bytes: Uint8Array): ImageCheck {
  if (bytes.length === 0) return { ok: false, code: 'empty', message: 'the image is empty' };
  if (bytes.length > MAX_IMAGE_BYTES) return { ok: false, code: 'too_large', message: `images may be at most ${MAX_IMAGE_BYTES} bytes` };
  const mime = sniffImage(bytes);
  if (!mime) return { ok: false, code: 'unsupported_type', message: 'only PNG, JPEG and WebP images are accepted' };
  return { ok: true, mime };
}
