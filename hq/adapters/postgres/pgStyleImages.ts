// StyleImageOps on PostgreSQL (table of migration 13), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/styleImageStorage.ts. The bytes are BYTEA, as chat images.
import { type StyleImageOps } from '../../ports/styleImageStore.ts';
import { styleImageFromRow, styleImageRefFromRow, styleImageRefsFromRows } from '../styleImageRows.ts';
import { type Exec } from './pgOps.ts';

const COLS = 'style_id, color, id, mime, size, data, updated_at';
// The colour's own row first, then the style's default ('').
const PICK = `WHERE style_id = $1 AND color IN ($2, '') ORDER BY color = '' LIMIT 1`;

export function createPgStyleImageOps(exec: Exec): StyleImageOps {
  return {
    put: async (img) => {
      await exec(
        `INSERT INTO style_images (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (style_id, color) DO UPDATE SET id = EXCLUDED.id, mime = EXCLUDED.mime, size = EXCLUDED.size,
           data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
        [img.styleId, img.color, img.id, img.mime, img.bytes, img.data, img.updatedAt],
      );
    },
    get: async (styleId, color) => {
      const r = (await exec(`SELECT ${COLS} FROM style_images ${PICK}`, [styleId, color ?? ''])).rows[0];
      return r ? styleImageFromRow(r) : null;
    },
    ref: async (styleId, color) => {
      const r = (await exec(`SELECT id, mime, size FROM style_images ${PICK}`, [styleId, color ?? ''])).rows[0];
      return r ? styleImageRefFromRow(r) : null;
    },
    byId: async (id) => {
      const r = (await exec(`SELECT ${COLS} FROM style_images WHERE id = $1 LIMIT 1`, [id])).rows[0];
      return r ? styleImageFromRow(r) : null;
    },
    refs: async () => styleImageRefsFromRows((await exec('SELECT style_id, color, id, mime, size FROM style_images')).rows),
    remove: async (styleId, color) =>
      (color === undefined
        ? await exec('DELETE FROM style_images WHERE style_id = $1', [styleId])
        : await exec('DELETE FROM style_images WHERE style_id = $1 AND color = $2', [styleId, color])
      ).rowCount > 0,
  };
}
