// A member's search terms listed in their own row (8/8, the desk's resume): `members.terms` holds
// the JSON array of exactly the member_terms rows written for the member, and the second B-tree
// over member_terms (member_terms_by_member, migration 002) goes. That index was there to read a
// member's terms back and to delete them; the row's list does both — a change compares one string,
// an erasure deletes the listed terms by primary key — while every term of a new member cost an
// entry in each of the two B-trees: about a fifth of applying an arrival of a member new to the
// cache (docs/benchmarks.md, round 40). Search never needed the index: a term and a member id
// together are the primary key.
//
// Existing rows get their lists from the table while the index is still there to read it by
// member; terms with no member row (none are written that way) are dropped on the way.
import { type Migration } from './types.ts';

export const migration020: Migration = {
  version: 20,
  name: 'member-terms-listed',
  up(db) {
    db.exec(`
      ALTER TABLE members ADD COLUMN terms TEXT NOT NULL DEFAULT '[]';
      UPDATE members SET terms = (SELECT json_group_array(term) FROM member_terms WHERE member_id = members.id);
      DELETE FROM member_terms WHERE member_id NOT IN (SELECT id FROM members);
      DROP INDEX member_terms_by_member;
    `);
  },
};
