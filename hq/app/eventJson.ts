// An event's data as the JSON text the log stores and every desk receives: made once, here, when
// the event is appended (the adapters store the text as it is; eventLog.ts frames it as it is).
//
// Invariant: JSON.parse(eventJson(type, data)) deep-equals JSON.parse(JSON.stringify(data)) — the
// same fields and values; only the order of an object's fields may differ (JSON objects are
// unordered, and every reader parses). A text is reused only for a value that is deeply frozen: no
// one can change it after its text was made, so the text stays true for as long as the value lives
// (each such value carries its own text: frozenWithJson).
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
  const whole = frozenJson(r);
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

/**
 * Where a value made by frozenWithJson keeps its text: an own property under a module-private
 * symbol, not enumerable — a spread, Object.assign or slice leaves it behind, and JSON.stringify
 * skips symbols. The property holds a slot the text is written into the first time an event asks:
 * most of an index's pieces (stock per size of every style at every store) are made long before
 * one is suggested, and some never are.
 *
 * Why not a WeakMap from value to text, which this was: each piece's first use walked it to check it
 * was deeply frozen (frozenWithJson freezes it where it is made instead), each use looked it up in a
 * map of ~27,000 entries on a node of 500 stores, and a WeakMap's entries are ephemerons for V8's
 * full GC to settle (suspected in an idle node's long pauses in round 35; round 36 could not show
 * it). ~1 µs less per arrival: docs/benchmarks.md, round 36. The slot lives exactly as long as its
 * value.
 */
const TEXT = Symbol('jsonText');

interface TextSlot {
  text: string | undefined;
}

/**
 * `value` frozen deeply, with a slot for its JSON text, for a value many events share (recommend.ts's
 * colour lists, stock per size, suggestions made without consent): each event splices the text in
 * instead of serializing the value again. Freezes whatever in it is not frozen yet. Made without a
 * slot (frozen all the same): a value already frozen (no property can be added to it) and one that
 * holds an accessor or a toJSON (either could answer differently each time).
 */
export function frozenWithJson<T extends object>(value: T): T {
  const plain = !Object.isFrozen(value) && freezeParts(value);
  if (plain) Object.defineProperty(value, TEXT, { value: { text: undefined } satisfies TextSlot });
  return Object.freeze(value);
}

/** JSON.stringify(value) for a value made by frozenWithJson, made once; undefined for any other (the caller serializes it itself). */
export function frozenJson(value: object): string | undefined {
  if (!Object.hasOwn(value, TEXT)) return undefined;
  const slot = (value as { [TEXT]: TextSlot })[TEXT];
  return (slot.text ??= JSON.stringify(value));
}

/** Freezes everything `v` holds (not `v` itself); whether all of it is data: no accessor, no toJSON. */
function freezeParts(v: object): boolean {
  let plain = !('toJSON' in v);
  for (const d of Object.values(Object.getOwnPropertyDescriptors(v))) {
    if (!('value' in d)) {
      plain = false;
      continue;
    }
    const part: unknown = d.value;
    if (part === null || typeof part !== 'object') continue;
    if (!freezeParts(part)) plain = false;
    Object.freeze(part);
  }
  return plain;
}
