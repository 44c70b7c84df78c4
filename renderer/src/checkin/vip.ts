// VIP cues (4/8 part A): Platinum and Gold members look and sound different on arrival, and a
// birthday week is flagged. Pure helpers the queue, the member panel and the alert sound share.
import { birthdayWeek } from '../../../shared/birthday.ts';
import type { Tier } from '../../../shared/domain.ts';

export type VipTier = Extract<Tier, 'gold' | 'platinum'>;

export const vipTier = (tier: Tier): VipTier | null => (tier === 'gold' || tier === 'platinum' ? tier : null);

/** The arrival sound of a VIP tier (renderer/public/sounds, drawn by scripts/make-assets.ts), or null. */
export function vipSoundUrl(tier: Tier): string | null {
  const vip = vipTier(tier);
  return vip ? `./sounds/vip-${vip}.wav` : null;
}

/** How long the desk's time zone, once read, is used before it is read again (the PC's zone can be changed while the desk runs). */
const ZONE_READ_MS = 60_000;
let zone: { name: string; readAt: number } | null = null;

/**
 * The desk's time zone: the counter runs on the store's clock. Read from Intl at most once a
 * minute: every arrival row's birthday flag asks, each time it renders, and making a
 * DateTimeFormat to read the zone took ~0.2 ms in Chromium (the first one of a page ~30 ms) —
 * 64 ms of a cold start's page (docs/benchmarks.md, round 36).
 */
export function deskTimeZone(now = Date.now()): string {
  if (!zone || now - zone.readAt >= ZONE_READ_MS || now < zone.readAt) zone = { name: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', readAt: now };
  return zone.name;
}

/** Days to the member's birthday when it is in the birthday week (0 = today), else null. */
export function birthdayDays(birthday: string | null | undefined, now: number): number | null {
  return birthday ? birthdayWeek(birthday, now, deskTimeZone()) : null;
}
