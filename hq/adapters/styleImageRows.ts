// A style_images row (SQLite or PostgreSQL) as the port's record.
import { type StyleImageRef } from '../../shared/domain.ts';
import { type StyleImageRecord } from '../ports/styleImageStore.ts';

export function styleImageFromRow(r: Record<string, unknown>): StyleImageRecord {
  return {
    styleId: r.style_id as string,
    id: r.id as string,
    mime: r.mime as StyleImageRef['mime'],
    bytes: Number(r.size),
    data: Buffer.from(r.data as Uint8Array),
    updatedAt: Number(r.updated_at),
  };
}
