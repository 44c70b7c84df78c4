// Member search without scanning members: every searchable term of a member (substrings of the
// Chinese name, English word prefixes, code prefixes, phone last 4) gets a row here, and a query is
// one lookup on the term primary key. Terms are derived data, so the backfill may use today's
// term function: a later migration that changes the rules simply rebuilds the table.
import { fillMemberTerms } from '../search.ts';
import { type Migration } from './types.ts';

export const migration002: Migration = {
  version: 2,
  name: 'member-terms',
  up(db) {
    db.exec(`
      CREATE TABLE member_terms (
        term       TEXT NOT NULL,
        member_id  TEXT NOT NULL,
        PRIMARY KEY (term, member_id)
      ) WITHOUT ROWID;
      CREATE INDEX member_terms_by_member ON member_terms (member_id);
    `);
    fillMemberTerms(db);
  },
};
