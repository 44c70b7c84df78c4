// HandoverOps on PostgreSQL (table from migration 20), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/handoverStorage.ts statement for statement (the why of each index is there).
import { type Handover } from '../../../shared/assist.ts';
import { type HandoverOps } from '../../ports/handoverStore.ts';
import { type Exec, limitParam, type Row } from './pgOps.ts';

/** Text compared byte for byte, as every id column of HQ's PostgreSQL schema (migrations.ts). */
const T = 'TEXT COLLATE "C"';

/** HQ schema step 20 on PostgreSQL, as SQLite's. */
export const PG_MIGRATION_HANDOVERS = `
  CREATE TABLE handovers (
    id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL,
    at BIGINT NOT NULL, settled_at BIGINT, data TEXT NOT NULL
  );
  CREATE UNIQUE INDEX handovers_waiting ON handovers(store_id, member_id) WHERE settled_at IS NULL;
  CREATE INDEX handovers_store ON handovers(store_id, settled_at);
  CREATE INDEX handovers_member ON handovers(member_id);
`;

const parse = (r: Row): Handover => JSON.parse(r.data as string) as Handover;

export function createPgHandoverOps(exec: Exec): HandoverOps {
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  return {
    getHandover: async (id) => (await all('SELECT data FROM handovers WHERE id = $1', [id])).map(parse)[0] ?? null,
    putHandover: async (h) => {
      await exec(
        `INSERT INTO handovers (id, store_id, member_id, at, settled_at, data) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET settled_at = EXCLUDED.settled_at, data = EXCLUDED.data`,
        [h.id, h.storeId, h.memberId, h.at, h.settledAt, JSON.stringify(h)],
      );
    },
    waiting: async (storeId, memberId) => (await all('SELECT data FROM handovers WHERE store_id = $1 AND member_id = $2 AND settled_at IS NULL', [storeId, memberId])).map(parse)[0] ?? null,
    ofStore: async (storeId, since, limit) =>
      (await all('SELECT data FROM handovers WHERE store_id = $1 AND (settled_at IS NULL OR settled_at >= $2) ORDER BY at, id LIMIT $3', [storeId, since, limitParam(limit)])).map(parse),
  };
}
