// 7/8 assistant: the banner over a conversation the member-side assistant handed to the clerks and
// no clerk has answered yet — why (the member asked, or the assistant could not answer), the
// member's question, and how many answers the assistant gave (their texts are in the thread,
// labelled). It goes when a clerk's message settles the hand-over at HQ.
import { useT } from '../i18n/useT.ts';
import { useChat } from '../state/StoresProvider.tsx';

export function HandoverBanner({ memberId }: { memberId: string }) {
  const t = useT();
  const handover = useChat((s) => (s.page?.memberId === memberId ? (s.page.handover ?? null) : null));
  if (!handover) return null;
  const assistantReplies = Math.max(0, handover.answered.length - 1);
  return (
    <div className="assist-banner" role="status" data-testid="handover-banner" data-reason={handover.reason}>
      <strong>
        {t('assist.banner')} · {t(handover.reason === 'asked' ? 'assist.reason.asked' : 'assist.reason.unsure')}
      </strong>
      <p className="assist-question">
        {t('assist.question')}
        <bdi>{handover.question}</bdi>
      </p>
      <p className="muted">{assistantReplies > 0 ? t('assist.answeredBefore', { n: assistantReplies }) : t('assist.answerHint')}</p>
    </div>
  );
}
