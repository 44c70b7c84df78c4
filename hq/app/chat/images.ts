// Chat images are checked by their bytes (see shared/chatImages.ts, also used by the desk).
export { checkImage, type ImageCheck, sniffImage } from '../../../shared/chatImages.ts';
