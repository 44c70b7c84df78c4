// Member search over the local cache, by index lookups only.
//
// Each member is indexed under its searchable terms (see memberTerms) in member_terms, whose
// primary key starts with the term, so a query is a single B-tree lookup joined to members by id —
// never a scan of the members table, however many members a store has. Queries longer than a
// term cap look up their capped prefix and are filtered in JS, which stays cheap because the
// prefix is already selective.
import type Database from 'better-sqlite3';
import type { MemberSearchHit } from '../../../shared/deskApi.ts';
import type { Member } from '../../../shared/domain.ts';

/** Longest indexed substring of a Chinese name (names are 2–4 characters; this covers all of one). */
export const NAME_SUBSTRING_CAP = 8;
/** Longest indexed prefix of an English name word or a member code. */
export const PREFIX_CAP = 12;

type Searchable = Pick<Member, 'code' | 'name' | 'nameEn' | 'phoneLast4'>;

export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

function englishWords(nameEn: string): string[] {
  return normalizeQuery(nameEn).split(/[\s\-.'’]+/).filter(Boolean);
}

/** Every term a member can be found by. */
export function memberTerms(m: Searchable): Set<string> {
  const terms = new Set<string>();
  // All substrings of the (Chinese) name: 伟 finds 张伟, 小明 finds 王小明.
  const name = [...normalizeQuery(m.name).replace(/\s/g, '')];
  for (let i = 0; i < name.length; i++) {
    for (let j = i + 1; j <= Math.min(name.length, i + NAME_SUBSTRING_CAP); j++) terms.add(name.slice(i, j).join(''));
  }
  // English name: prefixes of each word ("wei" finds "Zhang Wei"), case-insensitive.
  for (const word of englishWords(m.nameEn)) {
    for (let n = 1; n <= Math.min(word.length, PREFIX_CAP); n++) terms.add(word.slice(0, n));
  }
  // Member code prefixes.
  const code = normalizeQuery(m.code);
  for (let n = 1; n <= Math.min(code.length, PREFIX_CAP); n++) terms.add(code.slice(0, n));
  // The last 4 digits of the phone, whole only (a single digit would match a tenth of the store).
  if (/^\d{4}$/.test(m.phoneLast4)) terms.add(m.phoneLast4);
  return terms;
}

/** Does a member match the full query? Used to filter lookups of a capped prefix. */
export function matchesQuery(m: Searchable, q: string): boolean {
  if (normalizeQuery(m.name).replace(/\s/g, '').includes(q.replace(/\s/g, ''))) return true;
  if (normalizeQuery(m.code).startsWith(q)) return true;
  if (m.phoneLast4 === q) return true;
  // English: every query word is a prefix of some name word ("zhang w" finds "Zhang Wei").
  const words = englishWords(m.nameEn);
  const normalizedName = normalizeQuery(m.nameEn);
  return normalizedName.startsWith(q) || q.split(' ').every((qw) => words.some((w) => w.startsWith(qw)));
}

/** The term a query is looked up by: its longest word, capped. */
export function lookupTerm(q: string): string {
  const word = q.includes(' ') ? q.split(' ').reduce((a, b) => (b.length > a.length ? b : a)) : q;
  const cap = /[\u3400-\u9fff]/.test(word) ? NAME_SUBSTRING_CAP : PREFIX_CAP;
  return [...word].slice(0, cap).join('');
}

const SEARCH_SQL = `
  SELECT m.id, m.code, m.name, m.name_en AS nameEn, m.phone_last4 AS phoneLast4, m.json,
         (SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = m.id) AS lastVisitAt
    FROM member_terms t
    JOIN members m ON m.id = t.member_id
   WHERE t.term = ?
   ORDER BY lastVisitAt IS NULL, lastVisitAt DESC, m.name
   LIMIT ?`;

interface HitRow {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  phoneLast4: string;
  json: string;
  lastVisitAt: number | null;
}

export class MemberSearch {
  private readonly stmt: Database.Statement<[string, number], HitRow>;
  private readonly insertTerm: Database.Statement<[string, string]>;
  private readonly deleteTerms: Database.Statement<[string]>;
  private readonly termsOf: Database.Statement<[string], string>;

  constructor(private readonly db: Database.Database) {
    this.stmt = db.prepare(SEARCH_SQL);
    this.insertTerm = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) VALUES (?, ?)');
    this.deleteTerms = db.prepare('DELETE FROM member_terms WHERE member_id = ?');
    this.termsOf = db.prepare<[string], string>('SELECT term FROM member_terms WHERE member_id = ?').pluck();
  }

  /** Replace a member's terms (call inside the transaction that writes the member). */
  index(m: Searchable & { id: string }): void {
    const terms = memberTerms(m);
    // Most writes re-send a member whose name, code and phone did not change (every arrival
    // carries the profile): reading the ~30 terms back is far cheaper than rewriting them
    // (bench/resume.ts: re-indexing was a third of applying an arrival).
    const existing = this.termsOf.all(m.id);
    if (existing.length === terms.size && existing.every((t) => terms.has(t))) return;
    this.deleteTerms.run(m.id);
    for (const term of terms) this.insertTerm.run(term, m.id);
  }

  search(query: string, limit = 20): MemberSearchHit[] {
    const q = normalizeQuery(query);
    if (!q) return [];
    const term = lookupTerm(q);
    const exact = term === q;
    // When filtering a capped prefix, read a few more rows so the filter can still fill `limit`.
    const rows = this.stmt.all(term, exact ? limit : Math.max(limit * 10, 200));
    const hits: MemberSearchHit[] = [];
    for (const row of rows) {
      if (!exact && !matchesQuery(row, q)) continue;
      const member = JSON.parse(row.json) as Member;
      hits.push({
        id: row.id,
        code: row.code,
        name: row.name,
        nameEn: row.nameEn,
        tier: member.tier,
        phoneMasked: member.phoneMasked,
        lastVisitAt: row.lastVisitAt,
      });
      if (hits.length >= limit) break;
    }
    return hits;
  }

  /** EXPLAIN QUERY PLAN of the search statement, for the test that proves there is no scan. */
  explain(query: string): string[] {
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${SEARCH_SQL}`).all(lookupTerm(normalizeQuery(query)), 20) as Array<{ detail: string }>;
    return rows.map((r) => r.detail);
  }
}
