// StyleImageOps on PostgreSQL (table of migration 13), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/styleImageStorage.ts. The bytes are BYTEA, as chat images.
import { type StyleImageRef } from '../../../shared/domain.ts';
import { type StyleImageOps } from '../../ports/styleImageStore.ts';
import { styleImageFromRow } from '../styleImageRows.ts';
import { type Exec } from './pgOps.ts';

const COLS = 'style_id, id, mime, size, data, updated_at';

export function createPgStyleImageOps(exec: Exec): StyleImageOps {
  return {
    put: async (img) => {
      await exec(
        `INSERT INTO style_images (${COLS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (style_id) DO UPDATE SET id = EXCLUDED.id, mime = EXCLUDED.mime, size = EXCLUDED.size,
           data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
        [img.styleId, img.id, img.mime, img.bytes, img.data, img.updatedAt],
      );
    },
    get: async (styleId) => {
      const r = (await exec(`SELECT ${COLS} FROM style_images WHERE style_id = $1`, [styleId])).rows[0];
      return r ? styleImageFromRow(r) : null;
    },
    ref: async (styleId) => {
      const r = (await exec('SELECT id, mime, size FROM style_images WHERE style_id = $1', [styleId])).rows[0];
      return r ? { id: r.id as string, mime: r.mime as StyleImageRef['mime'], bytes: Number(r.size) } : null;
    },
    byId: async (id) => {
      const r = (await exec(`SELECT ${COLS} FROM style_images WHERE id = $1 LIMIT 1`, [id])).rows[0];
      return r ? styleImageFromRow(r) : null;
    },
    refs: async () =>
      new Map(
        (await exec('SELECT style_id, id, mime, size FROM style_images')).rows.map((r) => [
          r.style_id as string,
          { id: r.id as string, mime: r.mime as StyleImageRef['mime'], bytes: Number(r.size) },
        ]),
      ),
    remove: async (styleId) => (await exec('DELETE FROM style_images WHERE style_id = $1', [styleId])).rowCount > 0,
  };
}
