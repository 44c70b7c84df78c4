// Search by recency without sorting every match (docs/benchmarks.md, "Cache search"): the search
// terms of members who have a visit in this cache, each with the member's latest arrival, indexed
// by (term, last_visit_at DESC). "The 20 most recent visitors matching `wan`" is then a walk of 20
// index entries instead of a join and sort of the thousands of members `wan` matches; members
// without a visit follow in member_terms order. Kept apart from member_terms so that an arrival
// rewrites a few pages of this small table (visitors only), not 30 scattered rows of the big one.
// Maintained by CacheQueries.putVisit and MemberSearch.index; derived data, rebuilt here.
import { type Migration } from './types.ts';

export const migration005: Migration = {
  version: 5,
  name: 'visited-terms',
  up(db) {
    db.exec(`
      CREATE TABLE visited_terms (
        member_id      TEXT NOT NULL,
        term           TEXT NOT NULL,
        last_visit_at  INTEGER NOT NULL,
        PRIMARY KEY (member_id, term)
      ) WITHOUT ROWID;
      CREATE INDEX visited_terms_by_recency ON visited_terms (term, last_visit_at DESC);
      INSERT INTO visited_terms (member_id, term, last_visit_at)
        SELECT t.member_id, t.term, v.last
          FROM member_terms t
          JOIN (SELECT member_id, MAX(arrived_at) AS last FROM visits GROUP BY member_id) v ON v.member_id = t.member_id;
    `);
  },
};
