// Expected visits (5/8) on screen: the arrival card's cue — "来试穿 X（来自 Y 群）/ Came to try X
// (from group Y)" and the pair held for it — the queue row's chip, and the Today pane's
// "Expected today" list (member, what, where from, where it stands).
import type { ExpectedVisit } from '../../../shared/expected.ts';
import type { HoldView } from '../../../shared/holds.ts';
import { colorName, formatDate, formatTime } from '../format.ts';
import type { Translate } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useHolds, useStores } from '../state/StoresProvider.tsx';
import { TierBadge } from '../components/TierBadge.tsx';
import { useExpected } from './expectedStore.ts';
import './expected.css';

/** What they come for: "Style · EU 38", the style alone, or just coming in. */
export function expectedWhat(t: Translate, e: ExpectedVisit): string | null {
  if (!e.styleName) return null;
  return e.size === null ? e.styleName : t('expected.what', { style: e.styleName, size: e.size });
}

/** Where it came from: a group's or a live room's title when HQ gave one, else the kind. */
export function sourceText(t: Translate, e: ExpectedVisit): string {
  const { kind, title } = e.source;
  if (kind === 'group') return title ? t('expected.from.group', { title }) : t('expected.from.groupUnnamed');
  if (kind === 'live') return title ? t('expected.from.live', { title }) : t('expected.from.liveUnnamed');
  return t(`expected.from.${kind}`);
}

/** The whole cue in one line: "来试穿 Cloud Runner · 38 码（来自 跑步群 群）". */
export function cueText(t: Translate, e: ExpectedVisit): string {
  const what = expectedWhat(t, e);
  const cue = what ? t('expected.cue', { what }) : t('expected.cueJust');
  return t('expected.cueWithSource', { cue, source: sourceText(t, e) });
}

function useHoldOf(e: ExpectedVisit): HoldView | null {
  const holds = useHolds((s) => s.holds);
  return e.holdId ? (holds.find((h) => h.id === e.holdId) ?? null) : null;
}

/** The arrival card's cue: what they came to try and from where, and the pair held for them. */
export function ExpectedCue({ expected }: { expected: ExpectedVisit }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const hold = useHoldOf(expected);
  return (
    <div className="expected-cue" role="note" data-expected-id={expected.id} data-source={expected.source.kind}>
      <span className="expected-cue-icon" aria-hidden="true">
        ★
      </span>
      <div className="expected-cue-body">
        <p className="expected-cue-text">
          <bdi>{cueText(t, expected)}</bdi>
        </p>
        {hold && hold.status === 'active' && (
          <p className="expected-cue-hold" data-hold-id={hold.id}>
            {t('expected.hold', {
              line: t('holds.line', { style: hold.styleName, color: colorName(t, hold.color, hold.colorName), size: hold.size }),
              date: formatDate(hold.until, locale),
            })}
          </p>
        )}
      </div>
    </div>
  );
}

/** The queue row's chip: the member came because they said so (the full cue as its title). */
export function ExpectedChip({ expected }: { expected: ExpectedVisit }) {
  const t = useT();
  return (
    <span className="expected-chip" title={cueText(t, expected)} data-expected-id={expected.id}>
      {t('expected.chip')}
    </span>
  );
}

/** The Today pane's "Expected today": open ones first (soonest first), then those settled today. */
export function ExpectedTodayList({ onOpenMember }: { onOpenMember?: () => void }) {
  const t = useT();
  const list = useExpected((s) => s.list);
  return (
    <section className="expected-today" aria-labelledby="expected-today-title">
      <h3 id="expected-today-title">
        {t('expected.title')} <span className="today-count">{list.length}</span>
      </h3>
      {list.length === 0 ? (
        <p className="empty expected-empty">{t('expected.empty')}</p>
      ) : (
        <ul className="expected-list">
          {list.map((e) => (
            <ExpectedRow key={e.id} expected={e} onOpenMember={onOpenMember} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ExpectedRow({ expected: e, onOpenMember }: { expected: ExpectedVisit; onOpenMember?: () => void }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const { openMember } = useStores().desk.getState();
  const hold = useHoldOf(e);
  const what = expectedWhat(t, e);
  const when = e.status === 'arrived' && e.arrivedAt !== null ? t('expected.arrivedAt', { time: formatTime(e.arrivedAt, locale) }) : e.status === 'expected' ? t('expected.until', { date: formatDate(e.until, locale) }) : null;
  return (
    <li className={`expected-row expected-${e.status}`} data-expected-id={e.id} data-status={e.status}>
      <div className="expected-row-head">
        <button
          type="button"
          className="link today-member"
          onClick={() => {
            openMember(e.member.id);
            onOpenMember?.();
          }}
        >
          <bdi>{e.member.name}</bdi>
        </button>
        <TierBadge tier={e.member.tier} />
        <span className={`expected-status expected-status-${e.status}`}>{t(`expected.status.${e.status}`)}</span>
      </div>
      <p className="expected-row-what">
        <bdi>{what ?? t('expected.justComing')}</bdi>
        {hold && hold.status === 'active' && <span className="expected-row-held">{t('expected.held')}</span>}
      </p>
      <p className="today-meta">
        <span className="expected-source">{sourceText(t, e)}</span>
        {when && <span>{when}</span>}
      </p>
    </li>
  );
}
