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
import { compactName, foldForSearch, hasCjk, matchesSearch, nameWords, searchQuery } from '../../../shared/memberSearch.ts';

/** Longest indexed substring of a CJK name (names are 2–4 characters; this covers all of one). */
export const NAME_SUBSTRING_CAP = 8;
/** Longest indexed prefix of a name word or a member code. */
export const PREFIX_CAP = 12;

type Searchable = Pick<Member, 'code' | 'name' | 'nameEn' | 'phoneLast4'>;

/** A query as the index sees it (shared/memberSearch.ts): folded case, diacritics and punctuation. */
export function normalizeQuery(query: string): string {
  return searchQuery(query);
}

/**
 * Every term a member can be found by, folded as queries are (shared/memberSearch.ts): the name's
 * substrings up to NAME_SUBSTRING_CAP (伟 finds 张伟), and prefixes up to PREFIX_CAP of every word
 * of the name and the English name — a Latin name in `name` is found by any of its words, however
 * long — of the code, and the phone's whole last 4.
 */
export function memberTerms(m: Searchable): Set<string> {
  const terms = new Set<string>();
  const name = [...compactName(m.name)];
  for (let i = 0; i < name.length; i++) {
    for (let j = i + 1; j <= Math.min(name.length, i + NAME_SUBSTRING_CAP); j++) terms.add(name.slice(i, j).join(''));
  }
  for (const word of [...nameWords(m.name), ...nameWords(m.nameEn)]) {
    const letters = [...word];
    for (let n = 1; n <= Math.min(letters.length, PREFIX_CAP); n++) terms.add(letters.slice(0, n).join(''));
  }
  const code = [...foldForSearch(m.code).replace(/ /g, '')];
  for (let n = 1; n <= Math.min(code.length, PREFIX_CAP); n++) terms.add(code.slice(0, n).join(''));
  // The last 4 digits of the phone, whole only (a single digit would match a tenth of the store).
  if (/^\d{4}$/.test(m.phoneLast4)) terms.add(m.phoneLast4);
  return terms;
}

/**
 * Writes every cached member's terms from the members table, under today's rules. Terms are
 * derived data, so the migrations that introduce or change the rules (002, 007) rebuild them with
 * this rather than with a copy of the rules of their day.
 */
export function fillMemberTerms(db: Database.Database): void {
  const insert = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) VALUES (?, ?)');
  const rows = db.prepare('SELECT id, code, name, name_en AS nameEn, phone_last4 AS phoneLast4 FROM members').all() as Array<Searchable & { id: string }>;
  for (const m of rows) for (const term of memberTerms(m)) insert.run(term, m.id);
}

/** Does a member match the full query? Used to filter lookups of a capped prefix. */
export function matchesQuery(m: Searchable, q: string): boolean {
  return matchesSearch(m, q);
}

/** The term a query is looked up by: its longest word, capped as the index caps it. */
export function lookupTerm(q: string): string {
  const word = q.includes(' ') ? q.split(' ').reduce((a, b) => ([...b].length > [...a].length ? b : a)) : q;
  return [...word].slice(0, hasCjk(word) ? NAME_SUBSTRING_CAP : PREFIX_CAP).join('');
}

// Results: members with a visit in this cache first, most recent first, then the others.
//  - A narrow term (fewer than BROAD_TERM matches: names, phones, most codes) joins its matches to
//    members and sorts them by members.last_visit_at: at most BROAD_TERM rows.
//  - A broad term (one surname character, a 3-letter pinyin prefix: thousands of matches; sorting
//    them all was 58 ms at p99, docs/benchmarks.md) walks members_by_last_visit newest first and
//    probes the term's primary key for each visitor, stopping at `limit` hits; then fills the page
//    with non-visitors in term order. Work is O(limit / the term's share of visitors), bounded by
//    the visitors in the cache — never O(matches).
// The lastVisitAt shown is read from visits for the rows returned (last_visit_at only orders).
export const BROAD_TERM = 500;
const HIT_COLUMNS = `m.id, m.code, m.name, m.name_en AS nameEn, m.phone_last4 AS phoneLast4, m.json,
         (SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = m.id) AS lastVisitAt`;
const COUNT_SQL = `SELECT COUNT(*) FROM (SELECT 1 FROM member_terms WHERE term = ? LIMIT ${BROAD_TERM})`;
const NARROW_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM member_terms t
    JOIN members m ON m.id = t.member_id
   WHERE t.term = ?
   ORDER BY m.last_visit_at DESC, m.name
   LIMIT +?`;
const RECENT_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM members m INDEXED BY members_by_last_visit
   WHERE m.last_visit_at > 0 AND EXISTS (SELECT 1 FROM member_terms t WHERE t.term = ? AND t.member_id = m.id)
   ORDER BY m.last_visit_at DESC
   LIMIT +?`;
const REST_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM member_terms t
   CROSS JOIN members m ON m.id = t.member_id -- term first (CROSS JOIN fixes the order): never a walk of members
   WHERE t.term = ? AND m.last_visit_at = 0
   LIMIT +?`;

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
  private readonly count: Database.Statement<[string], number>;
  private readonly narrow: Database.Statement<[string, number], HitRow>;
  private readonly recent: Database.Statement<[string, number], HitRow>;
  private readonly rest: Database.Statement<[string, number], HitRow>;
  private readonly insertTerms: Database.Statement<[string, string]>;
  private readonly touchMember: Database.Statement<[number, string, number]>;
  private readonly deleteTerms: Database.Statement<[string]>;
  private readonly termsOf: Database.Statement<[string], string>;

  constructor(private readonly db: Database.Database) {
    this.count = db.prepare<[string], number>(COUNT_SQL).pluck();
    this.narrow = db.prepare(NARROW_SQL);
    this.recent = db.prepare(RECENT_SQL);
    this.rest = db.prepare(REST_SQL);
    this.insertTerms = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) SELECT value, ? FROM json_each(?)');
    this.touchMember = db.prepare('UPDATE members SET last_visit_at = ? WHERE id = ? AND last_visit_at < ?');
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
    if (existing.length) this.deleteTerms.run(m.id);
    // One statement for all ~30 terms: a run per term was most of indexing a new member.
    this.insertTerms.run(m.id, JSON.stringify([...terms]));
  }

  /** A visit of the member at `arrivedAt` is in the cache: it moves up the recency order. */
  visited(memberId: string, arrivedAt: number): void {
    this.touchMember.run(arrivedAt, memberId, arrivedAt);
  }

  search(query: string, limit = 20): MemberSearchHit[] {
    const q = normalizeQuery(query);
    if (!q) return [];
    const term = lookupTerm(q);
    const exact = term === q;
    // When filtering a capped prefix, read a few more rows so the filter can still fill `limit`.
    const want = exact ? limit : Math.max(limit * 10, 200);
    let rows: HitRow[];
    if (this.count.get(term)! < BROAD_TERM) rows = this.narrow.all(term, want);
    else {
      rows = this.recent.all(term, want);
      if (rows.length < want) rows.push(...this.rest.all(term, want - rows.length));
    }
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
    return [COUNT_SQL, NARROW_SQL, RECENT_SQL, REST_SQL].flatMap((sql) => (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(sql === COUNT_SQL ? [term] : [term, 20])) as Array<{ detail: string }>).map((r) => r.detail));
  }
}
