// An event's data as the JSON text the log stores and every desk receives: made once, here, when
// the event is appended (the adapters store the text as it is; eventLog.ts frames it as it is).
//
// Invariant: JSON.parse(eventJson(type, data)) deep-equals JSON.parse(JSON.stringify(data)) — the
// same fields and values; only the order of an object's fields may differ (JSON objects are
// unordered, and every reader parses). A text is reused only for a value that is deeply frozen: no
// one can change it after its text was made, so the text stays true for as long as the value lives
// (the texts are held weakly, by the value's identity).
//
// Why: an `arrival` carries ~6 suggestions, and each one's colours in stock and stock per size are
// frozen arrays that recommend.ts shares between every suggestion of that style at that store (its
// RecommendIndex, made once per catalog); a suggestion made without consent is frozen whole and
// shared too. Serializing them again for every arrival was half of JSON.stringify's time for the
// event (10 of 19 µs for a 4 KB arrival, measured alone) — docs/benchmarks.md, round 25.
import { type EventType } from '../../shared/protocol.ts';
import { type EventPayload } from './eventLog.ts';

export function eventJson<T extends EventType>(type: T, data: EventPayload<T>): string {
  return type === 'arrival' ? arrivalJson(data as EventPayload<'arrival'>) : JSON.stringify(data);
}

/**
 * The arrival's data with its profile's suggestions spliced in, each from frozenJson where it can.
 * The pieces are joined once at the end: the text is flat when the adapter and the frame encoder
 * read it (a text built by `+` is a tree of pieces each reader would first copy into one).
 */
function arrivalJson(data: EventPayload<'arrival'>): string {
  const { profile, ...rest } = data;
  const { recommendations, ...profileRest } = profile;
  const out: string[] = [];
  openWith(out, JSON.stringify(rest), 'profile');
  openWith(out, JSON.stringify(profileRest), 'recommendations');
  out.push('[');
  for (let i = 0; i < recommendations.length; i++) {
    if (i > 0) out.push(',');
    suggestionJson(out, recommendations[i]!);
  }
  out.push(']}}');
  return out.join('');
}

type Suggestion = EventPayload<'arrival'>['profile']['recommendations'][number];

function suggestionJson(out: string[], r: Suggestion): void {
  const whole = Object.isFrozen(r) ? frozenJson(r) : undefined;
  if (whole !== undefined) {
    out.push(whole);
    return;
  }
  const colors = frozenJson(r.colors);
  const stock = frozenJson(r.stockBySize);
  if (colors === undefined || stock === undefined) {
    out.push(JSON.stringify(r));
    return;
  }
  const { colors: _colors, stockBySize: _stock, ...own } = r;
  openWith(out, JSON.stringify(own), 'colors');
  out.push(colors, ',"stockBySize":', stock, '}');
}

/** An object's JSON text opened again to take one more field, `key` (a plain identifier), whose value comes next. */
function openWith(out: string[], objectText: string, key: string): void {
  out.push(objectText.length > 2 ? objectText.slice(0, -1) : '{', objectText.length > 2 ? `,"${key}":` : `"${key}":`);
}

/** Texts made, by value (weakly: a value's text goes when the value does). */
const texts = new WeakMap<object, string>();

/**
 * JSON.stringify(value) for a deeply frozen object or array, made once per value; undefined for
 * anything else (the caller serializes it itself). A value that is not deeply frozen now is asked
 * again next time: it may have been frozen since.
 */
export function frozenJson(value: object): string | undefined {
  const known = texts.get(value);
  if (known !== undefined) return known;
  if (!deeplyFrozen(value)) return undefined;
  const text = JSON.stringify(value);
  texts.set(value, text);
  return text;
}

/** Frozen, and so is everything in it; only data properties (a getter or a toJSON could answer differently each time). */
function deeplyFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  if (!Object.isFrozen(v) || 'toJSON' in v) return false;
  for (const d of Object.values(Object.getOwnPropertyDescriptors(v))) if (!('value' in d) || !deeplyFrozen(d.value)) return false;
  return true;
}
