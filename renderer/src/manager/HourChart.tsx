// Arrivals and served visits as plain SVG bars (no chart library): by hour of the day for one day,
// by date for a longer range. For each bar a pale bar of arrivals with the served part drawn over
// it, so the gap is the visits nobody served.
import type { DayBucket, HourBucket } from '../../../shared/kpis.ts';
import type { MessageKey } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';

const W = 720;
const H = 220;
const PAD = { left: 36, right: 8, top: 12, bottom: 28 };

/** A tidy axis maximum: 1, 2, 5, 10, 20, 50… at or above `n`. */
function niceMax(n: number): number {
  if (n <= 4) return Math.max(1, n);
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n)!;
}

interface Bar {
  key: string;
  /** Axis label; null: no label under this bar. */
  label: string | null;
  /** What the bar is, for its tooltip ("14:00", "1月6日"). */
  name: string;
  arrivals: number;
  served: number;
  /** data-* attributes naming the bar (data-hour, data-day). */
  data: Record<string, string | number>;
}

function BarChart({ bars, title, label, testId }: { bars: Bar[]; title: MessageKey; label: MessageKey; testId: string }) {
  const t = useT();
  const max = niceMax(Math.max(0, ...bars.map((b) => b.arrivals)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, bars.length);
  const barW = Math.max(1, Math.min(slot * 0.7, 48));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, max / 2, max];

  return (
    <figure className="hour-chart">
      <figcaption>
        <span>{t(title)}</span>
        <span className="legend">
          <span className="swatch swatch-arrivals" aria-hidden="true" /> {t('mgr.chart.arrivals')}
          <span className="swatch swatch-served" aria-hidden="true" /> {t('mgr.chart.served')}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t(label)} data-testid={testId}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {v}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const data = Object.fromEntries(Object.entries(b.data).map(([k, v]) => [`data-${k}`, v]));
          return (
            <g key={b.key} {...data} data-arrivals={b.arrivals} data-served={b.served}>
              <title>{`${b.name} — ${t('mgr.chart.arrivals')} ${b.arrivals}, ${t('mgr.chart.served')} ${b.served}`}</title>
              {b.arrivals > 0 && <rect x={x} y={y(b.arrivals)} width={barW} height={y(0) - y(b.arrivals)} className="bar-arrivals" rx={2} />}
              {b.served > 0 && <rect x={x + barW * 0.2} y={y(b.served)} width={barW * 0.6} height={y(0) - y(b.served)} className="bar-served" rx={2} />}
              {b.label !== null && (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" className="axis">
                  {b.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** One day: shop hours by default (08–22), widened to any hour that had an arrival. */
export function HourChart({ buckets }: { buckets: HourBucket[] }) {
  const busy = buckets.filter((b) => b.arrivals > 0).map((b) => b.hour);
  const first = Math.min(8, ...busy);
  const last = Math.max(21, ...busy);
  const hours = buckets.filter((b) => b.hour >= first && b.hour <= last);
  const hh = (h: number) => String(h).padStart(2, '0');
  const bars = hours.map(
    (b): Bar => ({
      key: String(b.hour),
      label: b.hour % 2 === 0 || hours.length <= 12 ? hh(b.hour) : null,
      name: `${hh(b.hour)}:00`,
      arrivals: b.arrivals,
      served: b.served,
      data: { hour: b.hour },
    }),
  );
  return <BarChart bars={bars} title="mgr.chart.title" label="mgr.chart.label" testId="hour-chart" />;
}

/** A range of dates: a bar per local date (the report gives every date, zeros included). */
export function DayChart({ buckets, locale }: { buckets: DayBucket[]; locale: string }) {
  // A bucket's date is the store's local date; shown as that date, whatever this machine's zone.
  const short = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', month: 'numeric', day: 'numeric' });
  const long = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric' });
  const every = Math.max(1, Math.ceil(buckets.length / 14));
  const bars = buckets.map((b, i): Bar => {
    const at = Date.parse(`${b.day}T00:00:00Z`);
    return { key: b.day, label: i % every === 0 ? short.format(at) : null, name: long.format(at), arrivals: b.arrivals, served: b.served, data: { day: b.day } };
  });
  return <BarChart bars={bars} title="mgr.chart.dayTitle" label="mgr.chart.dayLabel" testId="day-chart" />;
}
