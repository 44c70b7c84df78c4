// style_images rows (SQLite or PostgreSQL) as the port's records.
import { type StyleImageRef } from '../../shared/domain.ts';
import { type StyleImageRecord, type StyleImageRefs } from '../ports/styleImageStore.ts';

export function styleImageFromRow(r: Record<string, unknown>): StyleImageRecord {
  return {
    styleId: r.style_id as string,
    color: r.color as string,
    id: r.id as string,
    mime: r.mime as StyleImageRef['mime'],
    bytes: Number(r.size),
    data: Buffer.from(r.data as Uint8Array),
    updatedAt: Number(r.updated_at),
  };
}

export function styleImageRefFromRow(r: Record<string, unknown>): StyleImageRef {
  return { id: r.id as string, mime: r.mime as StyleImageRef['mime'], bytes: Number(r.size) };
}

/** Rows of (style_id, color, id, mime, size) grouped per style and colour. */
export function styleImageRefsFromRows(rows: readonly Record<string, unknown>[]): StyleImageRefs {
  const out = new Map<string, Map<string, StyleImageRef>>();
  for (const r of rows) {
    const styleId = r.style_id as string;
    let ofStyle = out.get(styleId);
    if (!ofStyle) out.set(styleId, (ofStyle = new Map()));
    ofStyle.set(r.color as string, styleImageRefFromRow(r));
  }
  return out;
}
