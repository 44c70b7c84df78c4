// Member search over the local cache, by index lookups only.
//
// Each member is indexed under its searchable terms (see memberTerms) in member_terms, whose
// primary key starts with the term, so a query is a single B-tree lookup joined to members by id —
// never a scan of the members table, however many members a store has. A member's code is found by
// prefix from its folded form, `members.code_key`, through its own index (migration 021): one range
// of that index instead of a term row per prefix. Queries longer than a term cap look up their
// capped prefix and are filtered in JS, which stays cheap because the prefix is already selective.
//
// Invariant: a member's row lists, in `members.terms` (a JSON array, migration 020), exactly the
// member_terms rows written for it. That list is how a member's terms are compared and deleted —
// each by its primary key (term, member id) — so member_terms needs no index by member.
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
 * long — and the phone's whole last 4. The code is found by prefix from its key (memberCodeKey).
 */
export function memberTerms(m: Omit<Searchable, 'code'>): Set<string> {
  const terms = new Set<string>();
  const name = compactName(m.name);
  for (let i = 0, n = charCount(name); i < n; i++) {
    for (let j = i + 1; j <= Math.min(n, i + NAME_SUBSTRING_CAP); j++) terms.add(chars(name, i, j));
  }
  for (const word of [...nameWords(m.name), ...nameWords(m.nameEn)]) prefixesInto(terms, word);
  // The last 4 digits of the phone, whole only (a single digit would match a tenth of the store).
  if (/^\d{4}$/.test(m.phoneLast4)) terms.add(m.phoneLast4);
  return terms;
}

/**
 * A member's code as a prefix query meets it (`members.code_key`): folded, without spaces. Its
 * prefixes were eleven of a member's ~25 term rows, each a page of member_terms written per new
 * member wherever its range fell; the key is one entry of one index (docs/benchmarks.md, round 40).
 */
export function memberCodeKey(code: string): string {
  return foldForSearch(code).replace(/ /g, '');
}

/** Above every key that starts with `prefix` (BINARY order: no character sorts after U+10FFFF). */
const pastPrefix = (prefix: string) => `${prefix}\u{10ffff}`;

// Terms are cut by character, not by UTF-16 unit. A string without surrogates (names and codes
// nearly always: Latin letters and the CJK ideographs of the BMP) is cut by `slice`; one with them
// by its array of characters. Every arrival of a member new to the cache computes its ~14 terms
// (bench/resume.ts): spreading and joining each of them was half of that.
const SURROGATE = /[\ud800-\udfff]/;
function charCount(s: string): number {
  return SURROGATE.test(s) ? [...s].length : s.length;
}
/** Characters [from, to) of `s`. */
function chars(s: string, from: number, to: number): string {
  return SURROGATE.test(s) ? [...s].slice(from, to).join('') : s.slice(from, to);
}
function prefixesInto(terms: Set<string>, word: string): void {
  for (let n = 1, len = Math.min(charCount(word), PREFIX_CAP); n <= len; n++) terms.add(chars(word, 0, n));
}

/**
 * Writes every cached member's terms from the members table, under today's rules, into an empty
 * member_terms. Terms are derived data, so the migrations that introduce or change the rules (002,
 * 007) rebuild them with this rather than with a copy of the rules of their day; from migration 020
 * on, each member's row lists them too.
 */
export function fillMemberTerms(db: Database.Database): void {
  const insert = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) VALUES (?, ?)');
  const listed = hasTermLists(db) ? db.prepare<[string, string]>('UPDATE members SET terms = ? WHERE id = ?') : null;
  const rows = db.prepare('SELECT id, name, name_en AS nameEn, phone_last4 AS phoneLast4 FROM members').all() as Array<Omit<Searchable, 'code'> & { id: string }>;
  for (const m of rows) {
    const terms = [...memberTerms(m)];
    for (const term of terms) insert.run(term, m.id);
    listed?.run(JSON.stringify(terms), m.id);
  }
}

/** Deletes a member's terms, as its row lists them (call before deleting the row). */
export function deleteMemberTerms(db: Database.Database, memberId: string): number {
  // A cache before migration 020 has no lists, and has the index by member instead.
  if (!hasTermLists(db)) return db.prepare<[string]>('DELETE FROM member_terms WHERE member_id = ?').run(memberId).changes;
  const listed = db.prepare<[string], string>('SELECT terms FROM members WHERE id = ?').pluck().get(memberId);
  return listed === undefined ? 0 : db.prepare<[string, string]>(DELETE_LISTED_SQL).run(memberId, listed).changes;
}
const hasTermLists = (db: Database.Database) => db.prepare("SELECT 1 FROM pragma_table_info('members') WHERE name = 'terms'").get() !== undefined;
// Each listed term is one primary-key lookup (term, member id).
const DELETE_LISTED_SQL = 'DELETE FROM member_terms WHERE member_id = ? AND term IN (SELECT value FROM json_each(?))';

/** Does a member match the full query? Used to filter lookups of a capped prefix. */
export function matchesQuery(m: Searchable, q: string): boolean {
  return matchesSearch(m, q);
}

/** The term a query is looked up by: its longest word, capped as the index caps it. */
export function lookupTerm(q: string): string {
  const word = q.includes(' ') ? q.split(' ').reduce((a, b) => ([...b].length > [...a].length ? b : a)) : q;
  return [...word].slice(0, hasCjk(word) ? NAME_SUBSTRING_CAP : PREFIX_CAP).join('');
}

// Results: members with a visit in this cache first, most recent first, then the others. A member
// matches a term by one of its term rows or by its code key starting with the term (@past is the
// end of that key range).
//  - A narrow term (fewer than BROAD_TERM matches of either kind: names, phones, most codes) takes
//    its matches from both indexes and sorts them by members.last_visit_at: at most 2 × BROAD_TERM rows.
//  - A broad term (one surname character, a 3-letter pinyin prefix, the prefix every card shares:
//    thousands of matches; sorting them all was 58 ms at p99, docs/benchmarks.md) walks
//    members_by_last_visit newest first and probes the term's primary key (or the row's code key)
//    for each visitor, stopping at `limit` hits; then fills the page with non-visitors in term
//    order, then in code order. Work is O(limit / the term's share of visitors), bounded by the
//    visitors in the cache — never O(matches).
// The lastVisitAt shown is read from visits for the rows returned (last_visit_at only orders).
export const BROAD_TERM = 500;
const HIT_COLUMNS = `m.id, m.code, m.name, m.name_en AS nameEn, m.phone_last4 AS phoneLast4, m.json,
         (SELECT MAX(v.arrived_at) FROM visits v WHERE v.member_id = m.id) AS lastVisitAt`;
const codeRange = (of: string) => `${of}code_key >= @term AND ${of}code_key < @past`;
const COUNT_SQL = `SELECT MAX((SELECT COUNT(*) FROM (SELECT 1 FROM member_terms WHERE term = @term LIMIT ${BROAD_TERM})),
                              (SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE ${codeRange('')} LIMIT ${BROAD_TERM})))`;
const NARROW_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM members m
   WHERE m.id IN (SELECT member_id FROM member_terms WHERE term = @term UNION SELECT id FROM members WHERE ${codeRange('')})
   ORDER BY m.last_visit_at DESC, m.name
   LIMIT +@limit`;
const RECENT_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM members m INDEXED BY members_by_last_visit
   WHERE m.last_visit_at > 0 AND (${codeRange('m.')} OR EXISTS (SELECT 1 FROM member_terms t WHERE t.term = @term AND t.member_id = m.id))
   ORDER BY m.last_visit_at DESC
   LIMIT +@limit`;
const REST_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM member_terms t
   CROSS JOIN members m ON m.id = t.member_id -- term first (CROSS JOIN fixes the order): never a walk of members
   WHERE t.term = @term AND m.last_visit_at = 0
   LIMIT +@limit`;
const REST_BY_CODE_SQL = `
  SELECT ${HIT_COLUMNS}
    FROM members m INDEXED BY members_by_code_key
   WHERE ${codeRange('m.')} AND m.last_visit_at = 0
   LIMIT +@limit`;
type Lookup = { term: string; past: string; limit: number };

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
  private readonly count: Database.Statement<[Omit<Lookup, 'limit'>], number>;
  private readonly narrow: Database.Statement<[Lookup], HitRow>;
  private readonly recent: Database.Statement<[Lookup], HitRow>;
  private readonly rest: Database.Statement<[Lookup], HitRow>;
  private readonly restByCode: Database.Statement<[Lookup], HitRow>;
  private readonly insertTerms: Database.Statement<[string, string]>;
  private readonly touchMember: Database.Statement<[number, string, number]>;
  private readonly deleteListed: Database.Statement<[string, string]>;

  constructor(private readonly db: Database.Database) {
    this.count = db.prepare<[Omit<Lookup, 'limit'>], number>(COUNT_SQL).pluck();
    this.narrow = db.prepare(NARROW_SQL);
    this.recent = db.prepare(RECENT_SQL);
    this.rest = db.prepare(REST_SQL);
    this.restByCode = db.prepare(REST_BY_CODE_SQL);
    this.insertTerms = db.prepare('INSERT OR IGNORE INTO member_terms (term, member_id) SELECT value, ? FROM json_each(?)');
    this.touchMember = db.prepare('UPDATE members SET last_visit_at = ? WHERE id = ? AND last_visit_at < ?');
    this.deleteListed = db.prepare(DELETE_LISTED_SQL);
  }

  /**
   * Replaces a member's terms, given the list its row holds now (null: no row yet), inside the
   * transaction that writes the member; answers the list its row is to hold. Most writes re-send a
   * member whose name, code and phone did not change (every arrival carries the profile): the same
   * list writes nothing (bench/resume.ts: re-indexing was a third of applying an arrival).
   */
  index(m: Searchable & { id: string }, listed: string | null): string {
    const terms = JSON.stringify([...memberTerms(m)]);
    if (terms === listed) return terms;
    if (listed !== null) this.deleteListed.run(m.id, listed);
    // One statement for all ~14 terms: a run per term was most of indexing a new member.
    this.insertTerms.run(m.id, terms);
    return terms;
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
    const at = { term, past: pastPrefix(term) };
    if (this.count.get(at)! < BROAD_TERM) rows = this.narrow.all({ ...at, limit: want });
    else {
      rows = this.recent.all({ ...at, limit: want });
      if (rows.length < want) rows.push(...this.rest.all({ ...at, limit: want - rows.length }));
      // Then those found by code; one found by a term too is already there, so up to `want` are read
      // (what is missing, plus as many as may be skipped).
      if (rows.length < want) {
        const seen = new Set(rows.map((r) => r.id));
        for (const r of this.restByCode.all({ ...at, limit: want })) if (!seen.has(r.id) && rows.length < want) rows.push(r);
      }
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
    const at = { term, past: pastPrefix(term) };
    return [COUNT_SQL, NARROW_SQL, RECENT_SQL, REST_SQL, REST_BY_CODE_SQL].flatMap((sql) => (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(sql === COUNT_SQL ? at : { ...at, limit: 20 }) as Array<{ detail: string }>).map((r) => r.detail));
  }
}
