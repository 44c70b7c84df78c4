// RestockOps on PostgreSQL (tables from migration 19), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/restockStorage.ts statement for statement (where its query's cost is
// stated: the same indexes serve here).
import { type RestockMatch } from '../../../shared/assist.ts';
import { type Category, type StyleKind } from '../../../shared/domain.ts';
import { type RestockOps } from '../../ports/restockStore.ts';
import { candidateFromRow, TIER_ORDER_SQL } from '../restockRows.ts';
import { type Exec, type Row } from './pgOps.ts';

const T = 'TEXT COLLATE "C"';

/** HQ schema step 19 on PostgreSQL, as SQLite's. */
export const PG_MIGRATION_RESTOCK = `
  CREATE TABLE restock_matches (id ${T} PRIMARY KEY, store_id ${T} NOT NULL, at BIGINT NOT NULL, data TEXT NOT NULL);
  CREATE INDEX restock_matches_store ON restock_matches(store_id, at);
  CREATE TABLE restock_match_members (member_id ${T} NOT NULL, match_id ${T} NOT NULL, PRIMARY KEY (member_id, match_id));
  CREATE INDEX members_home_size ON members(home_store_id, size_eu);
`;

const parse = (r: Row): RestockMatch => JSON.parse(r.data as string) as RestockMatch;

export function createPgRestockOps(exec: Exec): RestockOps {
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  return {
    style: async (styleId) => {
      const r = (await all('SELECT name, category, kind FROM styles WHERE id = $1', [styleId]))[0];
      return r ? { name: r.name as string, category: r.category as Category, kind: (r.kind as StyleKind | null) ?? undefined } : null;
    },
    candidates: async (c) =>
      (
        await all(
          `WITH pool(member_id) AS (
             SELECT id FROM members WHERE home_store_id = $1 AND size_eu = $2
             UNION
             SELECT member_id FROM visits WHERE store_id = $1 AND arrived_at >= $3
           ), c AS (
             SELECT m.id, m.name, m.tier,
               (m.preferences::jsonb ? $4) AS prefers,
               (SELECT MAX(v.last_seen_at) FROM visits v WHERE v.store_id = $1 AND v.member_id = m.id) AS last_visit_at
             FROM pool JOIN members m ON m.id = pool.member_id
             WHERE m.size_eu = $2
               AND (m.consents::jsonb ->> 'personalization') = 'true' AND (m.consents::jsonb ->> 'contact') = 'true'
               AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = m.id AND p.style_id = $5)
           )
           SELECT * FROM c
           WHERE prefers OR EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = c.id AND p.category = $4)
           ORDER BY ${TIER_ORDER_SQL}, last_visit_at DESC NULLS LAST, id
           LIMIT $6`,
          [c.storeId, c.size, c.since, c.category, c.styleId, c.limit],
        )
      ).map(candidateFromRow),
    getMatch: async (id) => (await all('SELECT data FROM restock_matches WHERE id = $1', [id])).map(parse)[0] ?? null,
    putMatch: async (m) => {
      await exec('INSERT INTO restock_matches (id, store_id, at, data) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data', [m.id, m.storeId, m.at, JSON.stringify(m)]);
      await exec('DELETE FROM restock_match_members WHERE match_id = $1', [m.id]);
      if (m.members.length) await exec('INSERT INTO restock_match_members (member_id, match_id) SELECT DISTINCT x, $1 FROM unnest($2::text[]) AS x', [m.id, m.members.map((x) => x.memberId)]);
    },
    matchesOfStore: async (storeId, since) => (await all('SELECT data FROM restock_matches WHERE store_id = $1 AND at >= $2 ORDER BY at DESC, id DESC', [storeId, since])).map(parse),
    matchesOfMember: async (memberId) =>
      (await all('SELECT r.data FROM restock_match_members x JOIN restock_matches r ON r.id = x.match_id WHERE x.member_id = $1 ORDER BY r.at, r.id', [memberId])).map(parse),
  };
}
