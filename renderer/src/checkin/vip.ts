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

/** The desk's time zone: the counter runs on the store's clock. */
export const deskTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Days to the member's birthday when it is in the birthday week (0 = today), else null. */
export function birthdayDays(birthday: string | null | undefined, now: number): number | null {
  return birthdayWeek(birthday, now, deskTimeZone());
}
