// A store's own rules HQ applies to its visits: when an unclaimed arrival stops waiting and counts
// as left unserved. Pure: the schema, and the times it implies (HQ's sweep and its tests use them).
//
// Invariant: a visit still open (nobody claimed it) whose member was last seen before
// `unservedCutoff(settings, now)` is left unserved; HQ records it as closed with outcome `left` at
// `leftAt(...)`, which is never after `now` and never before the member was last seen.
import { z } from 'zod';
import { ClockTime } from './settings.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const StoreSettings = z
  .object({
    /** Minutes after the member was last seen before a visit nobody claimed counts as left unserved. */
    unservedAfterMin: z.number().int().min(5).max(24 * 60).default(120),
    /** The store's local closing time, "HH:MM": a visit nobody claimed by then is left unserved. null: none. */
    closesAt: ClockTime.nullable().default(null),
    /** The store's fixed offset from UTC in minutes (480 = China), for the closing time. */
    utcOffsetMin: z.number().int().min(-720).max(840).default(480),
    // 7/8 assistant
    /** The store's local opening time, "HH:MM" (what the member-side assistant tells a member). null: not set. */
    opensAt: ClockTime.nullable().default(null),
    /** Whether the member-side assistant answers members in this store's chat (default on). */
    assistant: z.boolean().default(true),
  })
  .strict();
export type StoreSettings = z.infer<typeof StoreSettings>;
export type StoreSettingsInput = z.input<typeof StoreSettings>;

export const DEFAULT_STORE_SETTINGS: StoreSettings = StoreSettings.parse({});

/** Settings as stored (JSON text, possibly written by an older HQ): unknown or bad values fall back to the defaults. */
export function storeSettingsFromJson(json: string | null | undefined): StoreSettings {
  if (!json) return DEFAULT_STORE_SETTINGS;
  try {
    const parsed = StoreSettings.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : DEFAULT_STORE_SETTINGS;
  } catch {
    return DEFAULT_STORE_SETTINGS;
  }
}

/** The latest closing time at or before `t` (epoch ms), or -Infinity when the store sets none. */
export function closingAtOrBefore(s: StoreSettings, t: number): number {
  if (s.closesAt === null) return Number.NEGATIVE_INFINITY;
  const [h, m] = s.closesAt.split(':').map(Number) as [number, number];
  const offset = s.utcOffsetMin * MINUTE_MS;
  const local = t + offset;
  let closing = Math.floor(local / DAY_MS) * DAY_MS + (h * 60 + m) * MINUTE_MS;
  if (closing > local) closing -= DAY_MS;
  return closing - offset;
}

/** Visits nobody claimed whose member was last seen before this instant are left unserved at `now`. */
export function unservedCutoff(s: StoreSettings, now: number): number {
  return Math.max(now - s.unservedAfterMin * MINUTE_MS, closingAtOrBefore(s, now));
}

/** When a visit last seen at `lastSeenAt` became left unserved: its wait ran out, or the store closed — never after `now`. */
export function leftAt(s: StoreSettings, lastSeenAt: number, now: number): number {
  const nextClosing = s.closesAt === null ? Number.POSITIVE_INFINITY : closingAtOrBefore(s, lastSeenAt) + DAY_MS;
  return Math.max(lastSeenAt, Math.min(lastSeenAt + s.unservedAfterMin * MINUTE_MS, nextClosing, now));
}
