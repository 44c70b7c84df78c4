// AssistOps on PostgreSQL (tables from migration 18), bound to one transaction's connection;
// mirrors hq/adapters/sqlite/assistStorage.ts statement for statement (JSON text read with
// `::jsonb ->>` instead of json_extract, the visit list as an array parameter).
import { type AssistOps } from '../../ports/assistStore.ts';
import { actorOf, attributionFromRow, markFromRow, shownFromRow } from '../assistRows.ts';
import { type Exec, type Row } from './pgOps.ts';
import { reportAssistKpis } from './pgReports.ts';

const T = 'TEXT COLLATE "C"';

/** HQ schema step 18 on PostgreSQL: as SQLite's MIGRATION_ASSIST. */
export const PG_MIGRATION_ASSIST = `
  CREATE TABLE suggestions_shown (
    visit_id ${T} NOT NULL, style_id ${T} NOT NULL, store_id ${T} NOT NULL, member_id ${T} NOT NULL,
    role ${T} NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (visit_id, style_id)
  );
  CREATE INDEX suggestions_shown_sale ON suggestions_shown(store_id, member_id, style_id, at);
  CREATE INDEX suggestions_shown_member ON suggestions_shown(member_id);
  -- (Both dropped at step 22, as on SQLite: a sale and erasure reach the rows through the member's visits.)
  CREATE TABLE suggestion_marks (
    visit_id ${T} NOT NULL, style_id ${T} NOT NULL, store_id ${T} NOT NULL, member_id ${T} NOT NULL,
    role ${T} NOT NULL, verdict ${T} NOT NULL, by_actor TEXT NOT NULL, clerk_id ${T}, at BIGINT NOT NULL,
    PRIMARY KEY (visit_id, style_id)
  );
  CREATE INDEX suggestion_marks_member ON suggestion_marks(member_id);
  CREATE TABLE sale_attributions (
    purchase_id ${T} PRIMARY KEY, store_id ${T} NOT NULL, member_id ${T} NOT NULL, style_id ${T} NOT NULL,
    source ${T} NOT NULL, visit_id ${T}, clerk_id ${T}, price BIGINT NOT NULL, at BIGINT NOT NULL
  );
  CREATE INDEX sale_attributions_store ON sale_attributions(store_id, at);
  CREATE INDEX sale_attributions_member ON sale_attributions(member_id);
`;

export function createPgAssistOps(exec: Exec): AssistOps {
  const all = async (text: string, values: unknown[]): Promise<Row[]> => (await exec(text, values)).rows;
  return {
    // A card's suggestions in one statement (rows in the order listed, as a function scan yields
    // them; a repeated (visit, style) keeps its first row): one INSERT per row cost the arrival a
    // round trip each, two more than the event it is issued together with. The rows go as one JSON
    // text rather than six arrays: the driver prepares and escapes every array element in
    // JavaScript (a batch of 50 arrivals shows ~300 rows, 1,800 elements; the driver's array work
    // was ~2 % of HQ's busy samples in the capacity bench, round 25), JSON.stringify is one call.
    putShown: async (rows) => {
      if (rows.length === 0) return;
      await exec(
        `INSERT INTO suggestions_shown (visit_id, style_id, store_id, member_id, role, at)
         SELECT * FROM json_to_recordset($1::json) AS r(v text, s text, t text, m text, r text, a bigint)
         ON CONFLICT (visit_id, style_id) DO NOTHING`,
        [JSON.stringify(rows.map((x) => ({ v: x.visitId, s: x.styleId, t: x.storeId, m: x.memberId, r: x.role, a: x.at })))],
      );
    },
    shownOfVisit: async (visitId) => (await all('SELECT * FROM suggestions_shown WHERE visit_id = $1 ORDER BY role DESC, style_id', [visitId])).map(shownFromRow),
    putMark: async (m) => {
      await exec(
        `INSERT INTO suggestion_marks (visit_id, style_id, store_id, member_id, role, verdict, by_actor, clerk_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (visit_id, style_id) DO UPDATE SET role = EXCLUDED.role, verdict = EXCLUDED.verdict, by_actor = EXCLUDED.by_actor,
           clerk_id = EXCLUDED.clerk_id, at = EXCLUDED.at`,
        [m.visitId, m.styleId, m.storeId, m.memberId, m.role, m.verdict, JSON.stringify(m.by), m.by.clerkId ?? null, m.at],
      );
    },
    marksOfVisits: async (visitIds) =>
      visitIds.length ? (await all('SELECT * FROM suggestion_marks WHERE visit_id = ANY($1::text[]) ORDER BY visit_id, style_id', [[...visitIds]])).map(markFromRow) : [],
    shownForSale: async (storeId, memberId, styleId, since, until) =>
      (
        await all(
          // As SQLite's (assistStorage.ts): from the member's visits at the store, last seen since
          // the window opened, to each one's row of the style by its primary key (step 22).
          `SELECT x.*, k.verdict, v.claimed_by FROM visits v
             JOIN suggestions_shown x ON x.visit_id = v.id AND x.style_id = $3
             LEFT JOIN suggestion_marks k ON k.visit_id = x.visit_id AND k.style_id = x.style_id
           WHERE v.store_id = $1 AND v.member_id = $2 AND v.last_seen_at >= $4
             AND x.store_id = v.store_id AND x.member_id = v.member_id AND x.at >= $4 AND x.at <= $5
           ORDER BY x.at DESC, x.visit_id DESC`,
          [storeId, memberId, styleId, since, until],
        )
      ).map((r) => ({ ...shownFromRow(r), verdict: (r.verdict as 'used' | 'not_relevant' | null) ?? null, claimedBy: actorOf(r.claimed_by) })),
    cardsSent: async (storeId, memberId, styleId, since, until) =>
      (
        await all(
          `SELECT id, product::jsonb ->> 'styleId' AS style_id, "by", at FROM messages
           WHERE store_id = $1 AND member_id = $2 AND sender = 'clerk' AND kind = 'product' AND recalled_at IS NULL
             AND product::jsonb ->> 'styleId' = $3 AND at >= $4 AND at <= $5
           ORDER BY at DESC, n DESC`,
          [storeId, memberId, styleId, since, until],
        )
      ).map((r) => ({ messageId: r.id as string, styleId: r.style_id as string, by: actorOf(r.by), at: Number(r.at) })),
    getAttribution: async (purchaseId) => {
      const r = (await all('SELECT * FROM sale_attributions WHERE purchase_id = $1', [purchaseId]))[0];
      return r ? attributionFromRow(r) : null;
    },
    putAttribution: async (a) =>
      (
        await exec(
          `INSERT INTO sale_attributions (purchase_id, store_id, member_id, style_id, source, visit_id, clerk_id, price, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (purchase_id) DO NOTHING`,
          [a.purchaseId, a.storeId, a.memberId, a.styleId, a.source, a.visitId, a.clerkId, a.price, a.at],
        )
      ).rowCount > 0,
    kpis: (storeIds, q) => reportAssistKpis(exec, storeIds, q),
  };
}
