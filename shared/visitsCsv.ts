// The visits export as a store manager opens it in a spreadsheet: one row per visit, headers and
// values in the export's language (words, never codes), times as the store's wall clock with the
// zone named in the header. HQ (GET /v1/reports/visits.csv) and the desk's "Export CSV" write it
// with this one function, so its words live here rather than in the UI's catalogs (HQ cannot read
// those); they are the catalogs' words for the same things.
import { type ArrivalSource, type Tier, type VisitStatus } from './domain.ts';
import { claimWaitMs, isServed, type VisitFact } from './kpis.ts';
import { type Locale } from './reasons.ts';
import { localDateTime, zoneName } from './zoneTime.ts';

export const CSV_LANGS = ['zh-CN', 'en'] as const satisfies readonly Locale[];

interface Words {
  header: {
    store: string;
    visit: string;
    arrived: string;
    cardCode: string;
    member: string;
    tier: string;
    source: string;
    status: string;
    served: string;
    claimed: string;
    waitSeconds: string;
    clerk: string;
    counter: string;
    outcome: string;
    closed: string;
    notes: string;
  };
  tier: Record<Tier, string>;
  source: Record<ArrivalSource, string>;
  status: Record<VisitStatus, string>;
  /** Outcome codes to words; a code not listed is written as it is. */
  outcome: Record<string, string>;
  yes: string;
  no: string;
}

const WORDS: Record<Locale, Words> = {
  en: {
    header: {
      store: 'Store',
      visit: 'Visit',
      arrived: 'Arrived',
      cardCode: 'Card code',
      member: 'Member',
      tier: 'Tier',
      source: 'Source',
      status: 'Status',
      served: 'Served',
      claimed: 'Claimed',
      waitSeconds: 'Claimed after (s)',
      clerk: 'Clerk',
      counter: 'Counter',
      outcome: 'Outcome',
      closed: 'Closed',
      notes: 'Notes',
    },
    tier: { basic: 'Member', silver: 'Silver', gold: 'Gold', platinum: 'Platinum' },
    source: { door: 'Door', miniprogram: 'Mini-program', pos: 'Till', counter: 'Counter check-in' },
    status: { open: 'Waiting', claimed: 'Being served', closed: 'Closed' },
    outcome: { purchased: 'Purchased', tried: 'Tried on', browsed: 'Browsed', left: 'Left unserved' },
    yes: 'Yes',
    no: 'No',
  },
  'zh-CN': {
    header: {
      store: '门店',
      visit: '到店记录',
      arrived: '到店时间',
      cardCode: '会员卡号',
      member: '会员',
      tier: '会员等级',
      source: '来源',
      status: '状态',
      served: '已接待',
      claimed: '认领时间',
      waitSeconds: '认领用时（秒）',
      clerk: '店员',
      counter: '柜台',
      outcome: '结果',
      closed: '结束时间',
      notes: '备注',
    },
    tier: { basic: '会员', silver: '银卡', gold: '金卡', platinum: '白金卡' },
    source: { door: '门禁', miniprogram: '小程序', pos: '收银', counter: '柜台签到' },
    status: { open: '等待中', claimed: '接待中', closed: '已结束' },
    outcome: { purchased: '已购买', tried: '试穿', browsed: '随便看看', left: '未接待离店' },
    yes: '是',
    no: '否',
  },
};

export interface CsvOptions {
  lang: Locale;
  /** The store's IANA zone; without it, times are at tzOffsetMin and the header names that offset. */
  timeZone?: string;
  tzOffsetMin: number;
}

/** The header row's cells, in order. */
export function csvHeader(o: CsvOptions): string[] {
  const h = WORDS[o.lang].header;
  const zone = zoneName(o.timeZone, o.tzOffsetMin);
  const at = (word: string) => (o.lang === 'zh-CN' ? `${word}（${zone}）` : `${word} (${zone})`);
  return [h.store, h.visit, at(h.arrived), h.cardCode, h.member, h.tier, h.source, h.status, h.served, at(h.claimed), h.waitSeconds, h.clerk, h.counter, h.outcome, at(h.closed), h.notes];
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  // Quote what needs it, and defuse spreadsheet formulas (=, +, -, @ at the start).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Visits as CSV (RFC 4180, CRLF), one row per visit, in the options' language and zone. */
export function visitsCsv(facts: readonly VisitFact[], o: CsvOptions): string {
  const w = WORDS[o.lang];
  const time = (at: number | null) => (at === null ? null : localDateTime(at, o.timeZone, o.tzOffsetMin));
  const lines = [csvHeader(o).map(csvField).join(',')];
  for (const f of facts) {
    const wait = claimWaitMs(f);
    lines.push(
      [
        f.storeName || f.storeId,
        f.visitId,
        time(f.arrivedAt),
        f.memberCode,
        f.memberName,
        w.tier[f.tier],
        w.source[f.source],
        w.status[f.status],
        isServed(f) ? w.yes : w.no,
        time(f.claimedAt),
        wait === null ? null : Math.round(wait / 1000),
        f.clerkName,
        f.deviceName,
        f.outcome === null ? null : (w.outcome[f.outcome] ?? f.outcome),
        time(f.closedAt),
        f.notes.join(' | '),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}
