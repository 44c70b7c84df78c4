// Search by recency without sorting every match (docs/benchmarks.md, "Cache search"): each member
// carries its latest visit in this cache, with a partial index over the members that have one. A
// broad search walks that index newest first and probes the term, stopping at `limit` hits
// (MemberSearch); an arrival updates one row. 0 = no visit in this cache.
// (A per-term recency table was tried first and dropped before release: it cost an arrival ~30
// index rows and a 10,000-event resume +1.2 s.)
import { type Migration } from './types.ts';

export const migration005: Migration = {
  version: 5,
  name: 'member-last-visit',
  up(db) {
    db.exec(`
      ALTER TABLE members ADD COLUMN last_visit_at INTEGER NOT NULL DEFAULT 0;
      UPDATE members SET last_visit_at = COALESCE((SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = members.id), 0);
      CREATE INDEX members_by_last_visit ON members (last_visit_at DESC) WHERE last_visit_at > 0;
    `);
  },
};
