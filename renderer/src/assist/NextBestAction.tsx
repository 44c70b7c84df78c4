// The arrival card's "下一步 / Next best action" (7/8): what a clerk reads in the three seconds of
// greeting a member — their size and last purchase, up to 3 styles in stock in their size, at most
// one add-on with its reason as a sentence, the cues (birthday week, a pair held, long absent) — and
// "用上了 / Used", "不相关 / Not relevant" on each suggestion (the `suggest.mark` command, shown
// pending at once, as any queued action). A member who opted out of personalised suggestions gets
// this store's best sellers instead, with a notice and a size for this visit that is never saved
// (nextAction.ts says what that rules out).
import { useEffect, useId, useState } from 'react';
import type { MarkVerdict, SuggestionRole } from '../../../shared/assist.ts';
import type { MemberView, VisitView } from '../../../shared/deskApi.ts';
import type { AddOn, NextBestAction as Next } from '../../../shared/domain.ts';
import { formatReasons } from '../../../shared/reasons.ts';
import { BirthdayFlag } from '../checkin/VipCues.tsx';
import { deskTimeZone } from '../checkin/vip.ts';
import { StockSizes } from '../components/Recommendations.tsx';
import { SyncMark } from '../components/SyncMark.tsx';
import { colorName, formatPrice } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { StylePicture } from '../pictures/StylePicture.tsx';
import { useDesk } from '../state/StoresProvider.tsx';
import { markOf, useMarks } from './marksStore.ts';
import { addOnSentence, cardStyles, cueText, isPersonalized, lastPurchaseText, parseVisitSize, publicReasons } from './nextAction.ts';
import './assist.css';

export function NextBestAction({ profile, visit }: { profile: MemberView; visit: VisitView | null }) {
  const next = profile.next;
  // Profiles from before 7/8 carry none: the card stays as it was. Keyed by member: the visit size
  // typed for one member never carries over to the next.
  if (!next) return null;
  return <NextBlock key={profile.member.id} profile={profile} next={next} visit={visit} />;
}

function NextBlock({ profile, next, visit }: { profile: MemberView; next: Next; visit: VisitView | null }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const now = useDesk((s) => s.now);
  const ownStoreId = useDesk((s) => s.identity?.storeId ?? null);
  const load = useMarks((s) => s.load);
  const titleId = useId();
  const sizeId = useId();
  const [sizeText, setSizeText] = useState('');
  const m = profile.member;
  const personalized = isPersonalized(profile);
  const visitSize = personalized ? null : parseVisitSize(sizeText);
  const styles = cardStyles(next, profile.recommendations, visitSize);
  const addOn = personalized ? next.addOn : null;
  // The size the stock is shown around: the member's, or (not personalised) the one given for this visit.
  const stockSize = personalized ? m.sizes.eu : (visitSize ?? m.sizes.eu);
  const visitId = visit?.id ?? null;

  useEffect(() => {
    if (visitId) void load(visitId);
  }, [visitId, load]);

  return (
    <section className="nba" aria-labelledby={titleId} data-nba={personalized ? 'personalized' : 'popular'}>
      <div className="nba-top">
        <h3 id={titleId}>{t('assist.title')}</h3>
        <span className="nba-size" data-size={m.sizes.eu}>
          {t('assist.sizeLine', { eu: m.sizes.eu, cn: m.sizes.cn })}
        </span>
        {next.lastPurchase && (
          <span className="nba-last" data-style-id={next.lastPurchase.styleId}>
            <span className="muted">{t('assist.last.label')}</span> <bdi>{lastPurchaseText(t, next.lastPurchase, ownStoreId, Math.max(now, Date.now()), deskTimeZone(), locale)}</bdi>
          </span>
        )}
      </div>

      <Cues next={next} birthday={m.birthday} />

      {!personalized && (
        <div className="nba-optout" data-optout="true">
          <p>{t('assist.optout')}</p>
          <label htmlFor={sizeId}>{t('assist.visitSize')}</label>
          <input
            id={sizeId}
            className="nba-visit-size"
            inputMode="decimal"
            autoComplete="off"
            placeholder={t('assist.visitSizeHint')}
            value={sizeText}
            onChange={(e) => setSizeText(e.target.value)}
            aria-invalid={sizeText.trim() !== '' && visitSize === null}
          />
          {sizeText.trim() !== '' && visitSize === null && <span className="nba-size-bad">{t('assist.visitSizeBad')}</span>}
        </div>
      )}

      {styles.length === 0 ? (
        <p className="muted nba-none">{visitSize !== null ? t('assist.noneInSize', { size: visitSize }) : t('assist.noStyles')}</p>
      ) : (
        <ul className="nba-styles">
          {styles.map((r) => (
            <li key={r.styleId} className="nba-style" data-style-id={r.styleId}>
              <StylePicture image={r.image} category={r.category} name={r.name} size="thumb" />
              <div className="nba-style-main">
                <p className="nba-style-head">
                  <bdi className="nba-style-name">{r.name}</bdi>
                  <span className="nba-price">{formatPrice(r.price, locale)}</span>
                </p>
                <p className="nba-style-why muted">
                  {formatReasons(personalized ? r.reasons : publicReasons(r.reasons), locale)}
                  {r.colors.length > 0 && ` · ${r.colors.map((c) => colorName(t, c.code, c.name)).join(', ')}`}
                </p>
                <StockSizes r={r} memberSize={stockSize} />
              </div>
              {visitId && <MarkButtons visitId={visitId} styleId={r.styleId} role="style" />}
            </li>
          ))}
        </ul>
      )}

      {addOn && <AddOnRow addOn={addOn} visitId={visitId} />}
    </section>
  );
}

/** The birthday week (worked out here, in the store's zone), a pair held for them, a long absence. */
function Cues({ next, birthday }: { next: Next; birthday: string | null | undefined }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  return (
    <div className="nba-cues">
      <BirthdayFlag birthday={birthday} />
      {next.cues.map((c) => (
        <span key={c.code === 'hold_waiting' ? c.holdId : c.code} className={`nba-cue nba-cue-${c.code}`} data-cue={c.code}>
          {cueText(t, c, locale)}
        </span>
      ))}
    </div>
  );
}

function AddOnRow({ addOn, visitId }: { addOn: AddOn; visitId: string | null }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  return (
    <div className="nba-addon" data-style-id={addOn.styleId} data-addon={addOn.kind}>
      <StylePicture image={addOn.image} category={addOn.reason.category} name={addOn.name} size="thumb" />
      <div className="nba-style-main">
        <p className="nba-addon-label">{t(`assist.addon.kind.${addOn.kind}`)}</p>
        <p className="nba-addon-sentence">{addOnSentence(t, addOn, locale)}</p>
        {addOn.size !== null && <p className="muted nba-addon-size">{t('assist.addon.size', { size: addOn.size })}</p>}
      </div>
      {visitId && <MarkButtons visitId={visitId} styleId={addOn.styleId} role="addon" />}
    </div>
  );
}

/** "用上了 / Used" and "不相关 / Not relevant": the verdict shown pressed, pending or refused beside it. */
function MarkButtons({ visitId, styleId, role }: { visitId: string; styleId: string; role: SuggestionRole }) {
  const t = useT();
  const mark = useMarks((s) => markOf(s.byVisit[visitId], styleId));
  const failed = useMarks((s) => s.failed[visitId] ?? null);
  const act = useMarks((s) => s.mark);
  const verdict = mark && mark.sync !== 'rejected' ? mark.verdict : null;
  const button = (v: MarkVerdict, label: string) => (
    <button type="button" className="btn btn-small nba-mark" data-verdict={v} aria-pressed={verdict === v} onClick={() => void act(visitId, styleId, role, v)}>
      {label}
    </button>
  );
  return (
    <div className="nba-marks" role="group" aria-label={t('assist.mark.label')} data-mark={verdict ?? 'none'} data-sync={mark?.sync ?? 'none'}>
      {button('used', t('assist.mark.used'))}
      {button('not_relevant', t('assist.mark.notRelevant'))}
      {mark && <SyncMark sync={mark.sync} rejection={mark.rejection} />}
      {failed && !mark && <span className="sync sync-rejected">{t('assist.markFailed', { message: failed })}</span>}
    </div>
  );
}
