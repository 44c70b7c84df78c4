// The parts of a member's header the member card and the member page share: the avatar, the name
// line (the English name beside it when it differs), and the sizes box.
import type { Member } from '../../../shared/domain.ts';
import { initials } from '../format.ts';
import { useT } from '../i18n/useT.ts';

type Who = Pick<Member, 'name' | 'nameEn' | 'tier'>;

export function MemberAvatar({ member: m }: { member: Who }) {
  return (
    <div className={`avatar avatar-${m.tier}`} aria-hidden="true">
      {initials(m.name, m.nameEn)}
    </div>
  );
}

export function MemberNameLine({ member: m }: { member: Who }) {
  return (
    <p className="member-name">
      <bdi>{m.name}</bdi>
      {m.nameEn && m.nameEn !== m.name && <bdi className="member-name-en">{m.nameEn}</bdi>}
    </p>
  );
}

export function MemberSizes({ sizes }: { sizes: Member['sizes'] }) {
  const t = useT();
  return (
    <dl className="sizes" aria-label={t('member.sizes')}>
      <div>
        <dt>{t('member.sizes')}</dt>
        <dd className="size-eu">{t('member.sizeEu', { n: sizes.eu })}</dd>
        <dd className="size-cn">{t('member.sizeCn', { n: sizes.cn })}</dd>
      </div>
    </dl>
  );
}
