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
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
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

function withChecks(inst: unknown, node: Node): Node {
  const z = zodOf(inst);
  const list = [...(z.traits.has('$ZodCheck') ? [inst as { _zod: Internals }] : []), ...(z.def.checks ?? [])];
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

function compileNode(schema: unknown): Node {
  const hit = cache.get(schema as object);
  if (hit) return hit;
  // Recursive schemas would loop here; none of the frames' schemas are (a lazy one bails below).
  let ref: Node = bail;
  cache.set(schema as object, (v) => ref(v));
  ref = withChecks(schema, compileType(schema));
  cache.set(schema as object, ref);
  return ref;
}

function compileType(schema: unknown): Node {
  const z = zodOf(schema);
  const def = z.def;
  if (def.coerce) return bail;
  switch (def.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : FAIL);
    case 'number':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : FAIL);
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : FAIL);
    case 'null':
      return (v) => (v === null ? v : FAIL);
    case 'literal':
    case 'enum': {
      const values = z.values;
      if (!values) return bail;
      return (v) => (values.has(v) ? v : FAIL);
    }
    case 'nullable': {
      const inner = compileNode(def.innerType);
      return (v) => (v === null ? null : inner(v));
    }
    case 'optional': {
      if (z.traits.has('$ZodExactOptional')) return bail;
      const innerSchema = def.innerType;
      const inner = compileNode(innerSchema);
      const defaulted = zodOf(innerSchema).optin === 'defaulted';
      return (v) => (v === undefined ? (defaulted ? BAIL : undefined) : inner(v));
    }
    case 'default': {
      const inner = compileNode(def.innerType);
      return (v) => {
        if (v === undefined) return BAIL; // zod fills the default in
        const r = inner(v);
        return r === undefined ? BAIL : r;
      };
    }
    case 'array': {
      const el = compileNode(def.element);
      return (v) => {
        if (!Array.isArray(v)) return FAIL;
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          const r = el(v[i]);
          if (isSentinel(r)) return r;
          out[i] = r;
        }
        return out;
      };
    }
    case 'object':
      return compileObject(def);
    case 'union':
      return compileUnion(schema, def);
    default:
      return bail;
  }
}

/**
 * As zod's object parser (its JIT fast pass): the shape's keys in order, unknown keys stripped.
 * Generated as code with the keys written out, so V8 reads each field at a fixed property site
 * (a loop over the keys read them as dictionary lookups and was barely faster than zod).
 */
function compileObject(def: Def): Node {
  if (def.catchall) return bail;
  const shape = def.shape as Record<string, unknown>;
  const keys = Object.keys(shape).filter((k) => k !== '__proto__');
  const nodes = keys.map((k) => compileNode(shape[k]));
  const body = keys.map((key, i) => {
    const k = JSON.stringify(key);
    const { optin, optout } = zodOf(shape[key]);
    const read = `r = n${i}(v[${k}]);`;
    if (optin !== undefined && optout === 'optional') {
      // An absent optional that would not parse is left out, as zod does.
      const assign = optin === 'optional' ? `${k} in v` : `r !== undefined || ${k} in v`;
      return `${read} if (r === BAIL) return BAIL; if (r === FAIL) { if (${k} in v) return FAIL; } else if (${assign}) out[${k}] = r;`;
    }
    if (optin === undefined) return `${read} if (r === FAIL || r === BAIL) return r; if (r === undefined && !(${k} in v)) return FAIL; out[${k}] = r;`;
    return `${read} if (r === FAIL || r === BAIL) return r; ${optin === 'defaulted' ? '' : `if (r !== undefined || ${k} in v) `}out[${k}] = r;`;
  });
  const params = ['FAIL', 'BAIL', ...nodes.map((_, i) => `n${i}`)];
  const code = `return function (v) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return FAIL;
    const out = {};
    let r;
    ${body.join('\n    ')}
    return out;
  };`;
  // Generated from the schema's own keys (JSON-quoted), never from input.
  return new Function(...params, code)(FAIL, BAIL, ...nodes) as Node;
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
    return (v) => {
      if (!isObject(v)) return FAIL;
      const node = byValue.get(v[key]);
      return node ? node(v) : FAIL;
    };
  }
  // A plain union only (an exclusive one, z.xor, has the same def type and other rules).
  if (![...z.traits].every((t) => PLAIN_UNION.has(t))) return bail;
  const nodes = options.map(compileNode);
  // The first option that accepts wins, as in zod; one that bails makes the whole answer zod's.
  return (v) => {
    for (const n of nodes) {
      const r = n(v);
      if (r !== FAIL) return r;
    }
    return FAIL;
  };
}

export type Compiled<T> = (value: unknown) => T | typeof FAIL | typeof BAIL;

/** The schema as closures; call on a JSON.parse result. */
export function compileSchema<T>(schema: z.ZodType<T>): Compiled<T> {
  return compileNode(schema) as Compiled<T>;
}

/** The compiled schema as parseFrame's `fast` argument: the output, or null to let zod decide. */
export function fastParser<T>(schema: z.ZodType<T>): (json: unknown) => T | null {
  const run = compileSchema(schema);
  return (json) => {
    const r = run(json);
    return r === FAIL || r === BAIL ? null : r;
  };
}
