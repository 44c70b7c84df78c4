// The style pictures part of the store port (reached as `tx.styleImages`, 4/8 part E): a picture
// per style and colourway, its bytes kept in the database beside the catalog so every node serves
// the same one.
//
// Invariants:
//  - a picture is keyed by (style, colour code); colour '' is the style's default picture, shown
//    for a colour that has none of its own (and wherever no colour is named);
//  - a row's `id` is the SHA-256 (hex) of its bytes, so the id is also the ETag, and a desk that
//    cached a picture by id never needs it again; a new picture of a style is a new id.
import { type StyleImageRef } from '../../shared/domain.ts';

/** The colour code of a style's default picture. */
export const DEFAULT_COLOR = '';

export interface StyleImageRecord extends StyleImageRef {
  styleId: string;
  /** The colourway's code, or DEFAULT_COLOR for the style's default picture. */
  color: string;
  data: Buffer;
  updatedAt: number;
}

/** Every picture reference of every style: style id → colour code ('' = default) → reference. */
export type StyleImageRefs = ReadonlyMap<string, ReadonlyMap<string, StyleImageRef>>;

/** The picture to show for a style in a colour: the colour's own, else the style's default, else null. */
export function pictureOf(refs: StyleImageRefs, styleId: string, color?: string | null): StyleImageRef | null {
  const ofStyle = refs.get(styleId);
  if (!ofStyle) return null;
  return (color ? ofStyle.get(color) : undefined) ?? ofStyle.get(DEFAULT_COLOR) ?? null;
}

export interface StyleImageOps {
  /** Sets (or replaces) the picture of the style in `img.color` ('' = its default). */
  put(img: StyleImageRecord): Promise<void>;
  /** The style's picture in `color` (falling back to its default), or null. */
  get(styleId: string, color?: string | null): Promise<StyleImageRecord | null>;
  /** The same as `get` without the bytes. */
  ref(styleId: string, color?: string | null): Promise<StyleImageRef | null>;
  /** A picture by its id (content hash), whichever style shows it. */
  byId(id: string): Promise<StyleImageRecord | null>;
  /** Every picture reference, without bytes (the catalog cache's view; read with `pictureOf`). */
  refs(): Promise<StyleImageRefs>;
  /** Drops the style's picture in `color` ('' = the default), or all its pictures when no colour is given; answers whether any was there. */
  remove(styleId: string, color?: string): Promise<boolean>;
}
