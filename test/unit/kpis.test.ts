// The manager's KPI definitions (shared/kpis.ts) on a fixed day, against numbers worked by hand.
import { describe, expect, it } from 'vitest';
import { buildReport, byHour, computeKpis, nearestRank, percentile, perClerk, visitsCsv } from '../../shared/kpis.ts';
import { DAY_FROM, DAY_TO, KPI_VISITS } from '../support/kpiVisits.ts';

const day = KPI_VISITS.filter((f) => f.arrivedAt >= DAY_FROM && f.arrivedAt < DAY_TO);

describe('KPIs', () => {
  it('nearest rank is ceil(p·n/100)', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => nearestRank(50, n))).toEqual([1, 1, 2, 2, 3, 3]);
    expect([1, 9, 10, 11].map((n) => nearestRank(90, n))).toEqual([1, 9, 9, 10]);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([5, 1, 3], 50)).toBe(3);
  });

  it('arrivals, served rate, conversion, median and p90 time to claim', () => {
    expect(day.map((f) => f.visitId)).toEqual(['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    expect(computeKpis(day)).toEqual({
      arrivals: 8, // v1…v8
      served: 6, // v1 v2 v3 v5 v6 v8 (v4, v7 never claimed)
      servedRate: 0.75, // 6 / 8
      purchased: 3, // v1 v3 v6
      conversion: 0.5, // 3 purchased / 6 served
      // waits sorted: 30 45 60 90 120 300 s (n = 6)
      claimMedianMs: 60_000, // rank ceil(0.5·6) = 3 → 60 s
      claimP90Ms: 300_000, // rank ceil(0.9·6) = ceil(5.4) = 6 → 300 s
    });
    expect(computeKpis([])).toEqual({ arrivals: 0, served: 0, servedRate: null, purchased: 0, conversion: null, claimMedianMs: null, claimP90Ms: null });
  });

  it('a row per clerk', () => {
    expect(perClerk(day)).toEqual([
      // Ann: v1 (30 s, purchased), v2 (60 s, tried), v6 (300 s, purchased): 2/3, median rank ceil(1.5) = 2 → 60 s
      { clerkId: 'clerk-A', clerkName: 'Ann', served: 3, purchased: 2, conversion: 2 / 3, claimMedianMs: 60_000 },
      // Bo: v3 (90 s, purchased), v5 (120 s, browsed): 1/2, median rank ceil(1) = 1 → 90 s
      { clerkId: 'clerk-B', clerkName: 'Bo', served: 2, purchased: 1, conversion: 0.5, claimMedianMs: 90_000 },
      // no clerk: v8 (45 s, still open)
      { clerkId: null, clerkName: null, served: 1, purchased: 0, conversion: 0, claimMedianMs: 45_000 },
    ]);
  });

  it('arrivals and served by local hour', () => {
    const hours = byHour(day, 480).filter((b) => b.arrivals > 0);
    expect(hours).toEqual([
      { hour: 10, arrivals: 3, served: 3 }, // v1 v2 v3
      { hour: 11, arrivals: 2, served: 1 }, // v4 (not served), v5
      { hour: 14, arrivals: 2, served: 1 }, // v6, v7 (not served)
      { hour: 15, arrivals: 1, served: 1 }, // v8
    ]);
    expect(byHour(day, 0).find((b) => b.hour === 2)).toEqual({ hour: 2, arrivals: 3, served: 3 }); // the same hour in UTC
  });

  it('filters: range, clerk, tier, outcome, served', () => {
    const r = (extra: object) => buildReport(KPI_VISITS, { from: DAY_FROM, to: DAY_TO, ...extra }, 'cache', null);
    expect(r({}).kpis.arrivals).toBe(8); // v0 is the day before
    expect(r({ clerkId: 'clerk-A' }).visits.map((v) => v.visitId)).toEqual(['v6', 'v2', 'v1']);
    expect(r({ tier: 'gold' }).kpis).toMatchObject({ arrivals: 2, served: 2, purchased: 2, conversion: 1 }); // v3 v6
    expect(r({ outcome: 'open' }).visits.map((v) => v.visitId)).toEqual(['v8', 'v7', 'v4']);
    expect(r({ outcome: 'purchased' }).kpis.arrivals).toBe(3);
    expect(r({ served: false }).kpis).toMatchObject({ arrivals: 2, served: 0, servedRate: 0 });
    expect(r({ limit: 2 })).toMatchObject({ truncated: true, visits: [{ visitId: 'v8' }, { visitId: 'v7' }] });
  });

  it('CSV: header, one row per visit, formulas defused', () => {
    const csv = visitsCsv([{ ...day[0]!, memberName: '=HYPERLINK("x")' }]);
    const [header, row] = csv.trimEnd().split('\r\n');
    expect(header).toBe('visit_id,arrived_at,member_id,member_name,tier,status,served,claimed_at,wait_seconds,clerk_id,clerk_name,device,outcome,closed_at');
    expect(row).toBe('v1,2025-01-06T02:00:00.000Z,m1,"\'=HYPERLINK(""x"")",basic,closed,yes,2025-01-06T02:00:30.000Z,30,clerk-A,Ann,Counter 1,purchased,2025-01-06T02:05:30.000Z');
  });
});
