// The store manager's reports on the desk: from HQ when online with a manager session, from
// the desk cache otherwise (the same definitions: shared/kpis.ts), saying what range the cache holds.
import type Database from 'better-sqlite3';
import { type ClerkPublic } from '../../../shared/clerks.ts';
import { type Member, type Message, type Note, type Visit } from '../../../shared/domain.ts';
import {
  buildReport,
  type ClerkKpis,
  compareTimeline,
  type DayBucket,
  type HourBucket,
  type Kpis,
  messageWindow,
  ReportArgs,
  type RosterClerk,
  type TimelineEntry,
  type VisitFact,
  type VisitReport,
  type VisitTimeline,
} from '../../../shared/kpis.ts';
import { type HqHttp } from '../hqAddresses.ts';
import { type AssistKpis } from '../../../shared/assist.ts'; // 7/8 attribution

/** The desk's own store, for the facts' store columns. */
export type DeskStore = { storeId: string; storeName: string } | null;

const HTTP_TIMEOUT_MS = 6000;

const actorName = (a: Visit['claimedBy']) => a?.clerkName ?? a?.deviceName ?? null;

/** Notes oldest first (ties by id, as HQ orders them). */
const byTime = (a: Note, b: Note) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function factOf(v: Visit, m: Pick<Member, 'name' | 'tier' | 'code'> | null, store: DeskStore, notes: readonly Note[] = v.notes ?? []): VisitFact {
  return {
    storeId: v.storeId,
    storeName: store && store.storeId === v.storeId ? store.storeName : v.storeId,
    visitId: v.id,
    memberId: v.memberId,
    memberCode: m?.code ?? '',
    memberName: m?.name ?? '',
    tier: m?.tier ?? 'basic',
    source: v.source,
    status: v.status,
    arrivedAt: v.arrivedAt,
    claimedAt: v.claimedAt,
    closedAt: v.closedAt,
    outcome: v.outcome,
    clerkId: v.claimedBy?.clerkId ?? null,
    clerkName: v.claimedBy?.clerkName ?? null,
    deviceName: v.claimedBy?.deviceName ?? null,
    notes: [...notes].sort(byTime).map((n) => n.text),
  };
}

/** What the timeline shows of a message: its text, a product card's name; nothing for an image or a recalled one. */
export const messageText = (m: Pick<Message, 'kind' | 'body' | 'product' | 'recalledAt'>): string | null =>
  m.recalledAt !== null ? null : m.kind === 'product' ? (m.product?.name ?? null) : m.body || null;

export class ManagerReports {
  private readonly q;

  constructor(
    db: Database.Database,
    private readonly store: () => DeskStore,
  ) {
    this.q = {
      range: db.prepare<[], { lo: number | null; hi: number | null }>('SELECT MIN(arrived_at) AS lo, MAX(arrived_at) AS hi FROM visits'),
      visits: db.prepare<[number, number], { v: string; m: string | null }>(
        'SELECT v.json AS v, m.json AS m FROM visits v LEFT JOIN members m ON m.id = v.member_id WHERE v.arrived_at >= ? AND v.arrived_at < ?',
      ),
      visit: db.prepare<[string], { v: string; m: string | null }>('SELECT v.json AS v, m.json AS m FROM visits v LEFT JOIN members m ON m.id = v.member_id WHERE v.id = ?'),
      notes: db.prepare<[string], { json: string }>('SELECT json FROM notes WHERE visit_id = ? ORDER BY at'),
      rangeNotes: db.prepare<[number, number], { json: string }>(
        'SELECT n.json FROM notes n JOIN visits v ON v.id = n.visit_id WHERE v.arrived_at >= ? AND v.arrived_at < ?',
      ),
      messages: db.prepare<[string], { json: string }>('SELECT json FROM chat_messages WHERE member_id = ? ORDER BY n'),
    };
  }

  /** The report from the cache; `clerks`: the store's enabled clerks, so those who served nobody get a row. */
  fromCache(args: ReportArgs, clerks: readonly ClerkPublic[]): VisitReport {
    const a = ReportArgs.parse(args);
    const store = this.store();
    const roster: RosterClerk[] = store ? clerks.map((c) => ({ ...c, storeId: store.storeId, enabled: true })) : [];
    const notes = new Map<string, Map<string, Note>>();
    for (const r of this.q.rangeNotes.all(a.from, a.to)) {
      const n = JSON.parse(r.json) as Note;
      let of = notes.get(n.visitId);
      if (!of) notes.set(n.visitId, (of = new Map()));
      of.set(n.id, n);
    }
    const facts = this.q.visits.all(a.from, a.to).map((r) => {
      const v = JSON.parse(r.v) as Visit;
      return factOf(v, r.m ? (JSON.parse(r.m) as Member) : null, store, mergeNotes(v.notes ?? [], notes.get(v.id)?.values() ?? []));
    });
    const range = this.q.range.get()!;
    return buildReport(facts, args, 'cache', { from: range.lo, to: range.hi }, roster);
  }

  async fromHq(hq: HqHttp, headers: Record<string, string>, args: ReportArgs): Promise<VisitReport> {
    const a = ReportArgs.parse(args);
    const qs = new URLSearchParams({ from: String(a.from), to: String(a.to), tz: String(a.tzOffsetMin), limit: String(a.limit) });
    if (a.timeZone) qs.set('zone', a.timeZone);
    if (a.clerkId) qs.set('clerk', a.clerkId);
    if (a.tier) qs.set('tier', a.tier);
    if (a.outcome) qs.set('outcome', a.outcome);
    if (a.served !== undefined) qs.set('served', String(a.served));
    const get = async <T>(path: string): Promise<T> => {
      const res = await hq.fetch(`${path}?${qs}`, { headers }, HTTP_TIMEOUT_MS);
      if (!res.ok) throw new Error(`HQ answered ${res.status} for ${path}`);
      return (await res.json()) as T;
    };
    const [k, v] = await Promise.all([
      get<{ kpis: Kpis; perClerk: ClerkKpis[]; byHour: HourBucket[]; byDay: DayBucket[]; assist?: AssistKpis }>('/v1/reports/kpis'),
      get<{ visits: VisitFact[]; truncated: boolean }>('/v1/reports/visits'),
    ]);
    return {
      source: 'hq',
      from: a.from,
      to: a.to,
      cacheRange: null,
      kpis: k.kpis,
      perClerk: k.perClerk,
      byHour: k.byHour,
      byDay: k.byDay,
      visits: v.visits,
      truncated: v.truncated,
      assist: k.assist ?? null, // 7/8 attribution (absent from an HQ before 7/8)
    };
  }

  /** One visit's timeline from HQ (GET /v1/reports/timeline); null when HQ does not know the visit. */
  async timelineFromHq(hq: HqHttp, headers: Record<string, string>, visitId: string): Promise<VisitTimeline | null> {
    const res = await hq.fetch(`/v1/reports/timeline?${new URLSearchParams({ visit: visitId })}`, { headers }, HTTP_TIMEOUT_MS);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`HQ answered ${res.status} for the timeline`);
    return (await res.json()) as VisitTimeline;
  }

  /** Arrival, claim, notes, the member's chat messages during the visit and its close, in time order. */
  timeline(visitId: string): VisitTimeline | null {
    const row = this.q.visit.get(visitId);
    if (!row) return null;
    const v = JSON.parse(row.v) as Visit;
    const notes = mergeNotes(v.notes ?? [], this.q.notes.all(visitId).map((r) => JSON.parse(r.json) as Note));
    const fact = factOf(v, row.m ? (JSON.parse(row.m) as Member) : null, this.store(), notes);
    const entry = (at: number, kind: TimelineEntry['kind'], by: string | null, more: Partial<TimelineEntry> = {}): TimelineEntry => ({
      at,
      kind,
      by,
      from: null,
      text: null,
      image: null,
      outcome: null,
      ...more,
    });
    const entries: TimelineEntry[] = [entry(v.arrivedAt, 'arrival', null)];
    if (v.arrivals > 1) entries.push(entry(v.lastSeenAt, 'repeat', null, { text: String(v.arrivals) }));
    // The claim is the first holder's; a take-over names the next (claimedBy is the last holder).
    if (v.claimedAt !== null) entries.push(entry(v.claimedAt, 'claim', actorName(v.takeovers?.[0]?.from ?? v.claimedBy)));
    for (const t of v.takeovers ?? []) entries.push(entry(t.at, 'takeover', actorName(t.by), { text: actorName(t.from) }));
    for (const n of notes) entries.push(entry(n.at, 'note', n.by.clerkName ?? n.by.deviceName, { text: n.text }));
    const win = messageWindow(v);
    for (const r of this.q.messages.all(v.memberId)) {
      const m = JSON.parse(r.json) as Message;
      if (m.at < win.from || m.at > win.to) continue;
      entries.push(
        entry(m.at, 'message', m.from === 'member' ? fact.memberName || null : actorName(m.by), {
          from: m.from,
          text: messageText(m),
          image: m.recalledAt === null ? (m.image ?? null) : null,
        }),
      );
    }
    if (v.closedAt !== null) entries.push(entry(v.closedAt, 'close', actorName(v.claimedBy), { outcome: v.outcome }));
    entries.sort(compareTimeline);
    return { visit: fact, entries };
  }
}

/** A visit's notes as the visit carries them and as the notes table holds them, once each, oldest first. */
function mergeNotes(carried: Iterable<Note>, stored: Iterable<Note>): Note[] {
  const byId = new Map<string, Note>();
  for (const n of carried) byId.set(n.id, n);
  for (const n of stored) byId.set(n.id, n);
  return [...byId.values()].sort(byTime);
}
