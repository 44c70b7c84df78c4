// StyleImageOps on HQ's SQLite connection (table of HQ migration 13, MIGRATION_STYLE_IMAGES).
import type Database from 'better-sqlite3';
import { type StyleImageOps } from '../../ports/styleImageStore.ts';
import { styleImageFromRow, styleImageRefFromRow, styleImageRefsFromRows } from '../styleImageRows.ts';
import { type Sync } from './syncOps.ts';

/**
 * HQ schema step 13: a picture per style and colour code ('' = the style's default); `id` is the
 * SHA-256 of the bytes (looked up by desks).
 */
export const MIGRATION_STYLE_IMAGES = `
  CREATE TABLE style_images (
    style_id TEXT NOT NULL, color TEXT NOT NULL, id TEXT NOT NULL, mime TEXT NOT NULL, size INTEGER NOT NULL,
    data BLOB NOT NULL, updated_at INTEGER NOT NULL,
    PRIMARY KEY (style_id, color)
  ) WITHOUT ROWID;
  CREATE INDEX style_images_id ON style_images(id);
`;

type Row = Record<string, unknown>;

// The colour's row sorts before the default ('' sorts first, so order by "is it the colour").
const PICK = `WHERE style_id = ? AND color IN (?, '') ORDER BY color = '' LIMIT 1`;

export function createSqliteStyleImageStorage(db: Database.Database): Sync<StyleImageOps> {
  const q = {
    put: db.prepare(
      `INSERT INTO style_images (style_id, color, id, mime, size, data, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(style_id, color) DO UPDATE SET id = excluded.id, mime = excluded.mime, size = excluded.size,
         data = excluded.data, updated_at = excluded.updated_at`,
    ),
    get: db.prepare(`SELECT * FROM style_images ${PICK}`),
    ref: db.prepare(`SELECT id, mime, size FROM style_images ${PICK}`),
    byId: db.prepare('SELECT * FROM style_images WHERE id = ? LIMIT 1'),
    refs: db.prepare('SELECT style_id, color, id, mime, size FROM style_images'),
    removeOne: db.prepare('DELETE FROM style_images WHERE style_id = ? AND color = ?'),
    removeAll: db.prepare('DELETE FROM style_images WHERE style_id = ?'),
  };
  return {
    put: (img) => void q.put.run(img.styleId, img.color, img.id, img.mime, img.bytes, img.data, img.updatedAt),
    get: (styleId, color) => {
      const r = q.get.get(styleId, color ?? '') as Row | undefined;
      return r ? styleImageFromRow(r) : null;
    },
    ref: (styleId, color) => {
      const r = q.ref.get(styleId, color ?? '') as Row | undefined;
      return r ? styleImageRefFromRow(r) : null;
    },
    byId: (id) => {
      const r = q.byId.get(id) as Row | undefined;
      return r ? styleImageFromRow(r) : null;
    },
    refs: () => styleImageRefsFromRows(q.refs.all() as Row[]),
    remove: (styleId, color) => (color === undefined ? q.removeAll.run(styleId) : q.removeOne.run(styleId, color)).changes > 0,
  };
}
