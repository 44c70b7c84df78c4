// AssistOps on HQ's SQLite connection (tables created by HQ migration 18, MIGRATION_ASSIST): the
// suggestions an arrival card showed, the clerks' marks on them, and the sales attributed.
// Invariant: one shown row and one mark per (visit, style), one attribution per purchase id — the
// primary keys hold it, so a resend or a purchase ingested twice cannot count twice.
import type Database from 'better-sqlite3';
import { type AssistOps } from '../../ports/assistStore.ts';
import { actorOf, attributionFromRow, markFromRow, shownFromRow } from '../assistRows.ts';
import { createSqliteAssistKpis } from './sqliteReports.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 18: assisted selling (7/8) — suggestions shown, marks, sale attributions. Same tables on PostgreSQL (pgAssist.ts). */
export const MIGRATION_ASSIST = `
  CREATE TABLE suggestions_shown (
    visit_id TEXT NOT NULL, style_id TEXT NOT NULL, store_id TEXT NOT NULL, member_id TEXT NOT NULL,
    role TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (visit_id, style_id)
  );
  -- A sale looks back for this member's suggestions of the style at the store; erasure by member.
  -- (Both indexes dropped at step 22: a sale reaches the rows through the member's visits, erasure too.)
  CREATE INDEX suggestions_shown_sale ON suggestions_shown(store_id, member_id, style_id, at);
  CREATE INDEX suggestions_shown_member ON suggestions_shown(member_id);
  CREATE TABLE suggestion_marks (
    visit_id TEXT NOT NULL, style_id TEXT NOT NULL, store_id TEXT NOT NULL, member_id TEXT NOT NULL,
    role TEXT NOT NULL, verdict TEXT NOT NULL, by_actor TEXT NOT NULL, clerk_id TEXT, at INTEGER NOT NULL,
    PRIMARY KEY (visit_id, style_id)
  );
  CREATE INDEX suggestion_marks_member ON suggestion_marks(member_id);
  CREATE TABLE sale_attributions (
    purchase_id TEXT PRIMARY KEY, store_id TEXT NOT NULL, member_id TEXT NOT NULL, style_id TEXT NOT NULL,
    source TEXT NOT NULL, visit_id TEXT, clerk_id TEXT, price INTEGER NOT NULL, at INTEGER NOT NULL
  );
  -- The manager's review sums a store's attributions over a period.
  CREATE INDEX sale_attributions_store ON sale_attributions(store_id, at);
  CREATE INDEX sale_attributions_member ON sale_attributions(member_id);
`;

type Row = Record<string, unknown>;

/**
 * A sale's look-back: the suggestions of @style shown to @member at @store with `at` in
 * [@since, @until], newest first, with the mark on each and its visit's claimer. From the member's
 * visits at the store (their entries in visits_of_member, step 23, whose store and last seen are in
 * the index; INDEXED BY, since a store's time index would read all of the store's visits instead)
 * to each one's row of the style (the primary key): no index of suggestions_shown by member (step
 * 22). A card's suggestions are recorded at its visit's arrival and a visit's last_seen_at only
 * grows, so a suggestion shown since @since is on a visit last seen since then: the index's own
 * store and last seen pick those visits before any row is read. (Exported for the plan tests,
 * sqlite-migration-022 and -023.)
 */
export const SHOWN_FOR_SALE_SQL = `SELECT x.*, k.verdict, v.claimed_by FROM visits v INDEXED BY visits_of_member
  JOIN suggestions_shown x ON x.visit_id = v.id AND x.style_id = @style
  LEFT JOIN suggestion_marks k ON k.visit_id = x.visit_id AND k.style_id = x.style_id
  WHERE v.store_id = @store AND v.member_id = @member AND v.last_seen_at >= @since
    AND x.store_id = v.store_id AND x.member_id = v.member_id AND x.at >= @since AND x.at <= @until
  ORDER BY x.at DESC, x.visit_id DESC`;

export function createSqliteAssistStorage(db: Database.Database): Sync<AssistOps> {
  const q = {
    putShown: db.prepare(
      'INSERT INTO suggestions_shown (visit_id, style_id, store_id, member_id, role, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id, style_id) DO NOTHING',
    ),
    shownOfVisit: db.prepare('SELECT * FROM suggestions_shown WHERE visit_id = ? ORDER BY role DESC, style_id'),
    putMark: db.prepare(
      `INSERT INTO suggestion_marks (visit_id, style_id, store_id, member_id, role, verdict, by_actor, clerk_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (visit_id, style_id) DO UPDATE SET role = excluded.role, verdict = excluded.verdict, by_actor = excluded.by_actor,
         clerk_id = excluded.clerk_id, at = excluded.at`,
    ),
    marksOfVisits: db.prepare('SELECT * FROM suggestion_marks WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY visit_id, style_id'),
    shownForSale: db.prepare(SHOWN_FOR_SALE_SQL),
    cardsSent: db.prepare(
      `SELECT id, json_extract(product, '$.styleId') AS style_id, by, at FROM messages
       WHERE store_id = ? AND member_id = ? AND sender = 'clerk' AND kind = 'product' AND recalled_at IS NULL
         AND json_extract(product, '$.styleId') = ? AND at >= ? AND at <= ?
       ORDER BY at DESC, n DESC`,
    ),
    getAttribution: db.prepare('SELECT * FROM sale_attributions WHERE purchase_id = ?'),
    putAttribution: db.prepare(
      `INSERT INTO sale_attributions (purchase_id, store_id, member_id, style_id, source, visit_id, clerk_id, price, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (purchase_id) DO NOTHING`,
    ),
  };
  const kpis = createSqliteAssistKpis(db);
  return {
    putShown: (rows) => {
      for (const s of rows) q.putShown.run(s.visitId, s.styleId, s.storeId, s.memberId, s.role, s.at);
    },
    shownOfVisit: (visitId) => (q.shownOfVisit.all(visitId) as Row[]).map(shownFromRow),
    putMark: (m) => void q.putMark.run(m.visitId, m.styleId, m.storeId, m.memberId, m.role, m.verdict, JSON.stringify(m.by), m.by.clerkId ?? null, m.at),
    marksOfVisits: (visitIds) => (visitIds.length ? (q.marksOfVisits.all(JSON.stringify(visitIds)) as Row[]).map(markFromRow) : []),
    shownForSale: (storeId, memberId, styleId, since, until) =>
      (q.shownForSale.all({ store: storeId, member: memberId, style: styleId, since, until }) as Row[]).map((r) => ({
        ...shownFromRow(r),
        verdict: (r.verdict as 'used' | 'not_relevant' | null) ?? null,
        claimedBy: actorOf(r.claimed_by),
      })),
    cardsSent: (storeId, memberId, styleId, since, until) =>
      (q.cardsSent.all(storeId, memberId, styleId, since, until) as Row[]).map((r) => ({
        messageId: r.id as string,
        styleId: r.style_id as string,
        by: actorOf(r.by),
        at: Number(r.at),
      })),
    getAttribution: (purchaseId) => {
      const r = q.getAttribution.get(purchaseId) as Row | undefined;
      return r ? attributionFromRow(r) : null;
    },
    putAttribution: (a) => q.putAttribution.run(a.purchaseId, a.storeId, a.memberId, a.styleId, a.source, a.visitId, a.clerkId, a.price, a.at).changes > 0,
    kpis: (storeIds, r) => kpis(storeIds, r),
  };
}
