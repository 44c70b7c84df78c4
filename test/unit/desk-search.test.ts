// Member search in the desk cache: Chinese names by any part, English names by word prefix,
// code prefixes, phone last 4 — through the term index, never a scan of members.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCache } from '../../electron/desk/cache/db.ts';
import { type CacheQueries } from '../../electron/desk/cache/queries.ts';
import { memberCodeKey, memberTerms } from '../../electron/desk/cache/search.ts';
import { member, visit } from '../support/builders.ts';

let dir: string;
let q: CacheQueries;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-search-'));
  q = openCache(join(dir, 'c.db'));
  q.tx(() => {
    q.upsertMember(member('m1', { name: '张伟', nameEn: 'Zhang Wei', code: 'M0000001', phoneLast4: '1234' }));
    q.upsertMember(member('m2', { name: '王小明', nameEn: 'Wang Xiaoming', code: 'M0000002', phoneLast4: '5678' }));
    q.upsertMember(member('m3', { name: '李伟', nameEn: 'Li Wei', code: 'VIP0003', phoneLast4: '9012' }));
    q.upsertMember(member('m4', { name: 'Anna Schmidt', nameEn: 'Anna Schmidt', code: 'M0000004', phoneLast4: '' }));
    // Bulk, so a scan would be noticeable and the planner has statistics to work with.
    for (let i = 10; i < 2000; i++) q.upsertMember(member(`m${i}`, { name: `赵${String.fromCharCode(0x8000 + i)}`, nameEn: `Zhao Number${i}`, code: `B${i}`, phoneLast4: String(1000 + (i % 9000)) }));
    q.putVisit(visit('v1', 'm3', { arrivedAt: 1_700_000_500_000 }));
  });
  q.db.exec('ANALYZE');
});
afterAll(() => {
  q.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (query: string, limit?: number) => q.search.search(query, limit).map((h) => h.id);

describe('desk member search', () => {
  it('finds Chinese names by any part', () => {
    expect(ids('伟').sort()).toEqual(['m1', 'm3']);
    expect(ids('小明')).toEqual(['m2']);
    expect(ids('王小明')).toEqual(['m2']);
    expect(ids('张伟')).toEqual(['m1']);
    expect(ids('明王')).toEqual([]);
  });

  it('finds English names by word prefix, case-insensitively', () => {
    expect(ids('xiao')).toEqual(['m2']);
    expect(ids('WANG')).toEqual(['m2']);
    expect(ids('sch')).toEqual(['m4']);
    expect(ids('zhang w')).toEqual(['m1']);
    expect(ids('iaoming')).toEqual([]); // not a word prefix
  });

  it('finds member codes by prefix and phones by last 4 digits', () => {
    expect(ids('vip')).toEqual(['m3']);
    expect(ids('M0000002')).toEqual(['m2']);
    expect(ids('5678')).toEqual(['m2']);
    expect(ids('567')).toEqual([]); // a phone is found by its whole last 4 only
  });

  it('handles queries longer than the indexed prefix by filtering', () => {
    expect(ids('xiaomingx')).toEqual([]);
    q.tx(() => q.upsertMember(member('m5', { name: '欧阳', nameEn: 'Constantinopolitan Smith', code: 'Z1' })));
    expect(ids('constantinopolitan')).toEqual(['m5']);
    expect(ids('constantinopolitanx')).toEqual([]);
  });

  it('finds people as clerks type them: diacritics, apostrophes, hyphens and curly quotes folded', () => {
    q.tx(() => {
      q.upsertMember(member('f1', { name: 'Renée Dubois', nameEn: '', code: 'F0000001' }));
      q.upsertMember(member('f2', { name: "Siobhán O'Brien", nameEn: '', code: 'F0000002' }));
      q.upsertMember(member('f3', { name: 'Jean-Luc Müller', nameEn: '', code: 'F0000003' }));
      q.upsertMember(member('f4', { name: '王芳', nameEn: 'Zoë D’Arcy', code: 'F0000004' }));
    });
    expect(ids('renee')).toEqual(['f1']);
    expect(ids('RENÉE')).toEqual(['f1']);
    expect(ids('obrien')).toEqual(['f2']);
    expect(ids('o’brien')).toEqual(['f2']);
    expect(ids("o'brien")).toEqual(['f2']);
    expect(ids('siobhan')).toEqual(['f2']);
    expect(ids('jeanluc')).toEqual(['f3']);
    expect(ids('jean-luc')).toEqual(['f3']);
    expect(ids('luc')).toEqual(['f3']);
    expect(ids('muller')).toEqual(['f3']);
    expect(ids('darcy')).toEqual(['f4']);
    expect(ids('d‘arcy')).toEqual(['f4']);
    expect(ids('zoe')).toEqual(['f4']);
  });

  it('finds a Latin name in `name` by any of its words, of any length', () => {
    q.tx(() => {
      q.upsertMember(member('l1', { name: 'Alexandra Rossi', nameEn: '', code: 'L0000001' }));
      q.upsertMember(member('l2', { name: 'Maximilian Oppenheimerova', nameEn: '', code: 'L0000002' }));
    });
    expect(ids('alexandra')).toEqual(['l1']); // 9 letters: found by nothing before
    expect(ids('rossi')).toEqual(['l1']);
    expect(ids('rossi alexandra')).toEqual(['l1']);
    expect(ids('maximilian')).toEqual(['l2']);
    expect(ids('oppenheimerova')).toEqual(['l2']); // past the indexed prefix: looked up capped, then filtered
    expect(ids('oppenheimerovax')).toEqual([]);
  });

  it('puts members with a recent visit first and reports it', () => {
    const hits = q.search.search('wei');
    expect(hits[0]).toMatchObject({ id: 'm3', lastVisitAt: 1_700_000_500_000, tier: 'gold', phoneMasked: '138****1234' });
    expect(hits.map((h) => h.id)).toEqual(['m3', 'm1']);
  });

  it('re-indexes a member whose name changed', () => {
    q.tx(() => q.upsertMember(member('m1', { name: '张三', nameEn: 'Zhang San', code: 'M0000001', phoneLast4: '1234' })));
    expect(ids('伟')).toEqual(['m3']);
    expect(ids('三')).toEqual(['m1']);
  });

  it('respects the limit and ignores blank queries', () => {
    expect(ids('zhao', 5)).toHaveLength(5);
    expect(ids('   ')).toEqual([]);
  });

  it('never scans members or the term table, and reads O(limit) rows for a broad term (EXPLAIN QUERY PLAN)', () => {
    for (const query of ['伟', 'xiao', 'M000', '5678', 'constantinopolitanx', 'zhao']) {
      const plan = q.search.explain(query);
      // Narrow terms: the term's matches (fewer than BROAD_TERM) joined by primary keys and sorted.
      expect(plan.some((d) => /SEARCH t USING PRIMARY KEY \(term=\?\)/.test(d))).toBe(true);
      expect(plan.some((d) => /SEARCH m USING INDEX sqlite_autoindex_members_1 \(id=\?\)/.test(d))).toBe(true);
      // Codes: a range of the code key's index, to count, to join and to fill the page with non-visitors.
      expect(plan.filter((d) => /SEARCH (members|m) USING (COVERING )?INDEX members_by_code_key \(code_key>\? AND code_key<\?\)/.test(d))).toHaveLength(3);
      // Broad terms: visitors newest first off the partial index, each probed for the term.
      expect(plan.some((d) => /SEARCH m USING INDEX members_by_last_visit \(last_visit_at>\?\)/.test(d))).toBe(true);
      expect(plan.some((d) => /SEARCH t (EXISTS )?USING PRIMARY KEY \(term=\? AND member_id=\?\)/.test(d))).toBe(true);
      expect(plan.filter((d) => /^SCAN (m|members|member_terms|t)\b/.test(d))).toEqual([]);
    }
  });

  it('keeps the recency order as visits arrive (a later visit moves a member up)', () => {
    q.tx(() => q.putVisit(visit('v-zhao', 'm1500', { arrivedAt: 1_700_000_900_000 })));
    expect(ids('zhao', 2)[0]).toBe('m1500');
    expect(q.search.search('zhao', 1)[0]!.lastVisitAt).toBe(1_700_000_900_000);
    // An earlier visit does not move it down; a rename keeps its recency under the new terms.
    q.tx(() => q.putVisit(visit('v-zhao-old', 'm1500', { arrivedAt: 1_700_000_100_000 })));
    expect(ids('zhao', 1)).toEqual(['m1500']);
    q.tx(() => q.upsertMember(member('m1500', { name: '钱多', nameEn: 'Zhao Renamed', code: 'B1500', phoneLast4: '2500' })));
    expect(ids('renamed')).toEqual(['m1500']);
    // 'zhao' is a broad term here (≥ BROAD_TERM matches): the visitor first, then the rest in term order.
    expect(ids('zhao', 3)).toEqual(['m1500', 'm10', 'm100']);
  });

  it('finds codes by any prefix through the code key: narrow and broad, visitors first, each member once', () => {
    // 'b1' starts the codes of 1,100 bulk members (B10 … B1999): broad, so visitors come first.
    q.tx(() => q.putVisit(visit('v-b1234', 'm1234', { arrivedAt: 1_700_000_950_000 })));
    const broad = ids('b1', 30);
    expect(broad[0]).toBe('m1234');
    expect(new Set(broad).size).toBe(30);
    expect(broad.slice(1).every((id) => Number(id.slice(1)) >= 10 && String(Number(id.slice(1))).startsWith('1'))).toBe(true);
    // 'b123' is narrow: B123 and B1230 … B1239.
    expect(ids('b123').sort()).toEqual(['m123', 'm1230', 'm1231', 'm1232', 'm1233', 'm1234', 'm1235', 'm1236', 'm1237', 'm1238', 'm1239'].sort());
    // A member found by a name word and by its code at once is one hit.
    q.tx(() => q.upsertMember(member('m5', { name: 'Vipul Shah', nameEn: '', code: 'VIP0005', phoneLast4: '' })));
    expect(ids('vip').sort()).toEqual(['m3', 'm5']);
    expect(ids('vip0005')).toEqual(['m5']);
  });

  it('cuts terms by character, a name with characters outside the BMP too', () => {
    const terms = memberTerms({ name: '𠀀伟', nameEn: '', phoneLast4: '' });
    expect([...terms].filter((t) => /[\u4e00-\u9fff]|[\ud800-\udfff]/.test(t)).sort()).toEqual(['伟', '𠀀', '𠀀伟'].sort());
    expect([...terms].some((t) => /^[\udc00-\udfff]|[\ud800-\udbff]$/.test(t))).toBe(false); // no character cut in two
    expect(memberCodeKey('M𝟘 1')).toBe('m01'); // 𝟘 folds to 0 (NFKD), spaces go
  });

  it('folds ASCII and the BMP CJK ideographs by case alone: no normalisation changes any of them', () => {
    // shared/memberSearch.ts skips normalising text of only these characters; this is why it may.
    const changed: string[] = [];
    for (const [from, to] of [[0x00, 0x7f], [0x3400, 0x4dbf], [0x4e00, 0x9fff]] as const) {
      for (let c = from; c <= to; c++) {
        const ch = String.fromCharCode(c);
        if (ch.normalize('NFKD') !== ch || ch.normalize('NFC') !== ch || /\p{M}/u.test(ch)) changed.push(ch);
      }
    }
    expect(changed).toEqual([]);
    // And the compatibility ideographs, which do change, are not among them: they are folded in full.
    expect('\uf900'.normalize('NFKD')).not.toBe('\uf900');
    expect(memberTerms({ name: '\uf900', nameEn: '', phoneLast4: '' })).toEqual(new Set(['\uf900'.normalize('NFKD')]));
  });

  it('indexes bounded term sets', () => {
    const terms = memberTerms({ name: '欧阳娜娜', nameEn: 'Ouyang Nana', phoneLast4: '0001' });
    expect(terms.has('阳娜')).toBe(true);
    expect(terms.has('nan')).toBe(true);
    expect(terms.has('0001')).toBe(true);
    expect(terms.size).toBeLessThan(60);
  });
});
