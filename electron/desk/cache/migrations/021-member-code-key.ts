// A member's code found by prefix from one key (8/8, the desk's resume): `members.code_key` holds
// the code folded as a query is (search.ts memberCodeKey), indexed, and a code prefix is looked up
// as a range of that index. Until now every prefix of the code up to 12 characters was a row of
// member_terms — eleven of a member's ~25 rows for a card code like B0000012345 — and each row of a
// new member dirtied a page of member_terms wherever its term's range fell: into a cache of 30,000
// members, the term rows of 10,000 arriving ones alone wrote 137 MB in 27 commits (docs/benchmarks.md,
// round 40). What a clerk can find is unchanged: a code by any prefix, compared folded.
//
// Terms are derived data (migration 002): the table is rebuilt under today's rules, which leave the
// code out, and each member's list (migration 020) with it.
import { fillMemberTerms, memberCodeKey } from '../search.ts';
import { type Migration } from './types.ts';

export const migration021: Migration = {
  version: 21,
  name: 'member-code-key',
  up(db) {
    db.exec("ALTER TABLE members ADD COLUMN code_key TEXT NOT NULL DEFAULT ''");
    const put = db.prepare<[string, string]>('UPDATE members SET code_key = ? WHERE id = ?');
    for (const m of db.prepare<[], { id: string; code: string }>('SELECT id, code FROM members').all()) put.run(memberCodeKey(m.code), m.id);
    db.exec(`
      CREATE INDEX members_by_code_key ON members (code_key);
      DELETE FROM member_terms;
    `);
    fillMemberTerms(db);
  },
};
