// Structure-aware fuzzing from the zod schemas: `sample()` walks a zod 4 schema and builds a value
// that (mostly) satisfies it, `mutate()` breaks a valid value the ways an attacker or a buggy client
// would — wrong types, missing and extra fields, huge strings, deep nesting, odd unicode, numbers at
// the edges, NaN-ish JSON, prototype-pollution keys — and returns the JSON text to send. Everything
// is driven by a seeded PRNG, so a failing case is replayed by its seed and index.
import { Prng } from '../../shared/prng.ts';

export { Prng };

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

function sampleString(def: Def, rng: Prng): string {
  let min = 1;
  let max = 12;
  let pattern: RegExp | null = null;
  for (const c of (def.checks as unknown[] | undefined) ?? []) {
    const cd = defOf(c) as unknown as { check: string; minimum?: number; maximum?: number; pattern?: RegExp; format?: string };
    if (cd.check === 'min_length') min = Math.max(min, cd.minimum ?? 0);
    if (cd.check === 'max_length') max = Math.min(Math.max(min, max), cd.maximum ?? max);
    if (cd.check === 'string_format' && cd.pattern) pattern = cd.pattern;
  }
  if (pattern && /\\d/.test(pattern.source)) return String(rng.int(1000, 9999)).slice(0, Math.max(0, Math.min(max, 4)));
  const len = rng.int(min, Math.max(min, Math.min(max, min + 10)));
  let out = '';
  for (let i = 0; i < len; i++) out += ALNUM[rng.int(0, ALNUM.length - 1)];
  return out;
}

function sampleNumber(def: Def, rng: Prng): number {
  let min = 0;
  let max = 100;
  let int = false;
  for (const c of (def.checks as unknown[] | undefined) ?? []) {
    const cd = defOf(c) as unknown as { check: string; value?: number; format?: string; inclusive?: boolean };
    if (cd.check === 'greater_than') min = Math.max(min, (cd.value ?? 0) + (cd.inclusive ? 0 : 1));
    if (cd.check === 'less_than') max = Math.min(max, (cd.value ?? 100) - (cd.inclusive ? 0 : 1));
    if (cd.check === 'number_format' && (cd.format === 'safeint' || cd.format === 'int32')) int = true;
  }
  if (max < min) max = min;
  return int || rng.chance(0.7) ? rng.int(Math.ceil(min), Math.floor(max)) : min + rng.next() * (max - min);
}

/** A value shaped like `schema` (valid in most cases; callers keep those that parse). */
export function sample(schema: unknown, rng: Prng, depth = 0): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return sampleString(def, rng);
    case 'number':
      return sampleNumber(def, rng);
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'literal':
      return rng.pick(def.values as unknown[]);
    case 'enum':
      return rng.pick(Object.values(def.entries as Record<string, unknown>));
    case 'optional':
      return depth > 6 || rng.chance(0.3) ? undefined : sample(def.innerType, rng, depth + 1);
    case 'nullable':
      return rng.chance(0.2) ? null : sample(def.innerType, rng, depth + 1);
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return sample(def.innerType, rng, depth + 1);
    case 'pipe':
      return sample(def.in, rng, depth + 1);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) {
        const value = sample(v, rng, depth + 1);
        if (value !== undefined) out[k] = value;
      }
      return out;
    }
    case 'array':
      return depth > 5 ? [] : Array.from({ length: rng.int(0, 3) }, () => sample(def.element, rng, depth + 1));
    case 'tuple':
      return (def.items as unknown[]).map((i) => sample(i, rng, depth + 1));
    case 'record':
      return depth > 5 ? {} : { [String(sample(def.keyType, rng, depth + 1))]: sample(def.valueType, rng, depth + 1) };
    case 'union':
      return sample(rng.pick(def.options as unknown[]), rng, depth + 1);
    case 'lazy':
      return depth > 4 ? null : sample((def.getter as () => unknown)(), rng, depth + 1);
    default:
      return null; // unknown/any/custom: anything goes
  }
}

/** Valid samples of `schema`: `seeds` plus generated ones that parse. */
export function validSamples(schema: { safeParse(v: unknown): { success: boolean } }, rng: Prng, seeds: unknown[], generated = 40): unknown[] {
  const out = seeds.filter((s) => schema.safeParse(s).success);
  for (let i = 0; i < generated * 5 && out.length < seeds.length + generated; i++) {
    const s = sample(schema, rng);
    if (schema.safeParse(s).success) out.push(s);
  }
  return out;
}

const EDGE_NUMBERS = [0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER];
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  'Ａ\u0301\u0301\u0301',
  '<script>alert(1)</script>',
  "'; DROP TABLE members; --",
  '../../etc/passwd',
  '%00%2e%2e',
  '${7*7}{{7*7}}',
];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

export type MutationKind =
  | 'wrongType'
  | 'dropField'
  | 'extraField'
  | 'hugeString'
  | 'deepNesting'
  | 'unicode'
  | 'edgeNumber'
  | 'nanJson'
  | 'pollution'
  | 'duplicateKey'
  | 'truncated'
  | 'notJson';

export const MUTATIONS: MutationKind[] = ['wrongType', 'dropField', 'extraField', 'hugeString', 'deepNesting', 'unicode', 'edgeNumber', 'nanJson', 'pollution', 'duplicateKey', 'truncated', 'notJson'];

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push({ parent: value, key: i }), slots(v, out)));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push({ parent: value as Record<string, unknown>, key: k });
      slots(v, out);
    }
  }
  return out;
}

function wrongTypeFor(v: unknown, rng: Prng): unknown {
  const choices: unknown[] = ['1', 1, true, null, [], {}, [v], { value: v }];
  return rng.pick(choices.filter((c) => typeof c !== typeof v || Array.isArray(c) !== Array.isArray(v)));
}

/**
 * Breaks a valid value. `hugeBytes` sizes the huge string (over a frame/body limit, or just big).
 * Returns the text to send and which mutation was applied.
 */
export function mutate(valid: unknown, rng: Prng, opts: { hugeBytes: number; kind?: MutationKind }): { text: string; kind: MutationKind } {
  const kind = opts.kind ?? rng.pick(MUTATIONS);
  const v = structuredClone(valid) as unknown;
  const all = slots(v);
  const target = all.length ? rng.pick(all) : null;
  const set = (x: unknown) => {
    if (target) (target.parent as Record<string | number, unknown>)[target.key] = x;
  };
  switch (kind) {
    case 'wrongType':
      if (target) set(wrongTypeFor((target.parent as Record<string | number, unknown>)[target.key], rng));
      else return { text: JSON.stringify(wrongTypeFor(v, rng)), kind };
      break;
    case 'dropField':
      if (target && !Array.isArray(target.parent)) delete (target.parent as Record<string, unknown>)[target.key as string];
      else if (target) (target.parent as unknown[]).splice(target.key as number, 1);
      break;
    case 'extraField': {
      const objs = [v, ...all.map((s) => (s.parent as Record<string | number, unknown>)[s.key])].filter((x) => x && typeof x === 'object' && !Array.isArray(x)) as Record<string, unknown>[];
      if (objs.length) rng.pick(objs)[`extra_${rng.int(0, 999)}`] = rng.pick(['x', 1, null, { a: 1 }]);
      break;
    }
    case 'hugeString':
      set('A'.repeat(opts.hugeBytes));
      if (!target) return { text: JSON.stringify('A'.repeat(opts.hugeBytes)), kind };
      break;
    case 'deepNesting': {
      const depth = rng.int(200, 3000);
      const deep = '['.repeat(depth) + ']'.repeat(depth);
      const text = JSON.stringify(v);
      if (target) {
        set('__DEEP__');
        return { text: JSON.stringify(v).replace('"__DEEP__"', deep), kind };
      }
      return { text: `{"deep":${deep},"v":${text}}`, kind };
    }
    case 'unicode':
      set(rng.pick(ODD_STRINGS));
      break;
    case 'edgeNumber':
      set(rng.pick(EDGE_NUMBERS));
      break;
    case 'nanJson': {
      set('__NAN__');
      return { text: JSON.stringify(v).replace('"__NAN__"', rng.pick(['NaN', 'Infinity', '-Infinity', 'undefined', '1e999', '0x10', '01'])), kind };
    }
    case 'pollution': {
      const key = rng.pick(POLLUTION_KEYS);
      const text = JSON.stringify(v);
      const payload = `"${key}":{"polluted":true,"isAdmin":true,"t":"hello"}`;
      return { text: text.startsWith('{') && text.length > 2 ? `{${payload},${text.slice(1)}` : `{${payload}}`, kind };
    }
    case 'duplicateKey': {
      const text = JSON.stringify(v);
      if (text.startsWith('{') && text.length > 2) return { text: `{"t":"welcome","type":"admin",${text.slice(1)}`, kind };
      return { text, kind };
    }
    case 'truncated': {
      const text = JSON.stringify(v);
      return { text: text.slice(0, rng.int(0, Math.max(0, text.length - 1))), kind };
    }
    case 'notJson':
      return { text: rng.pick(['', 'null', 'true', '42', '"str"', '[]', '{', 'hello', '\u0000\u0001', '<xml/>']), kind };
  }
  return { text: JSON.stringify(v) ?? 'null', kind };
}

/** Object.prototype must come out of any fuzz run untouched. */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return probe.polluted === undefined && probe.isAdmin === undefined && Object.keys(Object.prototype).length === 0;
}
