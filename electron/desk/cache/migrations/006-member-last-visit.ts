// Search by recency, cheaper to keep up than 005's visited_terms (which cost an arrival ~30 index
// rows, +1.2 s on a 10,000-event resume): each member carries its latest visit in this cache, with a
// partial index over the members that have one. A broad search walks that index newest first and
// probes the term, stopping at `limit` hits (MemberSearch); an arrival updates one row.
// 0 = no visit in this cache. visited_terms is derived data and simply dropped.
import { type Migration } from './types.ts';

export const migration006: Migration = {
  version: 6,
  name: 'member-last-visit',
  up(db) {
    db.exec(`
      DROP TABLE IF EXISTS visited_terms;
      ALTER TABLE members ADD COLUMN last_visit_at INTEGER NOT NULL DEFAULT 0;
      UPDATE members SET last_visit_at = COALESCE((SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = members.id), 0);
      CREATE INDEX members_by_last_visit ON members (last_visit_at DESC) WHERE last_visit_at > 0;
    `);
  },
};
