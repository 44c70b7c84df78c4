// The store manager's review: visits for a day or a range, filtered by clerk, tier,
// outcome and served; the KPIs, a chart by hour (one day) or by date (a range), a table with every
// clerk, the visits, one visit's timeline (who said what, images as thumbnails), and a CSV export
// in the store's time zone and the UI's language. Online the figures come from HQ; offline from
// this desk's cache, and the view says which range that cache holds.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ClerkPublic } from '../../../shared/clerks.ts';
import type { Tier } from '../../../shared/domain.ts';
import { TIERS } from '../../../shared/tiers.ts';
import { type ReportArgs, type TimelineEntry, type VisitReport, type VisitTimeline } from '../../../shared/kpis.ts';
import { isTimeZone } from '../../../shared/zoneTime.ts';
import type { MessageKey, Translate } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { useClerk, useDesk, useDeskClient } from '../state/StoresProvider.tsx';
import { DayChart, HourChart } from './HourChart.tsx';
import { TimelineImage } from './TimelineImage.tsx';
import { AssistPanel } from './AssistPanel.tsx'; // 7/8 attribution
import './manager.css';

const DAY = 24 * 3600 * 1000;

/** yyyy-mm-dd of a local date. */
const dateInput = (at: number) => {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
/** Local midnight of a yyyy-mm-dd, or of the day after it (`next`). */
const startOf = (s: string, next = 0) => {
  const [y, m, d] = s.split('-').map(Number);
  return new Date(y!, m! - 1, d! + next).getTime();
};

type Filter = { clerkId: string; tier: string; outcome: string; served: string };

/** The most visits one export holds (ReportArgs' limit). */
const EXPORT_LIMIT = 5000;

/** This counter's IANA time zone: the store's, since the desk stands in the store. */
const storeZone = (): string | undefined => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isTimeZone(zone) ? zone : undefined;
};

export function ManagerView() {
  const t = useT();
  // The report and the timeline are this view's own, kept by no store: asked of the client.
  const api = useDeskClient();
  const locale = useDesk((s) => s.locale);
  const online = useDesk((s) => s.connection?.status);
  const clerks = useClerk((s) => s.clerks);
  const today = dateInput(Date.now());
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState(today);
  const [filter, setFilter] = useState<Filter>({ clerkId: '', tier: '', outcome: '', served: '' });
  const [report, setReport] = useState<VisitReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [timeline, setTimeline] = useState<VisitTimeline | null>(null);

  const args = useMemo((): ReportArgs => {
    const a: ReportArgs = { from: startOf(from), to: startOf(to, 1), tzOffsetMin: -new Date(startOf(from)).getTimezoneOffset(), limit: 500 };
    const zone = storeZone();
    if (zone) a.timeZone = zone;
    if (filter.clerkId) a.clerkId = filter.clerkId;
    if (filter.tier) a.tier = filter.tier as Tier;
    if (filter.outcome) a.outcome = filter.outcome as ReportArgs['outcome'];
    if (filter.served) a.served = filter.served === 'yes';
    return a;
  }, [from, to, filter]);

  const load = useCallback(async () => {
    if (!(args.to > args.from)) return;
    setLoading(true);
    try {
      setReport(await api.managerReport(args));
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, [api, args]);

  useEffect(() => {
    void load();
  }, [load, online]);

  const time = (at: number) => new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const dateTime = (at: number) => new Date(at).toLocaleString(locale, { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const day = (at: number) => new Date(at).toLocaleDateString(locale, { year: 'numeric', month: 'numeric', day: 'numeric' });
  const pct = (x: number | null) => (x === null ? t('mgr.none') : `${Math.round(x * 100)}%`);
  const dur = (ms: number | null) => {
    if (ms === null) return t('mgr.none');
    const s = Math.round(ms / 1000);
    return s < 60 ? t('mgr.seconds', { n: s }) : t('mgr.minutes', { m: Math.floor(s / 60), s: s % 60 });
  };
  const outcomeText = (o: string | null) => (o ? t(`outcome.${o}` as MessageKey) : t('mgr.outcomeOpen'));
  const entryText = (e: TimelineEntry) =>
    e.kind === 'arrival'
      ? t('mgr.timeline.arrival')
      : e.kind === 'repeat'
        ? t('mgr.timeline.repeat', { text: e.text ?? '' })
        : e.kind === 'claim'
          ? t('mgr.timeline.claim', { by: e.by ?? t('mgr.none') })
          : e.kind === 'takeover'
            ? t('mgr.timeline.takeover', { by: e.by ?? t('mgr.none'), from: e.text ?? t('mgr.none') })
            : e.kind === 'note'
              ? `${t('mgr.timeline.note', { by: e.by ?? t('mgr.none') })}: ${e.text ?? ''}`
              : e.outcome === 'left'
                ? t('mgr.timeline.left')
                : t('mgr.timeline.close.entry', { by: e.by ?? t('mgr.none'), outcome: outcomeText(e.outcome) });
  const clerkName = (id: string | null, name: string | null) => name ?? (id ? (clerks.find((c) => c.id === id)?.name ?? id) : t('mgr.noClerk'));
  // By date, not by length: a day with a daylight-saving change is 23 or 25 hours long.
  const multiDay = from !== to;

  const exportCsv = async () => {
    if (!report) return;
    try {
      // The table shows the newest visits; the export holds them all (up to EXPORT_LIMIT).
      const all = report.truncated ? await api.managerReport({ ...args, limit: EXPORT_LIMIT }) : report;
      // The export's code (and the report schemas it reads) loads when asked for, not with the page.
      const { visitsCsv } = await import('../../../shared/visitsCsv.ts');
      const text = visitsCsv(all.visits, { lang: locale, timeZone: args.timeZone, tzOffsetMin: args.tzOffsetMin ?? 480 });
      // Excel opens UTF-8 CSV with Chinese names correctly only with a BOM.
      const blob = new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `footfall-visits-${from}${to !== from ? `_${to}` : ''}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const openTimeline = async (visitId: string) => {
    try {
      setTimeline(await api.managerTimeline(visitId));
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const setF = (k: keyof Filter) => (e: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: e.target.value }));
  const k = report?.kpis;

  return (
    <main className="manager" aria-labelledby="mgr-title" aria-busy={loading}>
      <header className="mgr-head">
        <h1 id="mgr-title">{t('mgr.title')}</h1>
        <div className="mgr-controls">
          <label>
            {t('mgr.from')}
            <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
          </label>
          <label>
            {t('mgr.to')}
            <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
          </label>
          <button type="button" className="btn btn-small" onClick={() => (setFrom(today), setTo(today))}>
            {t('mgr.today')}
          </button>
          <button type="button" className="btn btn-small" onClick={() => (setFrom(dateInput(Date.now() - 6 * DAY)), setTo(today))}>
            {t('mgr.week')}
          </button>
          <label>
            {t('mgr.clerk')}
            <select value={filter.clerkId} onChange={setF('clerkId')}>
              <option value="">{t('mgr.any')}</option>
              {clerks.map((c: ClerkPublic) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('mgr.tier')}
            <select value={filter.tier} onChange={setF('tier')}>
              <option value="">{t('mgr.any')}</option>
              {TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {t(`tier.${tier}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('mgr.outcome')}
            <select value={filter.outcome} onChange={setF('outcome')}>
              <option value="">{t('mgr.any')}</option>
              {(['purchased', 'tried', 'browsed', 'left'] as const).map((o) => (
                <option key={o} value={o}>
                  {t(`outcome.${o}`)}
                </option>
              ))}
              <option value="open">{t('mgr.outcomeOpen')}</option>
            </select>
          </label>
          <label>
            {t('mgr.served')}
            <select value={filter.served} onChange={setF('served')}>
              <option value="">{t('mgr.any')}</option>
              <option value="yes">{t('mgr.servedYes')}</option>
              <option value="no">{t('mgr.servedNo')}</option>
            </select>
          </label>
          <button type="button" className="btn btn-primary" onClick={() => void exportCsv()} disabled={!report || report.visits.length === 0}>
            {t('mgr.export')}
          </button>
        </div>
        <p className={`mgr-source ${report?.source === 'cache' ? 'offline' : ''}`} data-source={report?.source ?? ''}>
          {error
            ? t('mgr.error', { message: error })
            : !report
              ? t('mgr.loading')
              : report.source === 'hq'
                ? t('mgr.sourceHq')
                : report.cacheRange?.from != null && report.cacheRange.to != null
                  ? t('mgr.sourceCache', { from: dateTime(report.cacheRange.from), to: dateTime(report.cacheRange.to) })
                  : t('mgr.cacheEmpty')}
        </p>
      </header>

      {k && (
        <section className="kpis" aria-label="KPI">
          <div className="kpi" data-kpi="arrivals">
            <span className="kpi-label">{t('mgr.kpi.arrivals')}</span>
            <span className="kpi-value">{k.arrivals}</span>
          </div>
          <div className="kpi" data-kpi="served">
            <span className="kpi-label">{t('mgr.kpi.servedRate')}</span>
            <span className="kpi-value">{pct(k.servedRate)}</span>
            <span className="kpi-sub">
              {filter.clerkId
                ? t('mgr.kpi.servedByOf', { name: clerkName(filter.clerkId, null), served: k.served, arrivals: k.arrivals })
                : t('mgr.kpi.servedOf', { served: k.served, arrivals: k.arrivals })}
            </span>
          </div>
          <div className="kpi" data-kpi="median">
            <span className="kpi-label">{t('mgr.kpi.median')}</span>
            <span className="kpi-value">{dur(k.claimMedianMs)}</span>
          </div>
          <div className="kpi" data-kpi="p90">
            <span className="kpi-label">{t('mgr.kpi.p90')}</span>
            <span className="kpi-value">{dur(k.claimP90Ms)}</span>
          </div>
          <div className="kpi" data-kpi="conversion">
            <span className="kpi-label">{t('mgr.kpi.conversion')}</span>
            <span className="kpi-value">{pct(k.conversion)}</span>
            <span className="kpi-sub">{t('mgr.kpi.conversionOf', { purchased: k.purchased, served: k.served })}</span>
          </div>
        </section>
      )}

      {report && <AssistPanel assist={report.assist ?? null} locale={locale} />}

      {report && (
        <div className="mgr-grid">
          <section className="panel">{multiDay ? <DayChart buckets={report.byDay} locale={locale} /> : <HourChart buckets={report.byHour} />}</section>
          <section className="panel" aria-labelledby="mgr-clerks">
            <h2 id="mgr-clerks">{t('mgr.clerks.title')}</h2>
            <table className="mgr-table">
              <thead>
                <tr>
                  <th scope="col">{t('mgr.clerk')}</th>
                  <th scope="col" className="num">{t('mgr.clerks.served')}</th>
                  <th scope="col" className="num">{t('mgr.clerks.purchased')}</th>
                  <th scope="col" className="num">{t('mgr.clerks.conversion')}</th>
                  <th scope="col" className="num">{t('mgr.clerks.median')}</th>
                </tr>
              </thead>
              <tbody>
                {report.perClerk.map((c) => (
                  <tr key={`${c.storeId}:${c.clerkId ?? ''}`} data-clerk-id={c.clerkId ?? ''} data-served={c.served} className={c.served === 0 ? 'idle' : ''}>
                    <th scope="row">{clerkName(c.clerkId, c.clerkName)}</th>
                    <td className="num">{c.served}</td>
                    <td className="num">{c.purchased}</td>
                    <td className="num">{pct(c.conversion)}</td>
                    <td className="num">{dur(c.claimMedianMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="panel visits-panel" aria-labelledby="mgr-visits">
            <h2 id="mgr-visits">
              {t('mgr.visits.title')} {report.truncated && <small>{t('mgr.visits.truncated', { n: report.visits.length })}</small>}
            </h2>
            {report.visits.length === 0 ? (
              <p className="muted">{t('mgr.visits.empty')}</p>
            ) : (
              <div className="table-scroll">
                <table className="mgr-table visits-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('mgr.visits.arrived')}</th>
                      <th scope="col">{t('mgr.visits.member')}</th>
                      <th scope="col">{t('mgr.tier')}</th>
                      <th scope="col" className="num">{t('mgr.visits.wait')}</th>
                      <th scope="col">{t('mgr.visits.clerk')}</th>
                      <th scope="col">{t('mgr.visits.outcome')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.visits.map((v) => (
                      <tr key={v.visitId} className={timeline?.visit.visitId === v.visitId ? 'selected' : ''}>
                        <td>{multiDay ? dateTime(v.arrivedAt) : time(v.arrivedAt)}</td>
                        <td>
                          <button type="button" className="linklike" onClick={() => void openTimeline(v.visitId)}>
                            {v.memberName || v.memberId}
                          </button>
                        </td>
                        <td>{t(`tier.${v.tier}` as MessageKey)}</td>
                        <td className="num">{dur(v.claimedAt === null ? null : v.claimedAt - v.arrivedAt)}</td>
                        <td>{v.claimedAt === null ? t('mgr.none') : clerkName(v.clerkId, v.clerkName ?? v.deviceName)}</td>
                        <td>{outcomeText(v.outcome)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
          {timeline && (
            <section className="panel timeline-panel" aria-labelledby="mgr-timeline">
              <h2 id="mgr-timeline">
                {t('mgr.timeline.title')} · {timeline.visit.memberName} · {day(timeline.visit.arrivedAt)}
              </h2>
              <ol className="timeline">
                {timeline.entries.map((e, i) => (
                  <li key={i} data-kind={e.kind} data-from={e.from ?? undefined}>
                    <time>{time(e.at)}</time>
                    <span>{e.kind === 'message' ? <TimelineMessage entry={e} t={t} /> : entryText(e)}</span>
                  </li>
                ))}
              </ol>
              <button type="button" className="btn" onClick={() => setTimeline(null)}>
                {t('mgr.timeline.close')}
              </button>
            </section>
          )}
        </div>
      )}
    </main>
  );
}

/** A chat message in the timeline: who sent it (the member, or which clerk or counter), then its text or image. */
function TimelineMessage({ entry: e, t }: { entry: TimelineEntry; t: Translate }) {
  const who = e.from === 'member' ? t('mgr.timeline.fromMember', { name: e.by ?? t('mgr.none') }) : t('mgr.timeline.fromStore', { name: e.by ?? t('mgr.none') });
  return (
    <>
      <strong className="timeline-sender" data-from={e.from ?? ''}>
        {who}
      </strong>{' '}
      {e.image ? <TimelineImage image={e.image} /> : e.text !== null ? e.text : <span className="muted">{t('mgr.timeline.noContent')}</span>}
    </>
  );
}
