// How a member is found by what a clerk types — one set of rules for the desk's cache and HQ.
//
// Invariant: the index side (a member's name, English name, code, phone) and the query side go
// through the same `foldForSearch`, so whatever folding does — case, compatibility forms,
// diacritics (Renée → renee, Müller → muller), the punctuation people type or leave out inside
// names (O'Brien, O’Brien and OBrien; Jean-Luc and JeanLuc) — a query matches a member exactly when
// the folded query matches the folded member. Pure: no I/O, used by electron/desk and hq/adapters.
//
// A name is found by any of its words, of any length, by prefix ("alex" finds "Alexandra Rossi");
// a CJK name also by any part of it (伟 finds 张伟); a card code by prefix; a phone by its last 4.

/** Letters that do not decompose into a base letter + mark under NFKD, spelled as people type them. */
const LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', þ: 'th', ı: 'i', ħ: 'h' };
/** Apostrophes, quotes and hyphens of every kind: dropped, so "o'brien" = "o’brien" = "obrien". */
const IGNORED = /['‘’‚‛′`´ʹʻʼʽ"“”„‟«»‹›\-‐‑‒–—―⁃−﹣－·・]/gu;
/** Word separators besides white space. */
const SEPARATORS = /[\s,.;:/\\_()[\]{}&+|]+/u;
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;

/**
 * Characters that no normalisation changes and that carry no mark: ASCII and the CJK unified
 * ideographs of the BMP (extension A and the main block; the compatibility ideographs, which do
 * decompose, are outside it). Most names and codes are only these, and fold by case alone.
 */
// eslint-disable-next-line no-control-regex -- ASCII's control characters included on purpose: none changes
const UNCHANGED_BY_NORMALIZATION = /^[\u0000-\u007f\u3400-\u4dbf\u4e00-\u9fff]*$/;

/** Case, compatibility forms and diacritics folded; ignorable punctuation kept (words split on it). */
function foldLetters(text: string): string {
  if (UNCHANGED_BY_NORMALIZATION.test(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/[ßæœøđðłþıħ]/g, (c) => LETTERS[c] ?? c);
}

/** What search compares: folded, ignorable punctuation dropped, white space collapsed. */
export function foldForSearch(text: string): string {
  return foldLetters(text).replace(IGNORED, '').replace(/\s+/g, ' ').trim();
}

/**
 * The words a name is found by: each word folded, and a word joined by ignorable punctuation both
 * whole and in its parts — "Jean-Luc O'Brien" → jeanluc, jean, luc, obrien, o, brien.
 */
export function nameWords(name: string): string[] {
  const words = new Set<string>();
  for (const raw of foldLetters(name).split(SEPARATORS)) {
    const whole = raw.replace(IGNORED, '');
    if (whole) words.add(whole);
    for (const part of raw.split(IGNORED)) if (part) words.add(part);
  }
  return [...words];
}

/** The name with every separator and ignorable character removed: what CJK parts are cut from. */
export function compactName(name: string): string {
  return foldForSearch(name).replace(/[\s,.;:/\\_()[\]{}&+|]/gu, '');
}

export function hasCjk(text: string): boolean {
  return CJK.test(text);
}

/** What a member is searched by. */
export interface SearchableMember {
  code: string;
  name: string;
  nameEn: string;
  /** The phone's last 4 digits ('' when unknown). */
  phoneLast4: string;
}

/** A query as search uses it: folded; '' when nothing searchable is left. */
export function searchQuery(query: string): string {
  return foldForSearch(query);
}

/**
 * Does a member match the whole (folded) query? Any of: the compact name contains the compact
 * query (a CJK name by any part; a Latin name typed without its spaces); the code starts with
 * it; it is the phone's last 4; or every query word starts some word of the name or English name
 * ("zhang w" finds Zhang Wei, "rossi alex" finds Alexandra Rossi).
 */
export function matchesSearch(m: SearchableMember, q: string): boolean {
  if (!q) return false;
  const compactQ = q.replace(/ /g, '');
  if (compactQ && compactName(m.name).includes(compactQ)) return true;
  if (foldForSearch(m.code).replace(/ /g, '').startsWith(compactQ)) return true;
  if (m.phoneLast4 !== '' && m.phoneLast4 === compactQ) return true;
  const words = [...nameWords(m.name), ...nameWords(m.nameEn)];
  return q.split(' ').every((qw) => words.some((w) => w.startsWith(qw)));
}

/**
 * HQ's search keys of a member: each name word whole (a query word is looked up as a key prefix,
 * so words of any length are found), every suffix of a CJK name (so a prefix lookup finds any
 * part of it), the code, and the phone's last 4. A handful per member, where the desk's own
 * index keeps every prefix (electron/desk/cache/search.ts).
 */
export function memberSearchKeys(m: SearchableMember): string[] {
  const keys = new Set<string>();
  for (const w of [...nameWords(m.name), ...nameWords(m.nameEn)]) keys.add(w);
  const compact = [...compactName(m.name)];
  if (compact.some((c) => hasCjk(c))) for (let i = 0; i < compact.length; i++) keys.add(compact.slice(i).join(''));
  const code = foldForSearch(m.code).replace(/ /g, '');
  if (code) keys.add(code);
  if (/^\d{4}$/.test(m.phoneLast4)) keys.add(m.phoneLast4);
  // Keys are compared bytewise and bounded so one odd record cannot bloat the index.
  return [...new Set([...keys].filter((k) => k.length > 0).map((k) => [...k].slice(0, 64).join('')))];
}

/** The query word HQ looks up by key prefix: the longest one (the most selective). */
export function searchKeyPrefix(q: string): string {
  return q.split(' ').reduce((a, b) => ([...b].length > [...a].length ? b : a), '');
}
