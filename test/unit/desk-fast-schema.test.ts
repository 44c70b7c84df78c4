// The desk's compiled frame parser (electron/desk/fastSchema.ts) against zod, the judge: on valid
// and broken frames of every HqToDesk kind and every event type, whenever the compiled parser
// answers, zod accepts the same value and gives the same output (same keys in the same order); when
// it refuses, zod refuses too. Only a bail (a default to fill, a check it does not model) leaves the
// answer to zod — and a realistic arrival never bails.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BAIL, compileSchema, FAIL, fastParser } from '../../electron/desk/fastSchema.ts';
import { EvFrame, HqToDesk, MAX_FRAME_BYTES, parseFrame } from '../../shared/protocol.ts';
import { Member } from '../../shared/domain.ts';
import { toDeskMember } from '../../hq/app/profiles.ts';
import { arrivalEv, claimedEv, member, visit } from '../support/builders.ts';
import { mutate, Prng, validSamples } from '../fuzz/zodFuzz.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0xfa57);
const fast = compileSchema(HqToDesk);

/** The compiled answer agrees with zod's; returns which way it went. */
function agree(value: unknown, label: string): 'accepted' | 'refused' | 'bailed' {
  const mine = fast(value);
  const theirs = HqToDesk.safeParse(value);
  if (mine === BAIL) return 'bailed';
  if (mine === FAIL) {
    expect(theirs.success, `${label}: compiled refused what zod accepts: ${JSON.stringify(value)?.slice(0, 300)}`).toBe(false);
    return 'refused';
  }
  expect(theirs.success, `${label}: compiled accepted what zod refuses: ${JSON.stringify(value)?.slice(0, 300)}`).toBe(true);
  expect(JSON.stringify(mine), label).toBe(JSON.stringify(theirs.data));
  expect(mine).toEqual(theirs.data);
  return 'accepted';
}

/** A full arrival as HQ sends it: member with every field, purchases, recommendations, a next best action. */
function richArrival(seq = 7) {
  const m = member('m-1', { name: '杜敏鹏', nameEn: 'Jing Sun' });
  const ev = arrivalEv('ep-1', seq, visit('v-1', m.id), m) as Record<string, unknown> & { data: { profile: Record<string, unknown> } };
  ev.data.profile.purchases = [{ id: 'p-1', memberId: m.id, styleId: 'bst-1', styleName: 'Runner', category: 'running', color: '黑色', size: 42, storeId: 'store-a', at: 1_700_000_000_000, price: 89900 }];
  ev.data.profile.recommendations = [
    {
      styleId: 'bst-17',
      name: 'Bench Runner 17',
      category: 'basketball',
      price: 80900,
      colors: [{ code: 'RED', name: '红色' }],
      stockBySize: [
        { size: 41, qty: 0 },
        { size: 42, qty: 3 },
      ],
      score: 4,
      reasons: [{ code: 'size_in_stock', size: 42, qty: 3 }, { code: 'new_arrival' }],
      image: null,
    },
  ];
  return ev;
}

describe('compiled HqToDesk parser', () => {
  it('accepts real-shaped frames exactly as zod does (no bail on arrivals and claims)', () => {
    const m = member('m-2');
    const frames: unknown[] = [richArrival(), claimedEv('ep-1', 8, visit('v-2', m.id), 'op-1'), { t: 'head', epoch: 'ep-1', seq: 9 }, { t: 'cmdAck', opId: 'op-1', status: 'ok', seq: 8 }];
    for (const f of frames) {
      // Sanity: the rich arrival is a valid frame at all.
      expect(HqToDesk.safeParse(f).success).toBe(true);
      expect(agree(f, 'real')).toBe('accepted');
    }
  });

  it('handles the cases zod transforms or measures in its own way', () => {
    const cases: [string, (f: ReturnType<typeof richArrival>) => void][] = [
      ['unknown keys are stripped, at the top and deep', (f) => Object.assign(f, { extra: 1 }, { data: { ...f.data, junk: { a: 1 } } })],
      ['seq not an integer', (f) => (f.seq = 1.5)],
      ['seq zero (must be positive)', (f) => (f.seq = 0)],
      ['seq past the safe integers', (f) => (f.seq = 2 ** 53 + 2)],
      ['an unknown event type', (f) => (f.type = 'arrival.v2')],
      ['t not ev', (f) => (f.t = 'evs')],
      ['a required field missing', (f) => delete (f.data as { visit?: unknown }).visit],
      ['a defaulted field absent (zod fills it in)', (f) => delete (f.data.profile.member as { points?: unknown }).points],
      ['an optional field absent', (f) => delete (f.data.profile as { next?: unknown }).next],
      ['null where an object is needed', (f) => (f.data.profile = null as never)],
      ['an array where an object is needed', (f) => (f.data.profile.member = [] as never)],
      ['a string of astral characters within the code-point bound', (f) => ((f.data.profile.member as { name: string }).name = '😀'.repeat(40))],
      ['a name far too long', (f) => ((f.data.profile.member as { name: string }).name = 'x'.repeat(5000))],
      ['an empty id', (f) => (f.id = '')],
      ['a negative price', (f) => ((f.data.profile.recommendations as { price: number }[])[0]!.price = -1)],
      ['a wrong enum value', (f) => ((f.data.profile.member as { tier: string }).tier = 'diamond')],
      ['a size off the half steps', (f) => (((f.data.profile.member as { sizes: { eu: number } }).sizes.eu = 42.3))],
      ['a boolean as a string', (f) => (((f.data.profile.member as { consents: { marketing: unknown } }).consents.marketing = 'false'))],
    ];
    const seen = new Set<string>();
    for (const [label, change] of cases) {
      const f = richArrival();
      change(f);
      seen.add(agree(JSON.parse(JSON.stringify(f)), label));
    }
    expect(seen.has('accepted') && seen.has('refused')).toBe(true);
  });

  it(`agrees with zod on sampled and mutated frames of every kind (seed ${SEED})`, () => {
    const rng = new Prng(SEED);
    const tally = { accepted: 0, refused: 0, bailed: 0 };
    const kinds = [...(HqToDesk as unknown as z.ZodUnion<z.ZodType[]>).options.filter((o) => o !== EvFrame), ...(EvFrame as unknown as z.ZodDiscriminatedUnion<z.ZodType[]>).options];
    for (const schema of kinds) {
      const valid = validSamples(schema, rng, [], 8);
      for (const v of valid) tally[agree(v, 'sample')]++;
      for (let i = 0; i < 40 && valid.length; i++) {
        const { text, kind } = mutate(rng.pick(valid), rng, { hugeBytes: rng.pick([100, 5000]) });
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          continue; // not JSON: parseFrame refuses it before any schema
        }
        tally[agree(value, kind)]++;
      }
    }
    // It must decide most cases itself, or it would not be faster.
    expect(tally.accepted).toBeGreaterThan(100);
    expect(tally.refused).toBeGreaterThan(100);
    expect(tally.bailed).toBeLessThan((tally.accepted + tally.refused) / 2);
  });

  it('answers the frame itself when zod\'s output would equal it, and zod\'s own output when it would not', () => {
    // HQ's arrival, as it is serialised and parsed: nothing to strip, keys in the schema's order.
    const exact = JSON.parse(JSON.stringify(HqToDesk.parse(richArrival()))) as ReturnType<typeof richArrival>;
    expect(agree(exact, 'exact')).toBe('accepted');
    const kept = fast(exact) as typeof exact;
    expect(kept).toBe(exact); // no copy of the frame
    expect(kept.data.profile.recommendations).toBe(exact.data.profile.recommendations);

    // The member's keys in another order: a new member object in the schema's order, and new
    // objects up to the frame (their fields changed), while the untouched branches are kept.
    const reordered = JSON.parse(JSON.stringify(exact)) as typeof exact;
    const { phoneMasked, phoneLast4, ...rest } = reordered.data.profile.member as Record<string, unknown>;
    reordered.data.profile.member = { ...rest, phoneMasked, phoneLast4 };
    expect(agree(reordered, 'member keys reordered')).toBe('accepted');
    const out = fast(reordered) as typeof exact;
    expect(out).not.toBe(reordered);
    expect(out.data.profile.member).not.toBe(reordered.data.profile.member);
    expect(Object.keys(out.data.profile.member as object)).toEqual(Object.keys(Member.shape));
    expect(out.data.profile.recommendations).toBe(reordered.data.profile.recommendations);
    expect((out.data as Record<string, unknown>).visit).toBe((reordered.data as Record<string, unknown>).visit);

    // An unknown key in the middle of an array's element: that element and its array are copied from
    // there on, the elements before it kept; the key is gone.
    const extra = JSON.parse(JSON.stringify(exact)) as typeof exact;
    const recs = extra.data.profile.recommendations as Record<string, unknown>[];
    recs.push({ ...recs[0]!, styleId: 'bst-18' }, { ...recs[0]!, styleId: 'bst-19', junk: true });
    expect(agree(extra, 'an unknown key in the last suggestion')).toBe('accepted');
    const copied = (fast(extra) as typeof exact).data.profile.recommendations as Record<string, unknown>[];
    expect(copied).not.toBe(recs);
    expect(copied[0]).toBe(recs[0]);
    expect(copied[1]).toBe(recs[1]);
    expect(copied[2]).not.toBe(recs[2]);
    expect('junk' in copied[2]!).toBe(false);

    // A refinement (a size off the half steps) is still the schema's: refused in a suggestion's stock.
    const offStep = JSON.parse(JSON.stringify(exact)) as typeof exact;
    (offStep.data.profile.recommendations as { stockBySize: { size: number }[] }[])[0]!.stockBySize[0]!.size = 41.3;
    expect(agree(offStep, 'a stocked size off the half steps')).toBe('refused');
  });

  it('HQ writes the desk\'s member in the schema\'s key order, so the desk keeps it as it came', () => {
    // A record as HQ's stores hold it: the full phone, no masked fields.
    const { phoneMasked: _masked, phoneLast4: _last4, ...record } = member('m-9');
    const m = toDeskMember({ ...record, phone: '+8613800138000' });
    expect(m.phoneLast4).toBe('8000');
    expect(Object.keys(m)).toEqual(Object.keys(Member.shape));
    const parsed = JSON.parse(JSON.stringify(m)) as unknown;
    expect(compileSchema(Member)(parsed)).toBe(parsed);
  });

  it('tells an own field from one of Object.prototype\'s names, as zod reads them', () => {
    // A field read as it came is the JSON object's own unless Object.prototype has that name: zod
    // reads input[key], inherited too (an absent `constructor` is Object, no string: refused).
    const schema = z.object({ a: z.string(), constructor: z.string().optional(), toString: z.number().optional(), n: z.number().optional() });
    const run = compileSchema(schema);
    const texts = ['{"a":"x"}', '{"a":"x","constructor":"c"}', '{"a":"x","constructor":"c","toString":1}', '{"toString":1,"a":"x","constructor":"c"}', '{"a":"x","constructor":"c","toString":1,"n":2,"z":0}', '{"a":"x","toString":1,"n":2}'];
    const verdicts = texts.map((text) => {
      const input = JSON.parse(text) as Record<string, unknown>;
      const mine = run(input);
      const theirs = schema.safeParse(input);
      expect(mine, text).not.toBe(BAIL);
      expect(mine === FAIL, text).toBe(!theirs.success);
      if (!theirs.success) return 'refused';
      expect(mine, text).toEqual(theirs.data);
      expect(Object.keys(mine as object), text).toEqual(Object.keys(theirs.data));
      // The input itself exactly where zod's output has its own keys, in its order.
      expect(mine === input, text).toBe(JSON.stringify(Object.keys(input)) === JSON.stringify(Object.keys(theirs.data)));
      return mine === input ? 'kept' : 'copied';
    });
    expect(verdicts).toEqual(['refused', 'refused', 'kept', 'copied', 'copied', 'refused']);
  });

  it('a fast parser compiles its schema at the first frame, not when it is made (the desk process starts without it)', () => {
    let looked = 0;
    const watched = new Proxy(HqToDesk, {
      get(target, key, receiver) {
        if (key === '_zod') looked++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const parser = fastParser(watched);
    expect(looked).toBe(0);
    const input = JSON.parse(JSON.stringify(richArrival())) as unknown;
    expect(parser(input)).toEqual(HqToDesk.parse(JSON.parse(JSON.stringify(richArrival()))));
    const afterFirst = looked;
    expect(afterFirst).toBeGreaterThan(0);
    parser(JSON.parse(JSON.stringify(richArrival())));
    expect(looked).toBe(afterFirst);
  });

  it('parseFrame with the fast path gives what it gives without it, error text included', () => {
    const parser = fastParser(HqToDesk);
    const rng = new Prng(SEED + 1);
    const texts = [JSON.stringify(richArrival()), '{"t":"ev"}', 'not json', JSON.stringify({ ...richArrival(), seq: -1 }), 'x'.repeat(MAX_FRAME_BYTES + 1), '{"t":"head","epoch":"e","seq":"\\u0000"}'];
    for (let i = 0; i < 60; i++) texts.push(mutate(richArrival(i + 1), rng, { hugeBytes: 3000 }).text);
    for (const text of texts) expect(parseFrame(HqToDesk, text, parser)).toEqual(parseFrame(HqToDesk, text));
  });
});
