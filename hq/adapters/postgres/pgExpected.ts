// ExpectedOps on PostgreSQL (table from migration 15), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/expectedStorage.ts statement for statement.
import { type ExpectedVisit } from '../../../shared/expected.ts';
import { type ExpectedOps } from '../../ports/expectedStore.ts';
import { DISTINCT_PAIRS, type Exec, limitParam, openExpectedWhere, type Row } from './pgOps.ts';

const parse = (r: Row): ExpectedVisit => JSON.parse(r.data as string) as ExpectedVisit;

/**
 * `openAtStores`, per arrival batch: each distinct pair of ($1, $2) looked up by itself in
 * expected_visits_member, its open expectations kept. Per pair for the reason OPEN_VISITS_SEEN is
 * (pgOps.ts): as one semi join (`(store_id, member_id) IN (unnest …)`), a generic plan made while
 * the table was empty and never analysed read every open expectation of the chain per batch —
 * 0.8 ms with 1,000 of them, 3.4 ms with 10,000, 18 ms with 50,000 — where the look-up stays
 * ~0.7 ms (docs/benchmarks.md, round 51). DISTINCT: a pair given twice gives its rows once.
 * OFFSET 0 keeps the subquery a per-pair look-up: without it the planner pulls it up into the
 * same join.
 */
export const OPEN_EXPECTED_AT_STORES = `SELECT e.data FROM ${DISTINCT_PAIRS} p
  CROSS JOIN LATERAL (
    SELECT data, updated_at, id FROM expected_visits
    WHERE member_id = p.member_id AND store_id = p.store_id AND status = 'expected'
    OFFSET 0
  ) e
  ORDER BY e.updated_at, e.id`;

export function createPgExpectedOps(exec: Exec): ExpectedOps {
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  return {
    getExpected: async (id) => (await all('SELECT data FROM expected_visits WHERE id = $1', [id])).map(parse)[0] ?? null,
    putExpected: async (e, at, clientId) => {
      await exec(
        `INSERT INTO expected_visits (id, store_id, member_id, client_id, status, until, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, until = EXCLUDED.until, updated_at = EXCLUDED.updated_at, data = EXCLUDED.data`,
        [e.id, e.storeId, e.member.id, clientId ?? null, e.status, e.until, at, JSON.stringify(e)],
      );
    },
    byClientId: async (memberId, clientId) => (await all('SELECT data FROM expected_visits WHERE member_id = $1 AND client_id = $2', [memberId, clientId])).map(parse)[0] ?? null,
    openAtStore: async (storeId, memberId, now) =>
      (await all(`SELECT data FROM expected_visits WHERE ${openExpectedWhere('$1', '$2', '$3')} ORDER BY updated_at, id`, [memberId, storeId, now])).map(parse),
    openAtStores: async (pairs) => (await all(OPEN_EXPECTED_AT_STORES, [pairs.map((p) => p.storeId), pairs.map((p) => p.memberId)])).map(parse),
    openOfMember: async (memberId) => (await all("SELECT data FROM expected_visits WHERE member_id = $1 AND status = 'expected' ORDER BY until, id", [memberId])).map(parse),
    dueExpected: async (now, limit) =>
      (await all("SELECT store_id, id FROM expected_visits WHERE status = 'expected' AND until <= $1 ORDER BY until, id LIMIT $2", [now, limitParam(limit)])).map((r) => ({
        storeId: r.store_id as string,
        id: r.id as string,
      })),
    ofStore: async (storeId, since, limit) =>
      (await all("SELECT data FROM expected_visits WHERE store_id = $1 AND (status = 'expected' OR updated_at >= $2) ORDER BY until, id LIMIT $3", [storeId, since, limitParam(limit)])).map(parse),
  };
}
