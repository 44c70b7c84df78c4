import type { Tier } from '../../../shared/domain.ts';
import { useT } from '../i18n/useT.ts';

export function TierBadge({ tier }: { tier: Tier }) {
  const t = useT();
  return <span className={`tier tier-${tier}`}>{t(`tier.${tier}`)}</span>;
}
