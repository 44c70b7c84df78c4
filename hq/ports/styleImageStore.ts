// The style pictures part of the store port (reached as `tx.styleImages`, 4/8 part E): one picture
// per style, its bytes kept in the database beside the catalog so every node serves the same one.
//
// Invariant: a row's `id` is the SHA-256 (hex) of its bytes, so the id is also the ETag, and a
// desk that cached a picture by id never needs it again; a new picture of a style is a new id.
import { type StyleImageRef } from '../../shared/domain.ts';

export interface StyleImageRecord extends StyleImageRef {
  styleId: string;
  data: Buffer;
  updatedAt: number;
}

export interface StyleImageOps {
  /** Sets (or replaces) the style's picture. */
  put(img: StyleImageRecord): Promise<void>;
  /** The style's picture, or null. */
  get(styleId: string): Promise<StyleImageRecord | null>;
  /** The style's picture reference without its bytes, or null. */
  ref(styleId: string): Promise<StyleImageRef | null>;
  /** A picture by its id (content hash), whichever style shows it. */
  byId(id: string): Promise<StyleImageRecord | null>;
  /** Every style's picture reference, without bytes (the catalog cache's view). */
  refs(): Promise<Map<string, StyleImageRef>>;
  /** Drops the style's picture; answers whether there was one. */
  remove(styleId: string): Promise<boolean>;
}
