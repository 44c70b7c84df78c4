// The manager's KPI definitions (shared/kpis.ts) on a fixed day, against numbers worked by hand.
import { describe, expect, it } from 'vitest';
import { buildReport, byDay, byHour, computeKpis, nearestRank, percentile, perClerk, type VisitFact } from '../../shared/kpis.ts';
import { visitsCsv } from '../../shared/visitsCsv.ts';
import { localDateTime, zoneOffsetMin } from '../../shared/zoneTime.ts';
import { DAY_FROM, DAY_TO, KPI_VISITS, kpiRoster } from '../support/kpiVisits.ts';

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

  it('a row per clerk, every enabled clerk included (zero served too), and the store of each row', () => {
    expect(perClerk(day, kpiRoster())).toEqual([
      // Ann: v1 (30 s, purchased), v2 (60 s, tried), v6 (300 s, purchased): 2/3, median rank ceil(1.5) = 2 → 60 s
      { storeId: 'rep-a', clerkId: 'clerk-A', clerkName: 'Ann', served: 3, purchased: 2, conversion: 2 / 3, claimMedianMs: 60_000 },
      // Bo: v3 (90 s, purchased), v5 (120 s, browsed): 1/2, median rank ceil(1) = 1 → 90 s
      { storeId: 'rep-a', clerkId: 'clerk-B', clerkName: 'Bo', served: 2, purchased: 1, conversion: 0.5, claimMedianMs: 90_000 },
      // no clerk: v8 (45 s, still open)
      { storeId: 'rep-a', clerkId: null, clerkName: null, served: 1, purchased: 0, conversion: 0, claimMedianMs: 45_000 },
      // Cy served nobody; Mia (a manager) and Zed (disabled) get no zero row
      { storeId: 'rep-a', clerkId: 'clerk-C', clerkName: 'Cy', served: 0, purchased: 0, conversion: null, claimMedianMs: null },
    ]);
    // A disabled clerk who served keeps a row.
    const zed = day.map((f) => (f.visitId === 'v5' ? { ...f, clerkId: 'clerk-Z', clerkName: 'Zed' } : f));
    expect(perClerk(zed, kpiRoster()).map((r) => [r.clerkName, r.served])).toEqual([
      ['Ann', 3],
      ['Bo', 1],
      ['Zed', 1],
      [null, 1],
      ['Cy', 0],
    ]);
  });

  it('a claim closed as `left`, and no claim, are never served', () => {
    const left = day.map((f): VisitFact => (f.visitId === 'v2' ? { ...f, outcome: 'left' as VisitFact['outcome'] } : f));
    expect(computeKpis(left)).toMatchObject({ arrivals: 8, served: 5, purchased: 3 });
    expect(perClerk(left, []).find((r) => r.clerkId === 'clerk-A')).toMatchObject({ served: 2, purchased: 2 });
    expect(buildReport(left, { from: DAY_FROM, to: DAY_TO, served: false }, 'cache', null, []).visits.map((v) => v.visitId)).toEqual(['v7', 'v4', 'v2']);
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

  it('by local date over a week: every date, zeros included', () => {
    const from = DAY_FROM - 6 * 24 * 3600 * 1000;
    expect(byDay(KPI_VISITS, { from, to: DAY_TO, tzOffsetMin: 480 })).toEqual([
      { day: '2024-12-31', arrivals: 0, served: 0 },
      { day: '2025-01-01', arrivals: 0, served: 0 },
      { day: '2025-01-02', arrivals: 0, served: 0 },
      { day: '2025-01-03', arrivals: 0, served: 0 },
      { day: '2025-01-04', arrivals: 0, served: 0 },
      { day: '2025-01-05', arrivals: 1, served: 1 }, // v0
      { day: '2025-01-06', arrivals: 8, served: 6 },
    ]);
    // At UTC the same 7 × 24 h start at 16:00 on 30 December: they touch 8 dates.
    const utc = byDay(KPI_VISITS, { from, to: DAY_TO, tzOffsetMin: 0 });
    expect(utc.map((d) => d.day)).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06']);
    expect(utc.filter((d) => d.arrivals > 0)).toEqual([
      { day: '2025-01-05', arrivals: 1, served: 1 },
      { day: '2025-01-06', arrivals: 8, served: 6 },
    ]);
  });

  it('filters: range, clerk, tier, outcome, served', () => {
    const r = (extra: object) => buildReport(KPI_VISITS, { from: DAY_FROM, to: DAY_TO, ...extra }, 'cache', null, kpiRoster());
    expect(r({}).kpis.arrivals).toBe(8); // v0 is the day before
    expect(r({ tier: 'gold' }).kpis).toMatchObject({ arrivals: 2, served: 2, purchased: 2, conversion: 1 }); // v3 v6
    expect(r({ outcome: 'open' }).visits.map((v) => v.visitId)).toEqual(['v8', 'v7', 'v4']);
    expect(r({ outcome: 'purchased' }).kpis.arrivals).toBe(3);
    expect(r({ served: false }).kpis).toMatchObject({ arrivals: 2, served: 0, servedRate: 0 });
    expect(r({ limit: 2 })).toMatchObject({ truncated: true, visits: [{ visitId: 'v8' }, { visitId: 'v7' }] });
  });

  it('a clerk filter counts that clerk’s served visits among all the arrivals', () => {
    const r = (extra: object) => buildReport(KPI_VISITS, { from: DAY_FROM, to: DAY_TO, ...extra }, 'cache', null, kpiRoster());
    const ann = r({ clerkId: 'clerk-A' });
    expect(ann.visits.map((v) => v.visitId)).toEqual(['v6', 'v2', 'v1']);
    // Ann served 3 of the day's 8 arrivals (not 3 of 3); waits 30 60 300 s.
    expect(ann.kpis).toEqual({ arrivals: 8, served: 3, servedRate: 3 / 8, purchased: 2, conversion: 2 / 3, claimMedianMs: 60_000, claimP90Ms: 300_000 });
    expect(ann.perClerk.map((c) => c.clerkId)).toEqual(['clerk-A']);
    expect(ann.byHour.find((b) => b.hour === 10)).toEqual({ hour: 10, arrivals: 3, served: 2 }); // v1 v2 by Ann, v3 by Bo
    const cy = r({ clerkId: 'clerk-C' });
    expect(cy.kpis).toMatchObject({ arrivals: 8, served: 0, servedRate: 0, conversion: null });
    expect(cy.perClerk).toEqual([{ storeId: 'rep-a', clerkId: 'clerk-C', clerkName: 'Cy', served: 0, purchased: 0, conversion: null, claimMedianMs: null }]);
    expect(cy.visits).toEqual([]);
    expect(r({ clerkId: 'clerk-B', tier: 'gold' }).kpis).toMatchObject({ arrivals: 2, served: 1 }); // v3 (Bo) and v6 (Ann) are gold
  });
});

describe('the visits CSV', () => {
  const v1 = day[0]!;

  it('local time with the zone named, words in the export’s language, store, card code, source and notes', () => {
    const en = visitsCsv([v1, day[2]!], { lang: 'en', timeZone: 'Asia/Shanghai', tzOffsetMin: 480 }).split('\r\n');
    expect(en[0]).toBe(
      'Store,Visit,Arrived (Asia/Shanghai),Card code,Member,Tier,Source,Status,Served,Claimed (Asia/Shanghai),Claimed after (s),Clerk,Counter,Outcome,Closed (Asia/Shanghai),Notes',
    );
    expect(en[1]).toBe('rep-a,v1,2025-01-06 10:00:00,kpi-m1,王芳,Member,Door,Closed,Yes,2025-01-06 10:00:30,30,Ann,Counter 1,Purchased,2025-01-06 10:05:30,took the grey pair');
    expect(en[2]).toBe('rep-a,v3,2025-01-06 10:40:00,kpi-m2,李娜,Gold,Mini-program,Closed,Yes,2025-01-06 10:41:30,90,Bo,Counter 1,Purchased,2025-01-06 10:46:30,');
    const zh = visitsCsv([day[4]!, day[3]!], { lang: 'zh-CN', timeZone: 'Asia/Shanghai', tzOffsetMin: 480 }).split('\r\n');
    expect(zh[0]).toBe('门店,到店记录,到店时间（Asia/Shanghai）,会员卡号,会员,会员等级,来源,状态,已接待,认领时间（Asia/Shanghai）,认领用时（秒）,店员,柜台,结果,结束时间（Asia/Shanghai）,备注');
    expect(zh[1]).toBe('rep-a,v5,2025-01-06 11:30:00,kpi-m1,王芳,会员,门禁,已结束,是,2025-01-06 11:32:00,120,Bo,Counter 1,随便看看,2025-01-06 11:37:00,"wants 38.5, call when in | prefers white"');
    expect(zh[2]).toBe('rep-a,v4,2025-01-06 11:05:00,kpi-m1,王芳,会员,门禁,等待中,否,,,,,,,');
  });

  it('without a zone name: the fixed offset, named; formulas defused', () => {
    const csv = visitsCsv([{ ...v1, memberName: '=HYPERLINK("x")' }], { lang: 'en', tzOffsetMin: -210 }).split('\r\n');
    expect(csv[0]).toContain('Arrived (UTC-03:30)');
    expect(csv[1]).toContain(',2025-01-05 22:30:00,');
    expect(csv[1]).toContain(`,"'=HYPERLINK(""x"")",`);
  });

  it('a zone with daylight saving: the wall clock of each date', () => {
    expect(zoneOffsetMin('Europe/Berlin', Date.UTC(2025, 0, 6))).toBe(60);
    expect(zoneOffsetMin('Europe/Berlin', Date.UTC(2025, 6, 6))).toBe(120);
    expect(localDateTime(Date.UTC(2025, 6, 6, 8, 0, 0), 'Europe/Berlin', 0)).toBe('2025-07-06 10:00:00');
    expect(localDateTime(Date.UTC(2025, 0, 5, 16, 0, 0), 'Asia/Shanghai', 0)).toBe('2025-01-06 00:00:00');
  });
});
