// Restock matches (7/8) in the clerk's words: why a member matches — "偏好跑步 / likes running" for a
// stated preference, "买过跑鞋 / bought running shoes" for a purchase — and whether a follow-up task
// is one a restock match set (its size is in store now, so it must not read "call when it arrives").
// Pure: the catalogs carry the words, one set for a liked category and one for shoes bought, because
// "买过" + a category + "鞋" doubles the 鞋 of 童鞋 and "likes kids" says something else in English.
import type { RestockMatchMember } from '../../../shared/assist.ts';
import type { RestockMatchView, RestockMemberView } from '../../../shared/deskApi.ts';
import type { Category } from '../../../shared/domain.ts';
import { actorName, formatWhen } from '../format.ts';
import type { Translate } from '../i18n/index.ts';

/** Why the member is in the match, in one short phrase. */
export function restockWhy(t: Translate, why: RestockMatchMember['why'], category: Category): string {
  return why === 'preference'
    ? t('restock.why.preference', { category: t(`restock.category.${category}`) })
    : t('restock.why.bought', { shoes: t(`restock.shoes.${category}`) });
}

/**
 * Who did it and when, under the state ("王芳 · 15:42"): the list is the whole store's, so a clerk
 * sees a colleague already reached the member. Null while it waits for HQ (no one recorded it yet).
 */
export function restockDoneBy(done: RestockMemberView['done'], now: number, locale: string): string | null {
  if (!done || done.pending) return null;
  const when = formatWhen(done.at, now, locale);
  const name = actorName(done.by);
  return name ? `${name} · ${when}` : when;
}

/**
 * Whether a call-back task waiting for a size is the follow-up a restock match set for its member:
 * that size has arrived, so the task is worded as HQ's own restock task ("…到货了：致电").
 */
export function isRestockFollowUp(
  task: { kind: string; memberId: string | null; want: { styleId: string; size: number } | null },
  matches: readonly Pick<RestockMatchView, 'styleId' | 'size' | 'members'>[],
): boolean {
  const want = task.want;
  if (task.kind !== 'call_back' || !want || !task.memberId) return false;
  return matches.some((m) => m.styleId === want.styleId && m.size === want.size && m.members.some((x) => x.memberId === task.memberId && x.done?.how === 'task'));
}
