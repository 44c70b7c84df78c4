// Pins the next best action's rules (hq/app/assist/nextBest.ts) on a small hand-made catalog: each
// add-on rule in its order, kinds bought lately skipped, sizes and stock, the tie-break, consent, cues.
import { describe, expect, it } from 'vitest';
import { type Category, LONG_ABSENT_DAYS, NextBestAction, type Purchase, type StockLine, type Style } from '../../shared/domain.ts';
import { nextBestAction, type NextBestInput } from '../../hq/app/assist/nextBest.ts';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.UTC(2025, 10, 20, 12);

const shoe = (id: string, category: Category): Style => ({
  id,
  name: `Shoe ${id}`,
  category,
  price: 59900,
  colors: [{ code: 'BLK', name: 'Black' }],
  sizes: [38, 39, 40],
  releasedAt: now - 100 * DAY,
});
const acc = (id: string, kind: 'socks' | 'insoles' | 'care', goesWith: Category[] | undefined, price: number, category: Category = 'running'): Style => ({
  id,
  name: `Acc ${id}`,
  category,
  price,
  colors: [
    { code: 'GRY', name: 'Grey' },
    { code: 'WHT', name: 'White' },
  ],
  sizes: [38, 39, 40],
  releasedAt: now - 100 * DAY,
  kind,
  ...(goesWith ? { goesWith } : {}),
});
const line = (styleId: string, size: number, qty = 3, color = 'GRY', storeId = 'here'): StockLine => ({ storeId, styleId, color, size, qty });
const bought = (styleId: string, category: Category, daysAgo: number, storeId = 'there'): Purchase => ({
  id: `p-${styleId}-${daysAgo}`,
  memberId: 'm1',
  styleId,
  styleName: `Shoe ${styleId}`,
  category,
  color: 'BLK',
  size: 39,
  storeId,
  at: now - daysAgo * DAY,
  price: 59900,
});

const styles: Style[] = [
  shoe('run-1', 'running'),
  shoe('bb-1', 'basketball'),
  shoe('retro-1', 'retro'),
  acc('socks-run', 'socks', ['running'], 3900),
  acc('socks-bb', 'socks', ['basketball'], 4900, 'basketball'),
  acc('insoles', 'insoles', ['running', 'basketball'], 12900),
  acc('care-kit', 'care', ['casual', 'retro'], 9900, 'casual'),
];
const stock: StockLine[] = [
  line('socks-run', 39),
  line('socks-bb', 39),
  line('insoles', 39),
  line('care-kit', 38), // any size will do for a care kit
];

const base: NextBestInput = {
  member: { id: 'm1', consents: { marketing: false, personalization: true, contact: false }, preferences: [], sizes: { eu: 39, cn: 245 }, joinedAt: now - 400 * DAY },
  purchases: [],
  recommendations: [],
  styles,
  storeId: 'here',
  stock,
  holds: [],
  lastSeenAt: now - 10 * DAY,
  now,
};
const withInput = (over: Partial<NextBestInput>): NextBestInput => ({ ...base, ...over });

describe('nextBestAction: the add-on', () => {
  it('(a) goes with a shoe bought in the last 60 days, newest first, and says so', () => {
    const action = nextBestAction(withInput({ purchases: [bought('run-1', 'running', 40), bought('bb-1', 'basketball', 21)] }));
    expect(NextBestAction.parse(action)).toEqual(action);
    expect(action.addOn).toEqual({
      styleId: 'socks-bb',
      name: 'Acc socks-bb',
      kind: 'socks',
      price: 4900,
      size: 39,
      reason: { code: 'bought_recently', category: 'basketball', styleName: 'Shoe bb-1', days: 21 },
    });
    expect(action.lastPurchase).toEqual({ styleId: 'bb-1', styleName: 'Shoe bb-1', category: 'basketball', size: 39, at: now - 21 * DAY, storeId: 'there' });
  });

  it('(a) takes the cheaper of two matching accessories, then the smaller id', () => {
    // Running: socks-run (39.00) and insoles (129.00) both go with it.
    expect(nextBestAction(withInput({ purchases: [bought('run-1', 'running', 3)] })).addOn?.styleId).toBe('socks-run');
    const twin = { ...acc('a-socks-twin', 'socks', ['running'], 3900) };
    const action = nextBestAction(withInput({ purchases: [bought('run-1', 'running', 3)], styles: [...styles, twin], stock: [...stock, line('a-socks-twin', 39)] }));
    expect(action.addOn?.styleId).toBe('a-socks-twin');
  });

  it('(b) without a recent shoe, goes with the first style suggested today', () => {
    const action = nextBestAction(
      withInput({
        purchases: [bought('bb-1', 'basketball', 61)], // too long ago for rule (a)
        recommendations: [{ styleId: 'retro-1', name: 'Shoe retro-1', category: 'retro' }, { styleId: 'run-1', name: 'Shoe run-1', category: 'running' }],
      }),
    );
    expect(action.addOn).toMatchObject({ styleId: 'care-kit', kind: 'care', size: null, reason: { code: 'goes_with_suggestion', category: 'retro', styleName: 'Shoe retro-1' } });
    expect(action.styles).toEqual(['retro-1', 'run-1']);
  });

  it('(c) else a category the member likes, in their order; an accessory without goesWith goes with its own category', () => {
    const own = acc('plain-socks', 'socks', undefined, 1000, 'kids');
    const action = nextBestAction(
      withInput({ member: { ...base.member, preferences: ['kids', 'running'] }, styles: [...styles, own], stock: [...stock, line('plain-socks', 39)] }),
    );
    expect(action.addOn).toMatchObject({ styleId: 'plain-socks', reason: { code: 'likes_category', category: 'kids' } });
  });

  it('skips kinds bought in the last 90 days, and falls through to the next accessory or rule', () => {
    const purchases = [bought('run-1', 'running', 5), { ...bought('socks-bb', 'basketball', 80), styleName: 'Acc socks-bb' }];
    // Socks bought 80 days ago: no socks; running goes on to the insoles.
    expect(nextBestAction(withInput({ purchases })).addOn).toMatchObject({ styleId: 'insoles', kind: 'insoles', reason: { code: 'bought_recently', category: 'running' } });
    // Bought 91 days ago: socks are offered again.
    const older = [bought('run-1', 'running', 5), { ...bought('socks-bb', 'basketball', 91) }];
    expect(nextBestAction(withInput({ purchases: older })).addOn?.styleId).toBe('socks-run');
    // An accessory purchase is not a shoe for rule (a): socks bought 10 days ago (basketball) do not make basketball socks the add-on.
    const accOnly = [bought('socks-bb', 'basketball', 10)];
    expect(nextBestAction(withInput({ purchases: accOnly, member: { ...base.member, preferences: ['basketball'] } })).addOn).toMatchObject({
      styleId: 'insoles',
      reason: { code: 'likes_category', category: 'basketball' },
    });
  });

  it('needs stock at this store in the member’s size for socks and insoles; any stock for care', () => {
    const size41 = { ...base.member, sizes: { eu: 41, cn: 255 } };
    const action = nextBestAction(withInput({ member: size41, purchases: [bought('run-1', 'running', 3)] }));
    expect(action.addOn).toBeNull(); // nothing running-ish in 41
    const retro = nextBestAction(withInput({ member: size41, purchases: [bought('retro-1', 'retro', 3)] }));
    expect(retro.addOn).toMatchObject({ styleId: 'care-kit', size: null });
    // Stock in another store or at zero does not count.
    const elsewhere = [line('socks-run', 39, 5, 'GRY', 'there'), line('insoles', 39, 0)];
    expect(nextBestAction(withInput({ stock: elsewhere, purchases: [bought('run-1', 'running', 3)] })).addOn).toBeNull();
  });

  it('no add-on when nothing matches', () => {
    expect(nextBestAction(withInput({ purchases: [bought('kid', 'kids', 3)] })).addOn).toBeNull();
  });

  it('the add-on carries its picture when pictures are given: that of its first colourway in stock', () => {
    const ref = (c: string) => ({ id: c.repeat(64), mime: 'image/png' as const, bytes: 10 });
    const images = new Map([['socks-run', new Map([['', ref('d')], ['GRY', ref('a')]])]]);
    const action = nextBestAction(withInput({ purchases: [bought('run-1', 'running', 3)], images }));
    expect(action.addOn?.image?.id).toBe('a'.repeat(64));
  });
});

describe('nextBestAction: consent', () => {
  it('without personalisation consent: personalized false and no add-on, whatever was bought or liked', () => {
    const action = nextBestAction(
      withInput({
        member: { ...base.member, consents: { marketing: true, personalization: false, contact: true }, preferences: ['running'] },
        purchases: [bought('run-1', 'running', 3)],
        recommendations: [{ styleId: 'bb-1', name: 'Shoe bb-1', category: 'basketball' }],
      }),
    );
    expect(action.personalized).toBe(false);
    expect(action.addOn).toBeNull();
    expect(action.styles).toEqual(['bb-1']);
  });
});

describe('nextBestAction: styles and cues', () => {
  it('lists the first three suggestions in order', () => {
    const recs = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ styleId: id, name: id, category: 'running' as const }));
    expect(nextBestAction(withInput({ recommendations: recs })).styles).toEqual(['a', 'b', 'c']);
  });

  it('hold_waiting for this member’s active holds at this store still running, soonest end first, at most 3', () => {
    const hold = (id: string, untilDays: number, over: Record<string, unknown> = {}) => ({
      id,
      storeId: 'here',
      member: { id: 'm1', name: 'M', tier: 'basic' as const },
      styleName: `Style ${id}`,
      size: 39,
      until: now + untilDays * DAY,
      status: 'active' as const,
      ...over,
    });
    const holds = [
      hold('h4', 4),
      hold('h1', 1),
      hold('other-store', 0.5, { storeId: 'there' }),
      hold('released', 0.5, { status: 'released' }),
      hold('past', -0.1), // not swept yet, but over
      hold('h2', 2),
      hold('h3', 3),
    ];
    const cues = nextBestAction(withInput({ holds })).cues;
    expect(cues).toEqual([
      { code: 'hold_waiting', holdId: 'h1', styleName: 'Style h1', size: 39, until: now + 1 * DAY },
      { code: 'hold_waiting', holdId: 'h2', styleName: 'Style h2', size: 39, until: now + 2 * DAY },
      { code: 'hold_waiting', holdId: 'h3', styleName: 'Style h3', size: 39, until: now + 3 * DAY },
    ]);
  });

  it('long_absent from the last time seen anywhere, or from joining when never seen', () => {
    expect(nextBestAction(withInput({ lastSeenAt: now - (LONG_ABSENT_DAYS - 1) * DAY })).cues).toEqual([]);
    expect(nextBestAction(withInput({ lastSeenAt: now - LONG_ABSENT_DAYS * DAY })).cues).toEqual([{ code: 'long_absent', days: LONG_ABSENT_DAYS }]);
    expect(nextBestAction(withInput({ lastSeenAt: null })).cues).toEqual([{ code: 'long_absent', days: 400 }]);
    expect(nextBestAction(withInput({ lastSeenAt: null, member: { ...base.member, joinedAt: now - 5 * DAY } })).cues).toEqual([]);
  });

  it('a purchase counts as being seen: a till sale without a recorded visit is no long absence', () => {
    expect(nextBestAction(withInput({ lastSeenAt: null, purchases: [bought('run-1', 'running', 13)] })).cues).toEqual([]);
    expect(nextBestAction(withInput({ lastSeenAt: now - 300 * DAY, purchases: [bought('run-1', 'running', 120)] })).cues).toEqual([{ code: 'long_absent', days: 120 }]);
  });

  it('is deterministic: the same inputs in any order give the same action', () => {
    const input = withInput({
      purchases: [bought('run-1', 'running', 3), bought('bb-1', 'basketball', 3)],
      member: { ...base.member, preferences: ['retro'] },
      recommendations: [{ styleId: 'retro-1', name: 'Shoe retro-1', category: 'retro' }],
    });
    const a = nextBestAction(input);
    const b = nextBestAction({ ...input, purchases: [...input.purchases].reverse(), styles: [...styles].reverse(), stock: [...stock].reverse() });
    expect(b).toEqual(a);
    // Two shoes bought the same moment: the smaller style id first (bb-1) → basketball socks.
    expect(a.addOn?.styleId).toBe('socks-bb');
    expect(a.lastPurchase?.styleId).toBe('bb-1');
  });
});
