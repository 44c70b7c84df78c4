// RestockOps on HQ's SQLite connection (tables from HQ migration 19, MIGRATION_RESTOCK). A match is
// kept whole as JSON (`data`) beside the columns its queries filter on; `restock_match_members`
// indexes who is in which match, so erasing a member finds their matches without reading them all.
//
// What `candidates` costs, per stock line that went from 0 to more (a shoe style only): the
// store's home members of that size off `members_home_size` (home_store_id, size_eu), plus the
// store's visits of the last year off `visits_store_time` (store_id, arrived_at) joined to members
// by primary key; for each of those, two probes of `purchases_member` (the member's own purchases)
// and one of `visits_of_member` (their last visit here: the member's entries, filtered by store in the
// index). Nothing reads another store's members.
import type Database from 'better-sqlite3';
import { type RestockMatch } from '../../../shared/assist.ts';
import { type Category, type StyleKind } from '../../../shared/domain.ts';
import { type RestockOps } from '../../ports/restockStore.ts';
import { candidateFromRow, TIER_ORDER_SQL } from '../restockRows.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 19: restock matches (7/8). Same tables on PostgreSQL (pgRestock.ts). */
export const MIGRATION_RESTOCK = `
  CREATE TABLE restock_matches (id TEXT PRIMARY KEY, store_id TEXT NOT NULL, at INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE INDEX restock_matches_store ON restock_matches(store_id, at);
  CREATE TABLE restock_match_members (member_id TEXT NOT NULL, match_id TEXT NOT NULL, PRIMARY KEY (member_id, match_id)) WITHOUT ROWID;
  -- The trigger reads a store's home members of one size, not every home member.
  CREATE INDEX members_home_size ON members(home_store_id, size_eu);
`;

type Row = Record<string, unknown>;
const parse = (r: Row): RestockMatch => JSON.parse(r.data as string) as RestockMatch;

export function createSqliteRestockStorage(db: Database.Database): Sync<RestockOps> {
  const q = {
    style: db.prepare('SELECT name, category, kind FROM styles WHERE id = ?'),
    candidates: db.prepare(`
      WITH pool(member_id) AS (
        SELECT id FROM members WHERE home_store_id = @store AND size_eu = @size
        UNION
        SELECT member_id FROM visits WHERE store_id = @store AND arrived_at >= @since
      ), c AS (
        SELECT m.id, m.name, m.tier,
          EXISTS (SELECT 1 FROM json_each(m.preferences) WHERE value = @category) AS prefers,
          (SELECT MAX(v.last_seen_at) FROM visits v WHERE v.store_id = @store AND v.member_id = m.id) AS last_visit_at
        FROM pool JOIN members m ON m.id = pool.member_id
        WHERE m.size_eu = @size
          AND json_extract(m.consents, '$.personalization') = 1 AND json_extract(m.consents, '$.contact') = 1
          AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = m.id AND p.style_id = @style)
      )
      SELECT * FROM c
      WHERE prefers OR EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = c.id AND p.category = @category)
      ORDER BY ${TIER_ORDER_SQL}, last_visit_at DESC NULLS LAST, id
      LIMIT +@limit`),
    get: db.prepare('SELECT data FROM restock_matches WHERE id = ?'),
    put: db.prepare('INSERT INTO restock_matches (id, store_id, at, data) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data'),
    clearMembers: db.prepare('DELETE FROM restock_match_members WHERE match_id = ?'),
    addMember: db.prepare('INSERT OR IGNORE INTO restock_match_members (member_id, match_id) VALUES (?, ?)'),
    ofStore: db.prepare('SELECT data FROM restock_matches WHERE store_id = ? AND at >= ? ORDER BY at DESC, id DESC'),
    ofMember: db.prepare('SELECT r.data FROM restock_match_members x JOIN restock_matches r ON r.id = x.match_id WHERE x.member_id = ? ORDER BY r.at, r.id'),
  };
  return {
    style: (styleId) => {
      const r = q.style.get(styleId) as Row | undefined;
      return r ? { name: r.name as string, category: r.category as Category, kind: (r.kind as StyleKind | null) ?? undefined } : null;
    },
    candidates: (c) =>
      (q.candidates.all({ store: c.storeId, size: c.size, since: c.since, category: c.category, style: c.styleId, limit: c.limit }) as Row[]).map(candidateFromRow),
    getMatch: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? parse(r) : null;
    },
    putMatch: (m) => {
      q.put.run(m.id, m.storeId, m.at, JSON.stringify(m));
      q.clearMembers.run(m.id);
      for (const x of m.members) q.addMember.run(x.memberId, m.id);
    },
    matchesOfStore: (storeId, since) => (q.ofStore.all(storeId, since) as Row[]).map(parse),
    matchesOfMember: (memberId) => (q.ofMember.all(memberId) as Row[]).map(parse),
  };
}
