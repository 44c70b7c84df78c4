// Chat images are checked by their bytes, never by the name or Content-Type the sender claims.
import { type ImageMime, MAX_IMAGE_BYTES } from '../../shared/domain.ts';

/** The image type the bytes really are (PNG, JPEG or WebP by magic number), or null. */
export function sniffImage(bytes: Uint8Array): ImageMime | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return 'image/png';
  }
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
