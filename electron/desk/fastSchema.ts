// A zod 4 schema compiled once into plain closures, for the frames a resume brings by the
// thousand (link.ts). zod stays the definition and the judge:
//
// Invariant: the compiled parser answers a value only when zod would accept it and give the very
// same output (keys in the schema's order, unknown keys stripped, strings trimmed where the schema
// trims); for anything it does not model — a default to fill in, a schema kind or check it does
// not know, a promise — it answers BAIL and the caller asks zod. So it can only be faster than zod,
// never more lenient (test/unit/desk-fast-schema.test.ts holds it to zod on fuzzed frames).
//
// Why: zod runs every node through a payload object, an issues array and a checks loop; a 2 KB
// `arrival` frame is ~250 nodes, which made schema checks a fifth of a 10,000-event resume.
// How: each object, array, union and leaf is a function generated from the schema (`generate`),
// leaves with their checks written in place as tests, so V8 sees each node's code on its own; and
// a value that needs nothing stripped, trimmed or reordered is answered as it came, not copied.
import type { z } from 'zod';

/** zod rejects the value. */
export const FAIL: unique symbol = Symbol('fail');
/** The compiled parser does not model this case: ask zod. */
export const BAIL: unique symbol = Symbol('bail');
type Out = unknown;
type Node = (v: unknown) => Out;

interface Internals {
  def: Def;
  traits: Set<string>;
  check?: (payload: { value: unknown; issues: unknown[] }) => unknown;
  optin?: 'optional' | 'defaulted';
  optout?: 'optional';
  values?: Set<unknown>;
}
interface Def {
  type: string;
  checks?: { _zod: Internals }[];
  coerce?: boolean;
  [k: string]: unknown;
}
const zodOf = (s: unknown) => (s as { _zod: Internals })._zod;
const isSentinel = (r: unknown): r is typeof FAIL | typeof BAIL => r === FAIL || r === BAIL;
const bail: Node = () => BAIL;

/** Code points of a string (zod measures string lengths in code points). */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** One check as a closure: the (possibly overwritten) value, or FAIL / BAIL. */
function compileCheck(ch: { _zod: Internals }): Node {
  const d = ch._zod.def as Def & { check: string; when?: unknown; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number; format?: string; pattern?: RegExp; tx?: (v: unknown) => unknown };
  // Checks with a condition of their own (`when`) other than zod's defaults for lengths go through zod's own code.
  switch (d.check) {
    case 'greater_than':
      if (typeof d.value !== 'number') break;
      return d.inclusive ? (v) => ((v as number) >= (d.value as number) ? v : FAIL) : (v) => ((v as number) > (d.value as number) ? v : FAIL);
    case 'less_than':
      if (typeof d.value !== 'number') break;
      return d.inclusive ? (v) => ((v as number) <= (d.value as number) ? v : FAIL) : (v) => ((v as number) < (d.value as number) ? v : FAIL);
    case 'number_format':
      if (d.format !== 'safeint') break;
      return (v) => (Number.isSafeInteger(v) ? v : FAIL);
    case 'max_length': {
      const max = d.maximum!;
      return (v) => {
        if (typeof v === 'string') return v.length <= max || codePoints(v) <= max ? v : FAIL;
        return Array.isArray(v) ? (v.length <= max ? v : FAIL) : BAIL;
      };
    }
    case 'min_length': {
      const min = d.minimum!;
      return (v) => {
        if (typeof v === 'string') return v.length >= min * 2 ? v : v.length >= min && codePoints(v) >= min ? v : FAIL;
        return Array.isArray(v) ? (v.length >= min ? v : FAIL) : BAIL;
      };
    }
    case 'string_format':
      if (d.format !== 'regex' || !d.pattern) break;
      return (v) => {
        d.pattern!.lastIndex = 0;
        return d.pattern!.test(v as string) ? v : FAIL;
      };
    case 'overwrite':
      return (v) => d.tx!(v);
  }
  // Anything else (a refinement, a format): zod's own check, on a payload of our own.
  const run = ch._zod.check;
  if (!run) return bail;
  const when = d.when as ((p: { value: unknown; issues: unknown[] }) => boolean) | undefined;
  return (v) => {
    const payload = { value: v, issues: [] as unknown[] };
    if (when && !when(payload)) return v;
    const r = run(payload);
    if (r instanceof Promise) return BAIL;
    return payload.issues.length ? FAIL : payload.value;
  };
}

/** A node's checks in zod's order: the node itself when it is one (a `z.custom`), then its `checks`. */
function checksOf(schema: unknown): { _zod: Internals }[] {
  const z = zodOf(schema);
  return [...(z.traits.has('$ZodCheck') ? [schema as { _zod: Internals }] : []), ...(z.def.checks ?? [])];
}

function withChecks(inst: unknown, node: Node): Node {
  const list = checksOf(inst);
  if (list.length === 0) return node;
  const checks = list.map(compileCheck);
  // One or two checks (a bound, an int) are most nodes: called directly rather than in a loop.
  const [c0, c1] = checks as [Node, Node | undefined];
  if (checks.length === 1) return (v) => ((v = node(v)), v === FAIL || v === BAIL ? v : c0(v));
  if (checks.length === 2)
    return (v) => {
      v = node(v);
      if (v === FAIL || v === BAIL) return v;
      v = c0(v);
      return v === FAIL || v === BAIL ? v : c1!(v);
    };
  return (v) => {
    let r = node(v);
    for (let i = 0; i < checks.length && !isSentinel(r); i++) r = checks[i]!(r);
    return r;
  };
}

const cache = new WeakMap<object, Node>();

let generated = 0;
/**
 * A function made from generated code. Each gets a comment of its own, so V8 compiles each one
 * separately and keeps each one's type feedback: closures made from one shared function literal
 * share it, and a call site inside them that calls a different node each time (the inner node of
 * every `nullable`) goes megamorphic and is never inlined — that, not the checks, was most of what
 * a frame's check cost (round 21, docs/benchmarks.md).
 */
function generate<T>(params: Record<string, unknown>, body: string): T {
  return new Function(...Object.keys(params), `/* node ${++generated} */\n${body}`)(...Object.values(params)) as T;
}

/**
 * A test as code: a JS expression over the variable named `x` that is true exactly when the node
 * answers x itself (neither FAIL nor BAIL nor another value). Constants it needs go in `C`.
 */
type Test = (x: string) => string;

/** A literal the generated code can compare with `===` exactly as a Set's `has` would. */
const plainLiteral = (l: unknown) => typeof l === 'string' || typeof l === 'boolean' || l === null || (typeof l === 'number' && Number.isFinite(l));

/** compileCheck's verdict as a test on a value of `kind` (the node's type); null for anything it would not answer outright. */
function checkTest(ch: { _zod: Internals }, kind: string, C: unknown[]): Test | null {
  const z = ch._zod;
  const d = z.def as Def & { check: string; when?: unknown; value?: unknown; inclusive?: boolean; minimum?: number; maximum?: number; format?: string; pattern?: RegExp; fn?: (v: unknown) => unknown };
  const num = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? String(n) : null);
  switch (d.check) {
    case 'greater_than':
    case 'less_than': {
      const n = num(d.value);
      if (kind !== 'number' || n === null) return null;
      const op = (d.check === 'greater_than' ? '>' : '<') + (d.inclusive ? '=' : '');
      return (x) => `${x} ${op} ${n}`;
    }
    case 'number_format':
      return kind === 'number' && d.format === 'safeint' ? (x) => `Number.isSafeInteger(${x})` : null;
    case 'max_length': {
      const n = num(d.maximum);
      if (n === null) return null;
      if (kind === 'string') return (x) => `(${x}.length <= ${n} || CP(${x}) <= ${n})`;
      return kind === 'array' ? (x) => `${x}.length <= ${n}` : null;
    }
    case 'min_length': {
      const n = num(d.minimum);
      if (n === null) return null;
      if (kind === 'string') return (x) => `(${x}.length >= ${Number(n) * 2} || (${x}.length >= ${n} && CP(${x}) >= ${n}))`;
      return kind === 'array' ? (x) => `${x}.length >= ${n}` : null;
    }
    case 'string_format': {
      const re = d.pattern;
      if (kind !== 'string' || d.format !== 'regex' || !re || re.global || re.sticky) return null;
      const i = C.push(re) - 1;
      return (x) => `C[${i}].test(${x})`;
    }
    case 'custom': {
      // A refinement (`.refine(fn)`): zod calls fn on the value and accepts a truthy answer.
      const fn = d.fn;
      if (!z.traits.has('$ZodCustom') || typeof fn !== 'function' || d.when) return null;
      const i = C.push((v: unknown) => {
        const r = fn(v);
        // zod's synchronous parse throws on an async refinement too; none of the frames has one.
        if (r instanceof Promise) throw new Error('an async refinement in a frame schema');
        return Boolean(r);
      }) - 1;
      return (x) => `C[${i}](${x})`;
    }
  }
  return null;
}

/** Every check as a test on a value of `kind`; null when one of them is not a test. */
function checkTests(list: readonly { _zod: Internals }[], kind: string, C: unknown[]): Test[] | null {
  const tests: Test[] = [];
  for (const ch of list) {
    const t = checkTest(ch, kind, C);
    if (!t) return null;
    tests.push(t);
  }
  return tests;
}

/** A leaf's type as a test (its checks aside); null for any other kind of node. */
function typeTest(schema: unknown, C: unknown[]): Test | null {
  const z = zodOf(schema);
  switch (z.def.type) {
    case 'string':
      return (x) => `typeof ${x} === 'string'`;
    case 'number':
      return (x) => `typeof ${x} === 'number' && Number.isFinite(${x})`;
    case 'boolean':
      return (x) => `typeof ${x} === 'boolean'`;
    case 'null':
      return (x) => `${x} === null`;
    case 'literal':
    case 'enum': {
      const values = z.values;
      if (!values) return null;
      const lits = [...values];
      if (lits.length <= 8 && lits.every(plainLiteral)) return (x) => `(${lits.map((l) => `${x} === ${JSON.stringify(l)}`).join(' || ')})`;
      const i = C.push(values) - 1;
      return (x) => `C[${i}].has(${x})`;
    }
  }
  return null;
}

/** The node as a test, when it is a leaf whose output is its input (no transform, no default). */
function testOf(schema: unknown, C: unknown[]): Test | null {
  const z = zodOf(schema);
  const def = z.def;
  if (def.coerce) return null;
  const list = checksOf(schema);
  switch (def.type) {
    case 'nullable':
    case 'optional': {
      if (list.length || z.traits.has('$ZodExactOptional')) return null;
      if (def.type === 'optional' && zodOf(def.innerType).optin === 'defaulted') return null;
      const inner = testOf(def.innerType, C);
      if (!inner) return null;
      const none = def.type === 'nullable' ? 'null' : 'undefined';
      return (x) => `(${x} === ${none} || (${inner(x)}))`;
    }
  }
  const base = typeTest(schema, C);
  const checks = base && checkTests(list, def.type, C);
  if (!base || !checks) return null;
  return (x) => [base, ...checks].map((t) => `(${t(x)})`).join(' && ');
}

function compileNode(schema: unknown): Node {
  const hit = cache.get(schema as object);
  if (hit) return hit;
  // Recursive schemas would loop here; none of the frames' schemas are (a lazy one bails below).
  let ref: Node = bail;
  cache.set(schema as object, (v) => ref(v));
  ref = compileWhole(schema);
  cache.set(schema as object, ref);
  return ref;
}

function compileWhole(schema: unknown): Node {
  const C: unknown[] = [];
  const test = testOf(schema, C);
  if (test) return generate({ C, FAIL, CP: codePoints }, `return function (v) { return ${test('v')} ? v : FAIL; };`);
  const def = zodOf(schema).def;
  if (def.type === 'array' && !def.coerce) {
    const node = compileArray(schema, def);
    if (node) return node;
  }
  return withChecks(schema, compileType(schema));
}

/**
 * An array and its own length checks in one function. Elements that are leaves are tested in the
 * loop; others go through their node, and the input array itself is the answer while every element
 * comes back as it was (zod's output would equal it), a copy from the first one that does not.
 */
function compileArray(schema: unknown, def: Def): Node | null {
  const C: unknown[] = [];
  const checks = checkTests(checksOf(schema), 'array', C);
  if (!checks) return null;
  const after = checks.length ? `if (!(${checks.map((t) => `(${t('r')})`).join(' && ')})) return FAIL;` : '';
  const test = testOf(def.element, C);
  if (test)
    return generate(
      { C, FAIL, CP: codePoints },
      `return function (v) {
        if (!Array.isArray(v)) return FAIL;
        for (let i = 0; i < v.length; i++) { const x = v[i]; if (!(${test('x')})) return FAIL; }
        const r = v;
        ${after}
        return r;
      };`,
    );
  return generate(
    { C, FAIL, BAIL, CP: codePoints, el: compileNode(def.element) },
    `return function (v) {
      if (!Array.isArray(v)) return FAIL;
      let out = null;
      for (let i = 0; i < v.length; i++) {
        const e = el(v[i]);
        if (e === FAIL || e === BAIL) return e;
        if (out !== null) out[i] = e;
        else if (e !== v[i]) { out = v.slice(0, i); out[i] = e; }
      }
      const r = out ?? v;
      ${after}
      return r;
    };`,
  );
}

function compileType(schema: unknown): Node {
  const z = zodOf(schema);
  const def = z.def;
  if (def.coerce) return bail;
  switch (def.type) {
    case 'nullable':
      return generate({ inner: compileNode(def.innerType) }, 'return function (v) { return v === null ? null : inner(v); };');
    case 'optional': {
      if (z.traits.has('$ZodExactOptional')) return bail;
      const innerSchema = def.innerType;
      const defaulted = zodOf(innerSchema).optin === 'defaulted';
      return generate({ inner: compileNode(innerSchema), BAIL }, `return function (v) { return v === undefined ? ${defaulted ? 'BAIL' : 'undefined'} : inner(v); };`);
    }
    case 'default':
      // zod fills the default in for undefined (and for an inner node that answers undefined).
      return generate({ inner: compileNode(def.innerType), BAIL }, 'return function (v) { if (v === undefined) return BAIL; const r = inner(v); return r === undefined ? BAIL : r; };');
    case 'object':
      return compileObject(def);
    case 'union':
      return compileUnion(schema, def);
    default:
      // Leaves are tests (compileWhole); one with a check no test models goes through zod's own check.
      return compileLeaf(schema) ?? bail;
  }
}

/** A leaf whose checks are not all tests: its type as a test, its checks as compileCheck's closures (withChecks). */
function compileLeaf(schema: unknown): Node | null {
  const C: unknown[] = [];
  const test = typeTest(schema, C);
  return test && generate({ C, FAIL }, `return function (v) { return ${test('v')} ? v : FAIL; };`);
}

/**
 * As zod's object parser (its JIT fast pass): the shape's keys in order, unknown keys stripped.
 * Generated as code with the keys written out, so V8 reads each field at a fixed property site
 * (a loop over the keys read them as dictionary lookups and was barely faster than zod), and each
 * leaf field's test written in place.
 *
 * It answers the input object itself while zod's output would equal it: every field comes back as
 * it was (===), the input has no key the output would lack, and its keys are in the shape's order.
 * At the first field that differs it starts the output object (the fields before it, which came
 * back as they were) and goes on filling that; if only the keys' order or an unknown key differs,
 * the output is the input's fields copied in the shape's order. One pass either way.
 */
function compileObject(def: Def): Node {
  if (def.catchall) return bail;
  const shape = def.shape as Record<string, unknown>;
  const keys = Object.keys(shape).filter((k) => k !== '__proto__');
  const quoted = keys.map((k) => JSON.stringify(k));
  const C: unknown[] = [];
  const nodes: Record<string, Node> = {};
  // The output of the first `n` keys when each came back as it was: a key is in zod's output
  // exactly when it is `in` the input (that is what reaching key `n` with nothing differing means).
  const prefix = generate<(v: Record<string, unknown>, n: number) => Record<string, unknown>>(
    {},
    `return function (v, n) {
      const out = {};
      ${quoted.map((k, i) => `if (n > ${i} && ${k} in v) out[${k}] = v[${k}];`).join('\n      ')}
      return out;
    };`,
  );
  const body = keys.map((key, i) => {
    const k = quoted[i]!;
    const { optin, optout } = zodOf(shape[key]);
    const test = testOf(shape[key], C);
    let read: string;
    if (test) read = `r = v[${k}]; if (!(${test('r')})) r = FAIL;`;
    else {
      nodes[`n${i}`] = compileNode(shape[key]);
      read = `r = n${i}(v[${k}]);`;
    }
    // zod's `out[k] = r`: into the output once there is one; else checked to be the input's own
    // field. The input is a JSON value (compileSchema), whose objects are plain: a field read as it
    // came is its own unless Object.prototype has one of that name (`constructor`, `toString`), so
    // only such keys are asked — Object.hasOwn on every field was a third of a frame's check.
    const own = key in Object.prototype ? ` || !Object.hasOwn(v, ${k})` : '';
    const write = `{ if (out !== null) out[${k}] = r; else if (r !== v[${k}]${own}) (out = prefix(v, ${i}))[${k}] = r; else kept++; }`;
    if (optin !== undefined && optout === 'optional') {
      // An absent optional that would not parse is left out, as zod does.
      const assign = optin === 'optional' ? `${k} in v` : `r !== undefined || ${k} in v`;
      return `${read} if (r === BAIL) return BAIL; if (r === FAIL) { if (${k} in v) return FAIL; } else if (${assign}) ${write}`;
    }
    if (optin === undefined) return `${read} if (r === FAIL || r === BAIL) return r; if (r === undefined && !(${k} in v)) return FAIL; ${write}`;
    return `${read} if (r === FAIL || r === BAIL) return r; ${optin === 'defaulted' ? '' : `if (r !== undefined || ${k} in v) `}${write}`;
  });
  // Nothing differed: the input's own keys, in order, must be the kept ones in the shape's order —
  // each found at a later place in KEYS than the one before, and as many as were kept.
  // Generated from the schema's own keys (JSON-quoted), never from input.
  return generate({ prefix, KEYS: keys, C, FAIL, BAIL, CP: codePoints, ...nodes }, `return function (v) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
    let r, out = null, kept = 0;
    ${body.join('\n    ')}
    if (out !== null) return out;
    let j = 0, seen = 0;
    for (const key in v) {
      while (j < KEYS.length && KEYS[j] !== key) j++;
      if (j === KEYS.length) return prefix(v, KEYS.length);
      j++;
      seen++;
    }
    return seen === kept ? v : prefix(v, KEYS.length);
  };`);
}

const PLAIN_UNION = new Set(['ZodUnion', '$ZodUnion', 'ZodType', '$ZodType']);

function compileUnion(schema: unknown, def: Def): Node {
  const options = def.options as unknown[];
  const z = zodOf(schema);
  if ([...z.traits].every((t) => PLAIN_UNION.has(t) || t.endsWith('ZodDiscriminatedUnion')) && z.traits.has('$ZodDiscriminatedUnion')) {
    if (def.unionFallback) return bail;
    const key = def.discriminator as string;
    const byValue = new Map<unknown, Node>();
    for (const o of options) {
      const od = zodOf(o).def;
      const tag = od.type === 'object' ? zodOf((od.shape as Record<string, unknown>)[key]).values : undefined;
      if (!tag) return bail;
      const node = compileNode(o);
      for (const t of tag) if (!byValue.has(t)) byValue.set(t, node);
    }
    const tags = [...byValue.keys()];
    const isObj = `if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;`;
    // A switch on the tag, each option called at a site of its own; a Map when a tag is not a plain literal.
    if (!tags.every(plainLiteral)) return generate({ byValue, FAIL, KEY: key }, `return function (v) { ${isObj} const node = byValue.get(v[KEY]); return node ? node(v) : FAIL; };`);
    const nodes = Object.fromEntries(tags.map((t, i) => [`o${i}`, byValue.get(t)!]));
    return generate(
      { FAIL, ...nodes },
      `return function (v) { ${isObj}
        switch (v[${JSON.stringify(key)}]) {
          ${tags.map((t, i) => `case ${JSON.stringify(t)}: return o${i}(v);`).join('\n          ')}
          default: return FAIL;
        }
      };`,
    );
  }
  // A plain union only (an exclusive one, z.xor, has the same def type and other rules).
  if (![...z.traits].every((t) => PLAIN_UNION.has(t))) return bail;
  const nodes = Object.fromEntries(options.map((o, i) => [`o${i}`, compileNode(o)]));
  // The first option that accepts wins, as in zod; one that bails makes the whole answer zod's.
  return generate(
    { FAIL, ...nodes },
    `return function (v) {
      let r;
      ${options.map((_, i) => `r = o${i}(v); if (r !== FAIL) return r;`).join('\n      ')}
      return FAIL;
    };`,
  );
}

export type Compiled<T> = (value: unknown) => T | typeof FAIL | typeof BAIL;

/**
 * The schema as closures; call on a JSON.parse result only. Its objects are plain (their prototype
 * is Object.prototype), which the object nodes rely on to tell an own field from an inherited one.
 */
export function compileSchema<T>(schema: z.ZodType<T>): Compiled<T> {
  return compileNode(schema) as Compiled<T>;
}

/**
 * The compiled schema as parseFrame's `fast` argument: the output, or null to let zod decide.
 * Compiled at the first frame, not when the module loads: HqToDesk's closures took 39 ms of the
 * desk process's 290 ms module load on the bench box (docs/benchmarks.md, round 37), which every
 * start paid before the desk could answer its window, while the first frame comes later, when the
 * process is waiting on its socket and its PIN check anyway.
 */
export function fastParser<T>(schema: z.ZodType<T>): (json: unknown) => T | null {
  let run: Compiled<T> | null = null;
  return (json) => {
    run ??= compileSchema(schema);
    const r = run(json);
    return r === FAIL || r === BAIL ? null : r;
  };
}
