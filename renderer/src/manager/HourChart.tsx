// Arrivals and served visits by hour of the day, as plain SVG (no chart library): for each hour a
// pale bar of arrivals with the served part drawn over it, so the gap is the visits nobody served.
import type { HourBucket } from '../../../shared/kpis.ts';
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

export function HourChart({ buckets }: { buckets: HourBucket[] }) {
  const t = useT();
  // Shop hours by default (08–22), widened to any hour that had an arrival.
  const busy = buckets.filter((b) => b.arrivals > 0).map((b) => b.hour);
  const first = Math.min(8, ...busy);
  const last = Math.max(21, ...busy);
  const hours = buckets.filter((b) => b.hour >= first && b.hour <= last);
  const max = niceMax(Math.max(0, ...hours.map((b) => b.arrivals)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / hours.length;
  const barW = Math.max(4, slot * 0.7);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = max <= 4 ? Array.from({ length: max + 1 }, (_, i) => i) : [0, max / 2, max];

  return (
    <figure className="hour-chart">
      <figcaption>
        <span>{t('mgr.chart.title')}</span>
        <span className="legend">
          <span className="swatch swatch-arrivals" aria-hidden="true" /> {t('mgr.chart.arrivals')}
          <span className="swatch swatch-served" aria-hidden="true" /> {t('mgr.chart.served')}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('mgr.chart.label')} data-testid="hour-chart">
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} className="grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="axis">
              {v}
            </text>
          </g>
        ))}
        {hours.map((b, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g key={b.hour} data-hour={b.hour} data-arrivals={b.arrivals} data-served={b.served}>
              <title>{`${String(b.hour).padStart(2, '0')}:00 — ${t('mgr.chart.arrivals')} ${b.arrivals}, ${t('mgr.chart.served')} ${b.served}`}</title>
              {b.arrivals > 0 && <rect x={x} y={y(b.arrivals)} width={barW} height={y(0) - y(b.arrivals)} className="bar-arrivals" rx={2} />}
              {b.served > 0 && <rect x={x + barW * 0.2} y={y(b.served)} width={barW * 0.6} height={y(0) - y(b.served)} className="bar-served" rx={2} />}
              {(b.hour % 2 === 0 || hours.length <= 12) && (
                <text x={x + barW / 2} y={H - 8} textAnchor="middle" className="axis">
                  {String(b.hour).padStart(2, '0')}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
