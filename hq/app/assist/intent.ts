// What a member's chat message asks the assistant, by fixed rules over the words and the chain's own
// catalog and stores: an intent (shared/assist.ts AssistIntent) with its slots — the style (named,
// "this one" = the conversation's last product card, or ambiguous), the size in EU (converted from
// 码 / US / UK / mm as the member said it), the store (this conversation's unless the member named
// another of the chain's), and for a conversion the system asked for.
//
// Invariants:
// - Pure and deterministic: the same text and context give the same understanding; no model, no I/O.
// - It never guesses between candidates: two styles (or stores) that fit equally well are reported
//   as `ambiguous`, and the assistant then hands the question to a clerk instead of choosing.
// - A request for a person wins over everything else in the message ("有38码吗？转人工").
//
// The language of the reply is the message's: any CJK character outside the catalog's and stores'
// names → zh, else en.
//
// An external language model could replace `understand` (same input, same Understanding out) — see
// docs/assistant.md; none is wired in and the rules here are the product.
import { type AssistIntent } from '../../../shared/assist.ts';
import { type SizeSystem, toEu } from '../../../shared/sizeChart.ts';

export interface CatalogEntry {
  id: string;
  name: string;
}
export interface StoreEntry {
  id: string;
  name: string;
  city: string;
}
export interface IntentContext {
  /** The chain's catalog (names matched against the message). */
  styles: readonly CatalogEntry[];
  /** The chain's stores. */
  stores: readonly StoreEntry[];
  /** The conversation's store. */
  storeId: string;
  /** The style of the conversation's newest product card ("this one / 这款"), or null. */
  lastCardStyleId: string | null;
}

export type StyleSlot =
  | { kind: 'named'; styleId: string }
  /** "this one": the last product card's style; null when the conversation has none. */
  | { kind: 'this'; styleId: string | null }
  | { kind: 'ambiguous'; styleIds: string[] }
  | { kind: 'none' };

export type StoreSlot = { kind: 'this' | 'named'; storeId: string } | { kind: 'ambiguous'; storeIds: string[] };

export interface SizeMention {
  system: SizeSystem;
  value: number;
}

export interface Understanding {
  intent: AssistIntent;
  lang: 'zh' | 'en';
  style: StyleSlot;
  /** The size as the member named it (null: none). */
  sizeAsked: SizeMention | null;
  /** That size in EU (null: none named, or off the size chart). */
  size: number | null;
  store: StoreSlot;
  /** For `size_convert`: the system asked for (null: every system). */
  convertTo: SizeSystem | null;
}

/** Folds full-width forms and case (NFKC + lower case), so "ＣＬＯＵＤ" is "cloud". */
export const fold = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'");

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

// --- keyword rules (folded text) ------------------------------------------------------------------
const HANDOVER = /人工|店员|真人|客服|导购|\bhuman\b|\bclerk\b|real person|talk to (?:someone|somebody|a person|staff)|\bagent\b|\bstaff\b|speak to (?:someone|a person)/;
// Asking about holds already made; asking for a new one ("帮我留一双") is a clerk's job (unknown → hand-over).
const HOLD = /我的预留|我预留的|预留的鞋|留的鞋|留的那双|预留状态|预留到|预留了|my holds?\b|my reserv|hold status|holds? (?:for me|i have)|what (?:did|have) i (?:hold|reserve)|anything on hold/;
const HOURS = /几点|营业|开门|关门|打烊|开到|开业时间|\bhours\b|\bopen\b|\bopens\b|\bclose\b|\bcloses\b|\bclosing\b|\bopening\b/;
const CONVERT = /是多少|多少码|多少毫米|对应|换算|相当于|等于|convert|conversion|equivalent|what(?:'s| is) (?:eu|us|uk)|\bin (?:us|eu|uk|mm|cm)\b|\bto (?:us|eu|uk|mm|cm)\b|in (?:millimet|centimet)/;
const STOCK = /有货|有吗|有没有|还有|库存|现货|有.{0,8}码|stock|available|\bhave\b|\bgot\b|any (?:size|pairs?)/;
const GREETING = /^(?:你好|您好|hi|hello|hey|在吗|在不在|早上好|下午好|晚上好|哈喽|嗨|good (?:morning|afternoon|evening))[\s!！,，.。~～?？呀啊]*$/;
const THIS = /这款|这双|这个|此款|刚才那款|刚发的|this one|this shoe|this pair|this style|\bthis\b|\bit\b|that one/;

// --- sizes ------------------------------------------------------------------------------------------
const NUM = String.raw`(\d{1,3}(?:\.5)?)`;
const SIZE_PATTERNS: ReadonlyArray<{ re: RegExp; system: (m: RegExpMatchArray) => SizeSystem; scale?: number }> = [
  { re: new RegExp(String.raw`(?:美码|美国码|\bus\b)\s*(男|女|women'?s?|men'?s?|w|m)?\s*(?:size\s*)?${NUM}`), system: (m) => (/女|wom|^w$/.test(m[1] ?? '') ? 'usWomen' : 'usMen') },
  { re: new RegExp(String.raw`(?:英码|英国码|\buk\b)\s*(?:size\s*)?()${NUM}`), system: () => 'uk' },
  { re: new RegExp(String.raw`(?:欧码|\beu\b)\s*(?:size\s*)?()${NUM}`), system: () => 'eu' },
  { re: new RegExp(String.raw`()${NUM}\s*(?:mm|毫米)`), system: () => 'mm' },
  { re: new RegExp(String.raw`()(\d{2}(?:\.5)?)\s*(?:cm|厘米|公分)`), system: () => 'mm', scale: 10 },
  { re: new RegExp(String.raw`()${NUM}\s*(?:码|号)`), system: () => 'eu' },
  { re: new RegExp(String.raw`size\s*()${NUM}`), system: () => 'eu' },
];

/** The first size the text names, and where (so its digits are not read twice). */
export function findSize(text: string): (SizeMention & { index: number }) | null {
  let best: (SizeMention & { index: number }) | null = null;
  for (const p of SIZE_PATTERNS) {
    const m = p.re.exec(text);
    if (!m || m.index === undefined) continue;
    const value = Number(m[2]) * (p.scale ?? 1);
    if (!best || m.index < best.index) best = { system: p.system(m), value, index: m.index };
  }
  if (best) return best;
  // A bare number that can only be an EU size ("有38吗", "38.5 in black?").
  for (const m of text.matchAll(/(?<![\d.])(\d{2}(?:\.5)?)(?![\d.]|\s*(?:点|:|：|号店|am|pm|元|块|折|%|天|days?))/g)) {
    const v = Number(m[1]);
    if (v >= 30 && v <= 50) return { system: 'eu', value: v, index: m.index! };
  }
  return null;
}

/** The system a conversion asks for: one the message names besides the one the size is in. */
function targetSystem(text: string, from: SizeSystem | null): SizeSystem | null {
  const named: Array<[SizeSystem, RegExp]> = [
    ['mm', /毫米|\bmm\b|厘米|\bcm\b|millimet|centimet|脚长|foot length/],
    [/女|women/.test(text) ? 'usWomen' : 'usMen', /美码|美国码|\bus\b/],
    ['uk', /英码|英国码|\buk\b/],
    ['eu', /欧码|\beu\b|多少码|几码|什么码/],
  ];
  for (const [system, re] of named) if (system !== from && re.test(text)) return system;
  return null;
}

// --- catalog and store names --------------------------------------------------------------------------

/** A name's words: latin words of 3+ letters, CJK runs of 2+ characters, and numbers (a tiebreak only). */
function nameWords(name: string): { words: string[]; numbers: string[] } {
  const f = fold(name);
  const words = [...f.matchAll(/[a-z][a-z'-]{2,}|[\u3400-\u9fff]{2,}/g)].map((m) => m[0]);
  const numbers = [...f.matchAll(/\d+/g)].map((m) => m[0]);
  return { words, numbers };
}

const hasWord = (text: string, w: string): boolean => (CJK.test(w) ? text.includes(w) : new RegExp(String.raw`(?<![a-z])${escape(w)}(?![a-z])`).test(text));
const hasNumber = (text: string, n: string): boolean => new RegExp(String.raw`(?<![\d.])${n}(?![\d.]|\s*(?:码|号|mm|毫米|cm|厘米))`).test(text);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The styles the message names. The whole name (folded, spaces ignored) wins outright; otherwise
 * styles score by how many of their words the message holds, the numbers of their names breaking
 * ties ("云跑 3" among 云跑 1…12). Several at the top score → ambiguous.
 */
export function matchStyles(text: string, styles: readonly CatalogEntry[]): { ids: string[]; spans: string[] } {
  const compact = text.replace(/\s+/g, '');
  const whole = styles.filter((s) => {
    const n = fold(s.name).replace(/\s+/g, '');
    return n.length >= 2 && compact.includes(n);
  });
  if (whole.length > 0) {
    // The longest whole names: "Cloud Runner 2" over "Cloud Runner".
    const len = Math.max(...whole.map((s) => fold(s.name).replace(/\s+/g, '').length));
    const top = whole.filter((s) => fold(s.name).replace(/\s+/g, '').length === len);
    return { ids: top.map((s) => s.id), spans: top.flatMap((s) => [...nameWords(s.name).words, ...nameWords(s.name).numbers]) };
  }
  let best = 0;
  let ids: string[] = [];
  let spans: string[] = [];
  for (const s of styles) {
    const { words, numbers } = nameWords(s.name);
    const hitWords = words.filter((w) => hasWord(text, w));
    if (hitWords.length === 0) continue;
    const hitNumbers = numbers.filter((n) => hasNumber(text, n));
    const score = hitWords.length * 10 + hitNumbers.length;
    if (score > best) [best, ids, spans] = [score, [s.id], [...hitWords, ...hitNumbers]];
    else if (score === best) ids.push(s.id);
  }
  return { ids, spans };
}

/** Words a store is known by: its name, the name without 店 / "store" and without its city, its city, its id's words. */
function storeAliases(s: StoreEntry): string[] {
  const name = fold(s.name).replace(/\s+/g, '');
  const city = fold(s.city).replace(/\s+/g, '');
  const bare = name.replace(/(?:店|门店|store|shop)$/, '');
  const out = new Set([name, bare, city && bare.startsWith(city) ? bare.slice(city.length) : bare, city && name.startsWith(city) ? name.slice(city.length) : name]);
  // The id's words ("sh-nanjing" → nanjing): how an English speaker says a Chinese store's name.
  for (const w of fold(s.id).split(/[^a-z]+/)) if (w.length >= 4) out.add(w);
  return [...out].filter((a) => a.length >= 2);
}

/** The store the message names: the longest alias wins; the city alone names a store only if it has one. */
export function matchStore(text: string, ctx: Pick<IntentContext, 'stores' | 'storeId'>): StoreSlot {
  const compact = text.replace(/\s+/g, '');
  let bestLen = 0;
  let ids: string[] = [];
  for (const s of ctx.stores) {
    for (const a of storeAliases(s)) {
      const hit = CJK.test(a) ? compact.includes(a) : hasWord(text, a) || compact.includes(a.replace(/\s+/g, ''));
      if (!hit) continue;
      if (a.length > bestLen) [bestLen, ids] = [a.length, [s.id]];
      else if (a.length === bestLen && !ids.includes(s.id)) ids.push(s.id);
    }
  }
  if (ids.length === 0) {
    // A city: the store there, when the chain has exactly one.
    const cities = ctx.stores.filter((s) => s.city && (CJK.test(s.city) ? compact.includes(fold(s.city)) : hasWord(text, fold(s.city))));
    const byCity = new Set(cities.map((s) => fold(s.city)));
    for (const c of byCity) {
      const there = cities.filter((s) => fold(s.city) === c);
      ids.push(...there.map((s) => s.id));
    }
  }
  if (ids.length === 0) return { kind: 'this', storeId: ctx.storeId };
  if (ids.length > 1) return { kind: 'ambiguous', storeIds: ids };
  return ids[0] === ctx.storeId ? { kind: 'this', storeId: ctx.storeId } : { kind: 'named', storeId: ids[0]! };
}

// --- the rules ----------------------------------------------------------------------------------------

export function understand(message: string, ctx: IntentContext): Understanding {
  const text = fold(message).trim();
  const styleHit = matchStyles(text, ctx.styles);
  // The language is the member's words', not the names': "Is 疾风 Swift 1 in stock?" is English.
  let own = text;
  for (const w of [...styleHit.spans, ...ctx.stores.flatMap(storeAliases)].filter((x) => CJK.test(x)).sort((x, y) => y.length - x.length)) own = own.split(w).join(' ');
  const lang: Understanding['lang'] = CJK.test(own) ? 'zh' : 'en';
  // Digits of a matched name ("Court 84") are not a size.
  let sizeText = text;
  for (const w of styleHit.spans) if (/^\d+$/.test(w)) sizeText = sizeText.replace(new RegExp(String.raw`(?<![\d.])${w}(?![\d.]|\s*(?:码|号))`), ' ');
  const found = findSize(sizeText);
  const sizeAsked = found ? { system: found.system, value: found.value } : null;
  const size = sizeAsked ? toEu(sizeAsked.system, sizeAsked.value) : null;
  const style: StyleSlot =
    styleHit.ids.length === 1
      ? { kind: 'named', styleId: styleHit.ids[0]! }
      : styleHit.ids.length > 1
        ? { kind: 'ambiguous', styleIds: styleHit.ids }
        : THIS.test(text)
          ? { kind: 'this', styleId: ctx.lastCardStyleId }
          : { kind: 'none' };
  const store = matchStore(text, ctx);
  const base = { lang, style, sizeAsked, size, store, convertTo: null };

  const intent = ((): AssistIntent => {
    if (HANDOVER.test(text)) return 'handover';
    if (HOLD.test(text)) return 'hold_status';
    if (sizeAsked && CONVERT.test(text) && !STOCK.test(text)) return 'size_convert';
    if (HOURS.test(text) && !sizeAsked && style.kind === 'none') return 'hours';
    if (STOCK.test(text) || sizeAsked || style.kind === 'named' || style.kind === 'ambiguous') return 'stock';
    if (GREETING.test(text)) return 'greeting';
    return 'unknown';
  })();
  return { ...base, intent, convertTo: intent === 'size_convert' ? targetSystem(text, sizeAsked?.system ?? null) : null };
}
