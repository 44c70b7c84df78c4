// The pure rules behind claims: the action time HQ records (the desk's clock corrected by the
// offset of its hello, bounded to [floor, now]), when a waiting visit counts as left unserved
// (the store's wait, its closing time in its own zone), and who holds a claim (the clerk, not the counter).
import { describe, expect, it } from 'vitest';
import { boundedActionTime, clockOffset } from '../../hq/app/actionTime.ts';
import { holdsClaim } from '../../shared/actors.ts';
import { closingAtOrBefore, DEFAULT_STORE_SETTINGS, leftAt, StoreSettings, storeSettingsFromJson, unservedCutoff } from '../../shared/storeSettings.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('action time', () => {
  it('learns the offset from the desk’s clock in hello (0 without one)', () => {
    expect(clockOffset(1_000, 5_000)).toBe(4_000);
    expect(clockOffset(9_000, 5_000)).toBe(-4_000);
    expect(clockOffset(undefined, 5_000)).toBe(0);
  });

  it('corrects the desk’s time by the offset and keeps it within [floor, now]', () => {
    const now = 10 * HOUR;
    const floor = 9 * HOUR; // the visit's arrival
    // A desk an hour behind acted 5 minutes ago by its own clock.
    expect(boundedActionTime(now - HOUR - 5 * MIN, HOUR, now, floor)).toBe(now - 5 * MIN);
    // Before the arrival: the arrival. After HQ's now: now.
    expect(boundedActionTime(floor - 1, 0, now, floor)).toBe(floor);
    expect(boundedActionTime(0, 0, now, floor)).toBe(floor);
    expect(boundedActionTime(now + 1, 0, now, floor)).toBe(now);
    expect(boundedActionTime(Number.MAX_SAFE_INTEGER, 0, now, floor)).toBe(now);
    // A desk that sent no time (an older desk): when HQ applies it.
    expect(boundedActionTime(undefined, HOUR, now, floor)).toBe(now);
    // A floor after now (an arrival stamped ahead of HQ's clock) never puts the time in the future.
    expect(boundedActionTime(now - MIN, 0, now, now + HOUR)).toBe(now);
  });
});

describe('left unserved', () => {
  const at = (iso: string) => Date.parse(iso);

  it('defaults to a 2-hour wait and no closing time; bad stored settings fall back to the defaults', () => {
    expect(DEFAULT_STORE_SETTINGS).toEqual({ unservedAfterMin: 120, closesAt: null, utcOffsetMin: 480, opensAt: null, assistant: true });
    expect(storeSettingsFromJson(null)).toEqual(DEFAULT_STORE_SETTINGS);
    expect(storeSettingsFromJson('not json')).toEqual(DEFAULT_STORE_SETTINGS);
    expect(storeSettingsFromJson('{"unservedAfterMin": 1}')).toEqual(DEFAULT_STORE_SETTINGS);
    expect(storeSettingsFromJson('{"unservedAfterMin": 45, "closesAt": "21:30"}')).toEqual({ unservedAfterMin: 45, closesAt: '21:30', utcOffsetMin: 480, opensAt: null, assistant: true });
    expect(StoreSettings.safeParse({ closesAt: '25:00' }).success).toBe(false);
  });

  it('without a closing time: seen more than the wait ago', () => {
    const now = at('2026-03-02T06:00:00Z');
    expect(unservedCutoff(DEFAULT_STORE_SETTINGS, now)).toBe(now - 2 * HOUR);
    expect(closingAtOrBefore(DEFAULT_STORE_SETTINGS, now)).toBe(Number.NEGATIVE_INFINITY);
    const seen = now - 3 * HOUR;
    expect(leftAt(DEFAULT_STORE_SETTINGS, seen, now)).toBe(seen + 2 * HOUR);
    // Never after now (a sweep that runs late records when it could know, not a time to come).
    expect(leftAt(DEFAULT_STORE_SETTINGS, now - MIN, now)).toBe(now);
  });

  it('with a closing time in the store’s zone: every visit seen before the last closing', () => {
    // Shanghai (UTC+8) closes at 22:00 local = 14:00 UTC.
    const s: StoreSettings = { unservedAfterMin: 120, closesAt: '22:00', utcOffsetMin: 480, opensAt: null, assistant: true };
    expect(closingAtOrBefore(s, at('2026-03-02T14:00:00Z'))).toBe(at('2026-03-02T14:00:00Z'));
    expect(closingAtOrBefore(s, at('2026-03-02T13:59:59Z'))).toBe(at('2026-03-01T14:00:00Z'));
    expect(closingAtOrBefore(s, at('2026-03-02T20:00:00Z'))).toBe(at('2026-03-02T14:00:00Z')); // 04:00 next day, local
    // At 22:10 local, a member seen at 21:30 is left (30 minutes waiting, but the store closed).
    const now = at('2026-03-02T14:10:00Z');
    expect(unservedCutoff(s, now)).toBe(at('2026-03-02T14:00:00Z'));
    expect(leftAt(s, at('2026-03-02T13:30:00Z'), now)).toBe(at('2026-03-02T14:00:00Z'));
    // Seen at 19:00 local: the wait ran out first (21:00).
    expect(leftAt(s, at('2026-03-02T11:00:00Z'), now)).toBe(at('2026-03-02T13:00:00Z'));
    // A store in UTC−5 closing at 21:00 local = 02:00 UTC.
    const ny: StoreSettings = { unservedAfterMin: 60, closesAt: '21:00', utcOffsetMin: -300, opensAt: null, assistant: true };
    expect(closingAtOrBefore(ny, at('2026-03-03T01:00:00Z'))).toBe(at('2026-03-02T02:00:00Z'));
    expect(closingAtOrBefore(ny, at('2026-03-03T02:30:00Z'))).toBe(at('2026-03-03T02:00:00Z'));
  });
});

describe('who holds a claim', () => {
  const wangAt1 = { deviceId: 'd1', deviceName: 'Counter 1', clerkId: 'wang', clerkName: '王芳' };
  it('is the clerk who claimed, at the counter where they claimed', () => {
    expect(holdsClaim(wangAt1, { deviceId: 'd1', clerkId: 'wang' })).toBe(true);
    expect(holdsClaim(wangAt1, { deviceId: 'd1', clerkId: 'li' })).toBe(false); // after "Switch clerk"
    expect(holdsClaim(wangAt1, { deviceId: 'd1' })).toBe(false); // nobody signed in
    expect(holdsClaim(wangAt1, { deviceId: 'd2', clerkId: 'wang' })).toBe(false);
    expect(holdsClaim(null, { deviceId: 'd1', clerkId: 'wang' })).toBe(false);
  });
  it('is the counter for a claim made without a clerk', () => {
    const counter = { deviceId: 'd1', deviceName: 'Counter 1' };
    expect(holdsClaim(counter, { deviceId: 'd1' })).toBe(true);
    expect(holdsClaim(counter, { deviceId: 'd1', clerkId: 'li' })).toBe(true);
    expect(holdsClaim(counter, { deviceId: 'd2' })).toBe(false);
  });
});
