// StyleImageOps on HQ's SQLite connection (table of HQ migration 13, MIGRATION_STYLE_IMAGES).
import type Database from 'better-sqlite3';
import { type StyleImageRef } from '../../../shared/domain.ts';
import { type StyleImageOps } from '../../ports/styleImageStore.ts';
import { styleImageFromRow } from '../styleImageRows.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 13: one picture per style; `id` is the SHA-256 of the bytes (looked up by desks). */
export const MIGRATION_STYLE_IMAGES = `
  CREATE TABLE style_images (
    style_id TEXT PRIMARY KEY, id TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL,
    data BLOB NOT NULL, updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX style_images_id ON style_images(id);
`;

type Row = Record<string, unknown>;

export function createSqliteStyleImageStorage(db: Database.Database): Sync<StyleImageOps> {
  const q = {
    put: db.prepare(
      `INSERT INTO style_images (style_id, id, mime, size, data, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(style_id) DO UPDATE SET id = excluded.id, mime = excluded.mime, size = excluded.size,
         data = excluded.data, updated_at = excluded.updated_at`,
    ),
    get: db.prepare('SELECT * FROM style_images WHERE style_id = ?'),
    ref: db.prepare('SELECT id, mime, size FROM style_images WHERE style_id = ?'),
    byId: db.prepare('SELECT * FROM style_images WHERE id = ? LIMIT 1'),
    refs: db.prepare('SELECT style_id, id, mime, size FROM style_images'),
    remove: db.prepare('DELETE FROM style_images WHERE style_id = ?'),
  };
  return {
    put: (img) => void q.put.run(img.styleId, img.id, img.mime, img.bytes, img.data, img.updatedAt),
    get: (styleId) => {
      const r = q.get.get(styleId) as Row | undefined;
      return r ? styleImageFromRow(r) : null;
    },
    ref: (styleId) => {
      const r = q.ref.get(styleId) as Row | undefined;
      return r ? { id: r.id as string, mime: r.mime as StyleImageRef['mime'], bytes: Number(r.size) } : null;
    },
    byId: (id) => {
      const r = q.byId.get(id) as Row | undefined;
      return r ? styleImageFromRow(r) : null;
    },
    refs: () =>
      new Map((q.refs.all() as Row[]).map((r) => [r.style_id as string, { id: r.id as string, mime: r.mime as StyleImageRef['mime'], bytes: Number(r.size) }])),
    remove: (styleId) => q.remove.run(styleId).changes > 0,
  };
}
