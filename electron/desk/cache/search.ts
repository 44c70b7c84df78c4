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

// Most recent visitors first (visited_terms, walked newest first on (term, last_visit_at DESC) and
// stopped after `limit`), then — only when those do not fill the page — members without a visit
// here, in member_terms order, skipping the visitors already listed. Either way a query reads
// O(limit) index entries however many members it matches: a broad one (one surname character, a
// 3-letter pinyin prefix: thousands of matches) costs what a narrow one does (migration 005). The
// lastVisitAt shown is read from visits for the rows returned only.
const HIT_COLUMNS = `m.id, m.code, m.name, m.name_en AS nameEn, m.phone_last4 AS phoneLast4, m.json,
         (SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = m.id) AS lastVisitAt`;
const RECENT_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM (SELECT member_id, last_visit_at FROM visited_terms INDEXED BY visited_terms_by_recency
           WHERE term = ? ORDER BY last_visit_at DESC LIMIT ?) top
    JOIN members m ON m.id = top.member_id
   ORDER BY top.last_visit_at DESC, top.member_id`;
const REST_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM member_terms t
    JOIN members m ON m.id = t.member_id
   WHERE t.term = ? AND NOT EXISTS (SELECT 1 FROM visited_terms w WHERE w.member_id = t.member_id AND w.term = t.term)
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
  private readonly recent: Database.Statement<[string, number], HitRow>;
  private readonly rest: Database.Statement<[string, number], HitRow>;
  private readonly insertTerm: Database.Statement<[string, string]>;
  private readonly deleteVisited: Database.Statement<[string]>;
  private readonly touchVisited: Database.Statement<{ memberId: string; at: number }>;
  private readonly lastVisitOf: Database.Statement<[string], number | null>;
  private readonly deleteTerms: Database.Statement<[string]>;
  private readonly termsOf: Database.Statement<[string], string>;

  constructor(private readonly db: Database.Database) {
    this.recent = db.prepare(RECENT_SQL);
    this.rest = db.prepare(REST_SQL);
    this.insertTerm = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) VALUES (?, ?)');
    this.deleteVisited = db.prepare('DELETE FROM visited_terms WHERE member_id = ?');
    // A later visit raises the member's rows; the first one copies its terms in.
    this.touchVisited = db.prepare(
      `INSERT INTO visited_terms (member_id, term, last_visit_at)
         SELECT member_id, term, :at FROM member_terms WHERE member_id = :memberId
       ON CONFLICT (member_id, term) DO UPDATE SET last_visit_at = excluded.last_visit_at
         WHERE excluded.last_visit_at > visited_terms.last_visit_at`,
    );
    this.lastVisitOf = db.prepare<[string], number | null>('SELECT MAX(arrived_at) FROM visits WHERE member_id = ?').pluck();
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
    if (existing.length === 0) return; // a new member: no visit of it is cached yet
    this.deleteVisited.run(m.id);
    const last = this.lastVisitOf.get(m.id);
    if (last != null) this.visited(m.id, last);
  }

  /** A visit of the member at `arrivedAt` is in the cache: its terms move up the recency order. */
  visited(memberId: string, arrivedAt: number): void {
    this.touchVisited.run({ memberId, at: arrivedAt });
  }

  search(query: string, limit = 20): MemberSearchHit[] {
    const q = normalizeQuery(query);
    if (!q) return [];
    const term = lookupTerm(q);
    const exact = term === q;
    // When filtering a capped prefix, read a few more rows so the filter can still fill `limit`.
    const want = exact ? limit : Math.max(limit * 10, 200);
    const rows = this.recent.all(term, want);
    if (rows.length < want) rows.push(...this.rest.all(term, want - rows.length));
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

  /** EXPLAIN QUERY PLAN of the search statements, for the test that proves there is no scan. */
  explain(query: string): string[] {
    const term = lookupTerm(normalizeQuery(query));
    return [RECENT_SQL, REST_SQL].flatMap((sql) => (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(term, 20) as Array<{ detail: string }>).map((r) => r.detail));
  }
}
