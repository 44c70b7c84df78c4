// Search terms under the folding rules of shared/memberSearch.ts: diacritics, case and the
// apostrophes, quotes and hyphens inside names are folded away, and every word of a name — the
// CJK `name` too, which may hold a Latin name — is indexed by prefix (a long word in `name` used
// to be found by nothing). Terms are derived data (migration 002), so this step rebuilds them all.
import { fillMemberTerms } from '../search.ts';
import { type Migration } from './types.ts';

export const migration007: Migration = {
  version: 7,
  name: 'search-folding',
  up(db) {
    db.exec('DELETE FROM member_terms');
    fillMemberTerms(db);
  },
};
