// VIP cues (4/8 part A): the VIP badge of a Gold or Platinum arrival and the birthday-week flag.
import type { Tier } from '../../../shared/domain.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk } from '../state/StoresProvider.tsx';
import { birthdayDays, vipTier } from './vip.ts';

export function VipBadge({ tier }: { tier: Tier }) {
  const t = useT();
  const vip = vipTier(tier);
  if (!vip) return null;
  return (
    <span className={`vip-badge vip-badge-${vip}`} data-vip={vip}>
      {t(`vip.${vip}`)}
    </span>
  );
}

export function BirthdayFlag({ birthday }: { birthday: string | null | undefined }) {
  const t = useT();
  const now = useDesk((s) => s.now);
  const days = birthdayDays(birthday, now);
  if (days === null) return null;
  const title = days === 0 ? t('birthday.today') : t('birthday.inDays', { n: days });
  return (
    <span className="birthday-flag" data-days={days} title={title}>
      {t('birthday.week')}
    </span>
  );
}
