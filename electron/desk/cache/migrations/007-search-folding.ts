// Search terms under the folding rules of shared/memberSearch.ts: diacritics, case and the
// apostrophes, quotes and hyphens inside names are folded away, and every word of a name — the
// CJK `name` too, which may hold a Latin name — is indexed by prefix (a long word in `name` used
// to be found by nothing). Terms are derived data (migration 002), so this step rebuilds them all.
import { memberTerms } from '../search.ts';
import { type Migration } from './types.ts';

export const migration007: Migration = {
  version: 7,
  name: 'search-folding',
  up(db) {
    db.exec('DELETE FROM member_terms');
    const insert = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) VALUES (?, ?)');
    const rows = db.prepare('SELECT id, code, name, name_en AS nameEn, phone_last4 AS phoneLast4 FROM members').all() as Array<{
      id: string;
      code: string;
      name: string;
      nameEn: string;
      phoneLast4: string;
    }>;
    for (const m of rows) for (const term of memberTerms(m)) insert.run(term, m.id);
  },
};
