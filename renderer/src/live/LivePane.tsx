// The Live pane (6/8): the clerk bar's button (how many rooms are live now) and the host console it
// opens — the store's rooms (live, scheduled, ended) and the new-room form; for a room: its state
// controls (go live, end), the stream link and the viewers' link with its QR, the live viewer count
// and reactions, comments flowing (the newest 200) with delete and mute (by the author's per-room
// ref, which only host consoles get) at hand and the host's own comment, the question queue (answer
// on air / in writing / dismiss, mute the asker — the same choices), polls with live bars,
// the lottery (prize, who may win, winners, the audit link), the pin (a product of the catalog, a
// message), holds reserved from the room as they come in, and for an ended room the summary.
// Queued actions show as pending; a refusal says why until read.
import { useCallback, useEffect, useRef, useState } from 'react';
import { PaneDialog } from '../components/PaneDialog.tsx';
import type { LiveConsole, LiveMuteTarget, LivePollView, LiveRoomView } from '../../../shared/deskLive.ts';
import type { LiveLottery, ReactionKind } from '../../../shared/live.ts';
import { LIVE_COMMENT_MAX, LIVE_TEXT_MAX, LIVE_TITLE_MAX, POLL_OPTIONS_MAX } from '../../../shared/limits.ts';
import { formatDate, formatPrice, formatTime, rejectionText } from '../format.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useLive, useStores } from '../state/StoresProvider.tsx';
import { liveNow } from './liveStore.ts';
import './live.css';


export function LiveButton() {
  const t = useT();
  const n = useLive((s) => liveNow(s.rooms));
  const setPane = useStores().live.getState().setPane;
  return (
    <button type="button" className="btn btn-small live-button" data-action="open-live" aria-haspopup="dialog" onClick={() => setPane(true)}>
      {t('live.open')}
      {n > 0 && (
        <span className="live-dot" data-live={n} aria-label={t('live.liveNow', { n })}>
          {n}
        </span>
      )}
    </button>
  );
}

export function LivePane() {
  const t = useT();
  const open = useLive((s) => s.paneOpen);
  const setPane = useStores().live.getState().setPane;
  const close = useCallback(() => setPane(false), [setPane]);
  if (!open) return null;
  return (
    <PaneDialog name="live" title={t('live.title')} closeLabel={t('live.close')} onClose={close}>
      <RoomList />
      <Main />
    </PaneDialog>
  );
}

function useWhen() {
  const locale = useDesk((s) => s.locale);
  return (ms: number) => `${formatDate(ms, locale)} ${formatTime(ms, locale)}`;
}

function RoomList() {
  const t = useT();
  const rooms = useLive((s) => s.rooms);
  const selectedId = useLive((s) => s.selectedId);
  const creating = useLive((s) => s.creating);
  const { select, setCreating } = useStores().live.getState();
  const when = useWhen();
  return (
    <nav className="live-list" aria-label={t('live.rooms')}>
      <button type="button" className="btn btn-small btn-primary" data-action="new-room" aria-pressed={creating} onClick={() => setCreating(true)}>
        {t('live.new')}
      </button>
      {rooms.length === 0 && <p className="live-empty">{t('live.none')}</p>}
      <ul>
        {rooms.map((r) => (
          <li key={r.id}>
            <button type="button" className="live-room" data-room-id={r.id} data-state={r.state} aria-current={r.id === selectedId && !creating} onClick={() => void select(r.id)}>
              <span className={`live-state live-state-${r.state}`}>{t(`live.state.${r.state}`)}</span>
              <span className="live-room-title">{r.title}</span>
              <span className="live-room-when">{when(r.state === 'ended' ? (r.endedAt ?? r.scheduledAt) : r.state === 'live' ? (r.startedAt ?? r.scheduledAt) : r.scheduledAt)}</span>
              {r.sync && <span className={`live-sync live-sync-${r.sync}`}>{t(r.sync === 'pending' ? 'live.pending' : 'live.refused')}</span>}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Main() {
  const creating = useLive((s) => s.creating);
  const view = useLive((s) => s.console);
  const error = useLive((s) => s.error);
  const t = useT();
  const clearError = useStores().live.getState().clearError;
  return (
    <section className="live-main">
      {error && (
        <p className="live-error" role="alert">
          {error}{' '}
          <button type="button" className="btn btn-small" onClick={clearError}>
            {t('live.ok')}
          </button>
        </p>
      )}
      {creating ? <CreateForm /> : view ? <Console view={view} /> : null}
    </section>
  );
}

/** "2026-12-02T19:30" in the desk's (the store's) zone, for the datetime-local input. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function CreateForm() {
  const t = useT();
  const create = useStores().live.getState().create;
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [streamUrl, setStreamUrl] = useState('https://');
  const [when, setWhen] = useState(() => localInput(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000));
  return (
    <form
      className="live-form live-create"
      onSubmit={(e) => {
        e.preventDefault();
        const scheduledAt = new Date(when).getTime();
        void create({ title, description, streamUrl: streamUrl.trim(), scheduledAt: Number.isFinite(scheduledAt) ? scheduledAt : Date.now() });
      }}
    >
      <h3>{t('live.newTitle')}</h3>
      <label>
        {t('live.field.title')}
        <input name="title" required maxLength={LIVE_TITLE_MAX} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        {t('live.field.description')}
        <textarea name="description" maxLength={LIVE_TEXT_MAX} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        {t('live.field.stream')}
        <input name="streamUrl" type="url" required value={streamUrl} onChange={(e) => setStreamUrl(e.target.value)} />
      </label>
      <label>
        {t('live.field.when')}
        <input name="scheduledAt" type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
      </label>
      <button type="submit" className="btn btn-primary" data-action="create-room">
        {t('live.create')}
      </button>
    </form>
  );
}

function Console({ view }: { view: LiveConsole }) {
  const r = view.room;
  return (
    <div className="live-console" data-room-id={r.id} data-state={r.state}>
      <RoomHead room={r} view={view} />
      <div className="live-columns">
        <div className="live-col">{r.state === 'ended' ? <Summary /> : <Comments room={r} view={view} />}</div>
        <div className="live-col live-tools">
          <Questions view={view} />
          <Reservations view={view} />
        </div>
        <div className="live-col live-tools">
          <Polls view={view} />
          <Lotteries view={view} />
          {r.state !== 'ended' && <Pin room={r} />}
        </div>
      </div>
    </div>
  );
}

function RoomHead({ room: r, view }: { room: LiveRoomView; view: LiveConsole }) {
  const t = useT();
  const when = useWhen();
  const stream = useLive((s) => s.stream);
  const qr = useLive((s) => s.qr);
  const { setState, dismiss } = useStores().live.getState();
  const [showQr, setShowQr] = useState(false);
  const reactions = (Object.entries(stream.reactions) as [ReactionKind, number][]).filter(([, n]) => n > 0);
  return (
    <header className="live-room-head">
      <div className="live-room-line">
        <span className={`live-state live-state-${r.state}`}>{t(`live.state.${r.state}`)}</span>
        <h3>{r.title}</h3>
        {r.state !== 'ended' && (
          <span className="live-viewers" data-viewers={stream.viewers ?? ''} title={t(`live.stream.${stream.status}`)}>
            <span className={`live-conn live-conn-${stream.status}`} aria-hidden="true" />
            {stream.viewers === null ? t(`live.stream.${stream.status}`) : t('live.viewers', { n: stream.viewers })}
          </span>
        )}
        <span className="live-peak">{t('live.peak', { n: r.peakViewers })}</span>
        <span className="live-actions">
          {r.state === 'scheduled' && (
            <button type="button" className="btn btn-small btn-primary" data-action="go-live" disabled={r.sync === 'pending'} onClick={() => void setState('live')}>
              {t('live.goLive')}
            </button>
          )}
          {r.state === 'live' && (
            <button type="button" className="btn btn-small btn-danger" data-action="end-live" onClick={() => window.confirm(t('live.endConfirm')) && void setState('ended')}>
              {t('live.end')}
            </button>
          )}
        </span>
      </div>
      <div className="live-room-meta">
        <span>{t('live.scheduled', { when: when(r.scheduledAt) })}</span>
        <a href={r.streamUrl} target="_blank" rel="noreferrer noopener">
          {t('live.streamLink')}
        </a>
        <span className="live-link">
          {t('live.viewerLink')} <code data-link>{r.link}</code>
        </span>
        {r.state !== 'ended' && (
          <button type="button" className="btn btn-small" data-action="show-qr" aria-expanded={showQr} onClick={() => setShowQr(!showQr)}>
            {t('live.qr')}
          </button>
        )}
        {r.slowModeSec > 0 && <span>{t('live.slowOn', { n: r.slowModeSec })}</span>}
        {reactions.length > 0 && (
          <span className="live-reactions" aria-label={t('live.reactions')}>
            {reactions.map(([k, n]) => (
              <span key={k} data-reaction={k}>
                {t(`live.reaction.${k}`)} {n}
              </span>
            ))}
          </span>
        )}
      </div>
      {showQr && <div className="live-qr">{qr ? <img alt={t('live.qrAlt')} src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr)}`} /> : <p>{t('live.qrOffline')}</p>}</div>}
      {r.pinnedMessage && (
        <p className="live-pinned" data-pinned-message>
          <span className="live-pinned-label">{t('live.pinnedLabel')}</span> {r.pinnedMessage}
        </p>
      )}
      {view.refusals.length > 0 && (
        <div className="live-refusals" role="alert">
          {view.refusals.map((x) => (
            <p key={x.opId}>{t('live.refusedAction', { why: rejectionText(t, x.rejection) })}</p>
          ))}
          <button type="button" className="btn btn-small" data-action="dismiss-live" onClick={() => void dismiss()}>
            {t('live.ok')}
          </button>
        </div>
      )}
    </header>
  );
}

/** The mutes a host picks from (minutes), for an asker in the queue and a comment's author alike. */
const LIVE_MUTE_CHOICES = [
  { minutes: 10, key: 'live.mute.10m' },
  { minutes: 60, key: 'live.mute.1h' },
  { minutes: 24 * 60, key: 'live.mute.24h' },
] as const;

/** "禁言… / Mute…": the mute choices for one viewer; picking one queues the mute. */
function MuteMenu({ who, action }: { who: LiveMuteTarget; action: string }) {
  const t = useT();
  const mute = useStores().live.getState().mute;
  return (
    <select
      className="live-mute"
      data-action={action}
      aria-label={t('live.mute')}
      value=""
      onChange={(e) => {
        if (e.target.value !== '') void mute(who, Number(e.target.value));
      }}
    >
      <option value="">{t('live.mute')}</option>
      {LIVE_MUTE_CHOICES.map((c) => (
        <option key={c.minutes} value={c.minutes}>
          {t(c.key)}
        </option>
      ))}
    </select>
  );
}

/** Where a viewer's mute stands on this console: in force, queued here, or neither. */
function muteState(view: LiveConsole, key: string, of: 'memberId' | 'ref', now: number): 'muted' | 'pending' | null {
  if (key in view.pendingMutes) return 'pending';
  return view.mutes.some((m) => m[of] === key && m.until !== null && m.until > now) ? 'muted' : null;
}

function Comments({ room, view }: { room: LiveRoomView; view: LiveConsole }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const stream = useLive((s) => s.stream);
  const { comment, deleteComment, update } = useStores().live.getState();
  const now = Date.now();
  const [text, setText] = useState('');
  const list = useRef<HTMLOListElement>(null);
  // Follow the newest unless the host scrolled up to read.
  useEffect(() => {
    const el = list.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [stream.comments]);
  return (
    <section className="live-comments" aria-label={t('live.comments')}>
      <div className="live-section-head">
        <h4>{t('live.comments')}</h4>
        <label className="live-slow">
          {t('live.slowMode')}
          <select value={room.slowModeSec} onChange={(e) => void update({ slowModeSec: Number(e.target.value) })}>
            {[0, 5, 10, 30, 60].map((n) => (
              <option key={n} value={n}>
                {n === 0 ? t('live.slowOff') : t('live.seconds', { n })}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ol className="live-comment-list" ref={list}>
        {stream.comments.length === 0 && <li className="live-empty">{room.state === 'live' ? t('live.noComments') : t('live.notLiveYet')}</li>}
        {stream.comments.map((c) => {
          // A member's comment names its author by ref (hosts only): every comment of a muted author says so.
          const muted = c.ref ? muteState(view, c.ref, 'ref', now) : null;
          return (
            <li key={c.id} className={c.host ? 'live-comment live-comment-host' : 'live-comment'} data-comment-id={c.id} data-muted={muted ?? undefined}>
              <span className="live-comment-time">{formatTime(c.at, locale)}</span>
              <span className="live-comment-nick">{c.host ? t('live.host') : c.nickname}</span>
              <span className="live-comment-text">{c.text}</span>
              {muted === 'pending' && <span className="live-sync live-sync-pending">{t('live.pending')}</span>}
              {muted === 'muted' && <span className="live-muted-badge">{t('live.muted')}</span>}
              {!c.host && (
                <span className="live-comment-actions">
                  {c.ref && muted === null && room.state === 'live' && <MuteMenu who={{ ref: c.ref }} action="mute-commenter" />}
                  <button type="button" className="btn btn-small btn-quiet" data-action="delete-comment" aria-label={t('live.deleteComment')} onClick={() => void deleteComment(c.id)}>
                    {t('live.delete')}
                  </button>
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {stream.refused && <p className="live-note">{stream.refused}</p>}
      <form
        className="live-composer"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) void comment(text).then((ok) => ok && setText(''));
        }}
      >
        <input name="hostComment" maxLength={LIVE_COMMENT_MAX} placeholder={t('live.hostCommentPlaceholder')} value={text} disabled={room.state !== 'live'} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="btn btn-small btn-primary" data-action="host-comment" disabled={room.state !== 'live' || stream.status !== 'open'}>
          {t('live.send')}
        </button>
      </form>
    </section>
  );
}

function Questions({ view }: { view: LiveConsole }) {
  const t = useT();
  const { answer, mute } = useStores().live.getState();
  const [writing, setWriting] = useState<string | null>(null);
  const [text, setText] = useState('');
  const open = view.questions.filter((x) => x.status === 'open');
  const done = view.questions.filter((x) => x.status !== 'open');
  const now = Date.now();
  const inForce = view.mutes.filter((m) => m.until !== null && m.until > now);
  return (
    <section className="live-section live-questions" aria-label={t('live.questions')}>
      <h4>
        {t('live.questions')} <span className="live-count">{t('live.openCount', { n: open.length })}</span>
      </h4>
      {view.questions.length === 0 && <p className="live-empty">{t('live.noQuestions')}</p>}
      <ol>
        {[...open, ...done].map((x) => (
          <li key={x.id} className={`live-question live-question-${x.status}`} data-question-id={x.id}>
            <p>
              <span className="live-qn">#{x.n}</span> <strong>{x.nickname}</strong> {x.text}
            </p>
            {x.status === 'answered' && <p className="live-answer">{x.onAir ? t('live.answeredOnAir') : t('live.answeredWriting', { answer: x.answer ?? '' })}</p>}
            {x.status === 'dismissed' && <p className="live-answer">{t('live.dismissed')}</p>}
            {x.pending && <span className="live-sync live-sync-pending">{t('live.pending')}</span>}
            {x.status === 'open' && !x.pending && (
              <span className="live-q-actions">
                <button type="button" className="btn btn-small" data-action="answer-on-air" onClick={() => void answer(x.id, { onAir: true })}>
                  {t('live.onAir')}
                </button>
                <button type="button" className="btn btn-small" data-action="answer-writing" onClick={() => setWriting(writing === x.id ? null : x.id)}>
                  {t('live.inWriting')}
                </button>
                <button type="button" className="btn btn-small btn-quiet" data-action="dismiss-question" onClick={() => void answer(x.id, { dismiss: true })}>
                  {t('live.dismiss')}
                </button>
                {view.room.state !== 'ended' &&
                  (() => {
                    const state = muteState(view, x.memberId, 'memberId', now);
                    if (state === 'pending') return <span className="live-sync live-sync-pending">{t('live.pending')}</span>;
                    if (state === 'muted') return <span className="live-muted-badge">{t('live.muted')}</span>;
                    return <MuteMenu who={{ memberId: x.memberId }} action="mute-asker" />;
                  })()}
              </span>
            )}
            {writing === x.id && (
              <form
                className="live-inline"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (!text.trim()) return;
                  void answer(x.id, { answer: text });
                  setWriting(null);
                  setText('');
                }}
              >
                <input name="answer" maxLength={LIVE_TEXT_MAX} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('live.answerPlaceholder')} />
                <button type="submit" className="btn btn-small btn-primary" data-action="send-answer">
                  {t('live.send')}
                </button>
              </form>
            )}
          </li>
        ))}
      </ol>
      {inForce.length > 0 && (
        <p className="live-note">
          {t('live.mutedList')}{' '}
          {inForce.map((m) => (
            <button key={m.memberId} type="button" className="btn btn-small btn-quiet" data-action="unmute" title={t('live.unmute')} onClick={() => void mute({ memberId: m.memberId }, 0)}>
              {m.nickname} ✕
            </button>
          ))}
        </p>
      )}
    </section>
  );
}

function PollBars({ poll }: { poll: LivePollView }) {
  const t = useT();
  const live = useLive((s) => s.stream.polls[poll.id]);
  // The socket's counts are newer than the cached poll while it is open.
  const p = live && live.voters >= poll.voters ? { ...poll, counts: live.counts, voters: live.voters } : poll;
  const total = Math.max(1, p.counts.reduce((a, b) => a + b, 0));
  return (
    <div className="live-poll-bars">
      {p.options.map((o, i) => (
        <div key={i} className="live-bar" data-option={i} data-count={p.counts[i] ?? 0}>
          <span className="live-bar-label">{o}</span>
          <span className="live-bar-track">
            <span className="live-bar-fill" style={{ width: `${Math.round(((p.counts[i] ?? 0) / total) * 100)}%` }} />
          </span>
          <span className="live-bar-n">{p.counts[i] ?? 0}</span>
        </div>
      ))}
      <p className="live-note">{t('live.voters', { n: p.voters })}</p>
    </div>
  );
}

function Polls({ view }: { view: LiveConsole }) {
  const t = useT();
  const { openPoll, closePoll } = useStores().live.getState();
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const ended = view.room.state === 'ended';
  return (
    <section className="live-section live-polls" aria-label={t('live.polls')}>
      <h4>{t('live.polls')}</h4>
      {[...view.polls].reverse().map((p) => (
        <div key={p.id} className="live-poll" data-poll-id={p.id} data-state={p.state}>
          <p>
            <strong>{p.question}</strong> <span className="live-count">{t(p.state === 'open' ? 'live.pollOpen' : 'live.pollClosed')}</span>
            {p.pending && <span className="live-sync live-sync-pending">{t('live.pending')}</span>}
          </p>
          <PollBars poll={p} />
          {p.state === 'open' && !p.pending && (
            <button type="button" className="btn btn-small" data-action="close-poll" onClick={() => void closePoll(p.id)}>
              {t('live.closePoll')}
            </button>
          )}
        </div>
      ))}
      {!ended && (
        <form
          className="live-form live-poll-form"
          onSubmit={(e) => {
            e.preventDefault();
            const opts = options.map((o) => o.trim()).filter(Boolean);
            void openPoll({ question, options: opts }).then((ok) => {
              if (!ok) return;
              setQuestion('');
              setOptions(['', '']);
            });
          }}
        >
          <input name="pollQuestion" required maxLength={120} placeholder={t('live.pollQuestion')} value={question} onChange={(e) => setQuestion(e.target.value)} />
          {options.map((o, i) => (
            <input key={i} name={`pollOption${i}`} maxLength={40} placeholder={t('live.pollOption', { n: i + 1 })} value={o} onChange={(e) => setOptions(options.map((x, j) => (j === i ? e.target.value : x)))} />
          ))}
          <span className="live-inline">
            {options.length < POLL_OPTIONS_MAX && (
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setOptions([...options, ''])}>
                {t('live.addOption')}
              </button>
            )}
            <button type="submit" className="btn btn-small btn-primary" data-action="open-poll">
              {t('live.openPoll')}
            </button>
          </span>
        </form>
      )}
    </section>
  );
}

function auditLink(room: LiveRoomView, l: LiveLottery): string {
  let origin = '';
  try {
    origin = new URL(room.link).origin;
  } catch {
    origin = '';
  }
  return `${origin}/v1/live/rooms/${encodeURIComponent(room.id)}/lotteries/${encodeURIComponent(l.id)}/audit`;
}

function Lotteries({ view }: { view: LiveConsole }) {
  const t = useT();
  const draw = useStores().live.getState().draw;
  const [prize, setPrize] = useState('');
  const [eligibility, setEligibility] = useState<LiveLottery['eligibility']>('commented');
  const [pollId, setPollId] = useState('');
  const [winners, setWinners] = useState(1);
  const polls = view.polls.filter((p) => !p.pending);
  return (
    <section className="live-section live-lotteries" aria-label={t('live.lottery')}>
      <h4>{t('live.lottery')}</h4>
      {view.lotteries.map((l) => (
        <div key={l.id} className="live-lottery" data-lottery-id={l.id}>
          <p>
            <strong>{l.prize}</strong> · {t(`live.elig.${l.eligibility}`)} · {t('live.eligibleCount', { n: l.eligibleCount })}
          </p>
          <p className="live-winners" data-winners={l.winners.length}>
            {l.winners.length === 0 ? t('live.noWinners') : t('live.winners', { names: l.winners.map((w) => w.nickname).join('、') })}
          </p>
          <p className="live-note">
            {t('live.seed')} <code>{l.seed.slice(0, 16)}…</code>{' '}
            <a href={auditLink(view.room, l)} target="_blank" rel="noreferrer noopener" data-action="audit">
              {t('live.audit')}
            </a>
          </p>
        </div>
      ))}
      {view.pendingDraws.map((d) => (
        <p key={d.lotteryId} className="live-lottery live-note">
          {d.prize} · {d.rejection ? rejectionText(t, d.rejection) : t('live.drawing')}
        </p>
      ))}
      {view.room.state === 'live' && (
        <form
          className="live-form live-draw-form"
          onSubmit={(e) => {
            e.preventDefault();
            void draw({ prize, eligibility, ...(eligibility === 'voted' && pollId ? { pollId } : {}), winners }).then((ok) => ok && setPrize(''));
          }}
        >
          <input name="prize" required maxLength={80} placeholder={t('live.prize')} value={prize} onChange={(e) => setPrize(e.target.value)} />
          <span className="live-inline">
            <select name="eligibility" value={eligibility} onChange={(e) => setEligibility(e.target.value as LiveLottery['eligibility'])}>
              {(['commented', 'voted', 'asked', 'joined'] as const).map((k) => (
                <option key={k} value={k}>
                  {t(`live.elig.${k}`)}
                </option>
              ))}
            </select>
            {eligibility === 'voted' && (
              <select name="pollId" required value={pollId} onChange={(e) => setPollId(e.target.value)}>
                <option value="">{t('live.pickPoll')}</option>
                {polls.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.question}
                  </option>
                ))}
              </select>
            )}
            <label>
              {t('live.winnersWanted')}
              <input name="winners" type="number" min={1} max={50} value={winners} onChange={(e) => setWinners(Math.max(1, Math.min(50, Number(e.target.value) || 1)))} />
            </label>
            <button type="submit" className="btn btn-small btn-primary" data-action="draw">
              {t('live.draw')}
            </button>
          </span>
        </form>
      )}
    </section>
  );
}

function Pin({ room }: { room: LiveRoomView }) {
  const t = useT();
  const locale = useDesk((s) => s.locale);
  const styles = useLive((s) => s.styles);
  const { pin, loadStyles } = useStores().live.getState();
  const [message, setMessage] = useState('');
  useEffect(() => void loadStyles(), [loadStyles]);
  const pinned = styles?.find((s) => s.styleId === room.pinnedStyleId);
  return (
    <section className="live-section live-pin" aria-label={t('live.pin')}>
      <h4>{t('live.pin')}</h4>
      <p className="live-note" data-pinned-style={room.pinnedStyleId ?? ''}>
        {room.pinnedStyleId ? t('live.pinnedProduct', { name: pinned ? `${pinned.name} · ${formatPrice(pinned.price, locale)}` : room.pinnedStyleId }) : t('live.noPinnedProduct')}
      </p>
      <span className="live-inline">
        <select name="pinStyle" value={room.pinnedStyleId ?? ''} onChange={(e) => void pin({ styleId: e.target.value || null })}>
          <option value="">{t('live.unpinProduct')}</option>
          {(styles ?? []).map((s) => (
            <option key={s.styleId} value={s.styleId}>
              {s.name} · {formatPrice(s.price, locale)}
            </option>
          ))}
        </select>
      </span>
      <form
        className="live-inline"
        onSubmit={(e) => {
          e.preventDefault();
          void pin({ message: message.trim() || null }).then(() => setMessage(''));
        }}
      >
        <input name="pinMessage" maxLength={LIVE_TEXT_MAX} placeholder={t('live.pinMessagePlaceholder')} value={message} onChange={(e) => setMessage(e.target.value)} />
        <button type="submit" className="btn btn-small" data-action="pin-message">
          {message.trim() ? t('live.pinMessage') : t('live.unpinMessage')}
        </button>
      </form>
    </section>
  );
}

function Reservations({ view }: { view: LiveConsole }) {
  const t = useT();
  const when = useWhen();
  return (
    <section className="live-section live-holds" aria-label={t('live.holds')}>
      <h4>
        {t('live.holds')} <span className="live-count">{view.reservations.length}</span>
      </h4>
      {view.reservations.length === 0 && <p className="live-empty">{t('live.noHolds')}</p>}
      <ul>
        {view.reservations.map((r) => (
          <li key={r.hold.id} className="live-hold" data-hold-id={r.hold.id}>
            <strong>{r.hold.member.name}</strong> · {r.storeName} · {r.hold.styleName} {r.hold.colorName} · {t('live.size', { size: r.hold.size })}
            <span className="live-note"> {t('live.holdUntil', { when: when(r.hold.until) })}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Summary() {
  const t = useT();
  const s = useLive((st) => st.summary);
  if (!s) return <p className="live-empty">{t('live.summaryOffline')}</p>;
  const rows: [string, number][] = [
    [t('live.sum.viewers'), s.viewers],
    [t('live.sum.peak'), s.peakViewers],
    [t('live.sum.comments'), s.comments],
    [t('live.sum.questions'), s.questions],
    [t('live.sum.answered'), s.questionsAnswered],
    [t('live.sum.polls'), s.polls],
    [t('live.sum.lotteries'), s.lotteries],
    [t('live.sum.holds'), s.holds],
    [t('live.sum.collected'), s.holdsCollected],
    [t('live.sum.expected'), s.expected],
    [t('live.sum.visits'), s.visits],
    [t('live.sum.purchases'), s.purchases],
  ];
  return (
    <section className="live-summary" aria-label={t('live.summary')}>
      <h4>{t('live.summary')}</h4>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
