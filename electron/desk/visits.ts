// Visits as the clerk sees them: HQ's confirmed state with the outbox replayed on top (overlay.ts),
// and what this process remembers about them — which arrivals it alerted, which local actions HQ
// confirmed (VisitView.sync = 'confirmed'; not persisted: after a restart a settled visit shows null).
import { DeskError, type ActionResult, type ListArrivalsArgs, type ListVisitsArgs, type MemberView, type NoteView, type VisitView } from '../../shared/deskApi.ts';
import type { Actor } from '../../shared/domain.ts';
import type { VisitCommandType } from '../../shared/protocol.ts';
import type { z } from 'zod';
import type { CacheQueries, OpData } from './cache/queries.ts';
import { visitView } from './overlay.ts';

/** Arrival alerts remembered: a desk left running for months must not grow this forever. */
const ARRIVAL_ALERT_MEMORY = 5000;

export interface VisitsOptions {
  self(): Actor;
  clerkName(clerkId: string): string | undefined;
  /** Queues a clerk action durably (outbox.ts); answers its opId. */
  enqueue<T extends VisitCommandType>(type: T, visitId: string, data: OpData<T>): string;
  /** An action was queued and shown: the connection state, counts and flush follow. */
  queued(): void;
  /** Visits changed: show them again. */
  changed(visits: VisitView[]): void;
  /** A new member arrived: raise an alert. */
  arrived(visit: VisitView): void;
}

export class Visits {
  /** Visits whose last local action HQ confirmed in this process. */
  private readonly confirmed = new Set<string>();
  /** Visits already alerted in this process: an arrival alert is raised once per visit. */
  private readonly alerted = new Set<string>();

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: VisitsOptions,
  ) {}

  view(visitId: string): VisitView | null {
    const visit = this.q.getVisit(visitId);
    if (!visit) return null;
    const view = visitView(
      visit,
      this.q.getMember(visit.memberId),
      this.q.opsOfVisit(visitId),
      this.opts.self(),
      this.confirmed.has(visitId),
      (id) => this.opts.clerkName(id),
      this.q.latestNotice(visitId),
    );
    // 5/8: the member said they would come — the arrival card says what for and from where.
    view.expected = this.q.expected.byVisit(visitId);
    return view;
  }

  arrivals(a: z.infer<typeof ListArrivalsArgs>): VisitView[] {
    return this.q.listVisits({ from: a.since, limit: a.limit ?? 200 }).map((v) => this.view(v.id)!);
  }

  list(a: z.infer<typeof ListVisitsArgs>): VisitView[] {
    const limit = a.limit ?? 500;
    // The status filter applies to what the clerk sees (with pending actions), so filter views.
    const rows = this.q.listVisits({ from: a.from, to: a.to, limit: a.status ? 10_000 : limit });
    const views = rows.map((v) => this.view(v.id)!);
    return (a.status ? views.filter((v) => v.status === a.status) : views).slice(0, limit);
  }

  /** The member as this cache holds it (memberProfiles.ts refreshes it from HQ first when it can). */
  member(memberId: string): MemberView | null {
    const profile = this.q.getProfile(memberId);
    if (!profile) return null;
    const visits = this.q.visitsOfMember(memberId).map((v) => this.view(v.id)!);
    const notes: NoteView[] = visits.flatMap((v) => v.notes).sort((a, b) => b.at - a.at);
    return { ...profile, visits, notes, profileAt: this.q.profileReceivedAt(memberId) };
  }

  /** A clerk action on a cached visit: queued, and shown at once as pending. */
  act<T extends VisitCommandType>(type: T, visitId: string, data: OpData<T>): ActionResult {
    if (!this.q.getVisit(visitId)) throw new DeskError('not_found', `no visit ${visitId} in this desk's cache`);
    const opId = this.opts.enqueue(type, visitId, data);
    // The clerk's own action supersedes an old rejection on the same visit.
    this.confirmed.delete(visitId);
    this.show([visitId]);
    this.opts.queued();
    return { opId };
  }

  /** The clerk has read the visit's notices: they go (from the cache too) and the visit is shown again. */
  dismissNotice(visitId: string): void {
    if (this.q.tx(() => this.q.dismissNotices(visitId)) > 0) this.show([visitId]);
  }

  /** HQ answered a local action on the visit: confirmed (true), refused (false), or neither yet (null). */
  answered(visitId: string, confirmed: boolean | null): void {
    if (confirmed === true) this.confirmed.add(visitId);
    else if (confirmed === false) this.confirmed.delete(visitId);
  }

  /** A visit arrived: its view, alerted once per process; undefined when it already was. */
  arrived(visitId: string): VisitView | null | undefined {
    if (this.alerted.has(visitId)) return undefined;
    this.alerted.add(visitId);
    // Old visits never re-arrive as `arrival` events outside a replay window this large.
    if (this.alerted.size > ARRIVAL_ALERT_MEMORY) this.alerted.delete(this.alerted.values().next().value!);
    const visit = this.view(visitId);
    if (visit) this.opts.arrived(visit);
    return visit;
  }

  /** Shows visits again; `known` holds views built earlier in the same batch that are still current. */
  show(ids: readonly string[], known?: ReadonlyMap<string, VisitView | null>): void {
    const visits = ids.map((id) => (known?.has(id) ? known.get(id)! : this.view(id))).filter((v): v is VisitView => v !== null);
    if (visits.length) this.opts.changed(visits);
  }
}
