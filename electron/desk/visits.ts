// Visits as the clerk sees them: HQ's confirmed state with the outbox replayed on top (overlay.ts),
// and what this process remembers about them — which arrivals it alerted, which local actions HQ
// confirmed (VisitView.sync = 'confirmed'; not persisted: after a restart a settled visit shows null).
import { DeskError, type ActionResult, type ListArrivalsArgs, type ListVisitsArgs, type MemberView, type NoteView, type VisitView } from '../../shared/deskApi.ts';
import type { Actor, Member, Visit } from '../../shared/domain.ts';
import type { VisitCommandType } from '../../shared/protocol.ts';
import type { z } from 'zod';
import type { CacheQueries, OpData } from './cache/queries.ts';
import type { InboxChange } from './inbox.ts';
import { visitView } from './overlay.ts';
import { RecentIds } from './recentIds.ts';

/** Arrival alerts remembered: a desk left running for months must not grow this forever. */
const ARRIVAL_ALERT_MEMORY = 5000;
/** While catching up, an arrival older than this is not alerted (HQ's repeat window: a member seen within it is the same visit). */
export const ARRIVAL_ALERT_RECENT_MS = 30 * 60_000;

/** Visits and members as a committed batch wrote them (InboxChange.written): their rows now. */
export type Written = NonNullable<InboxChange['written']>;

/** A visit as the cache gives it back: its fields, then its notes (putVisit stores them apart). */
function asStored(v: Visit): Visit {
  const { notes, ...rest } = v;
  return { ...rest, notes: [...notes] };
}

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
  private readonly alerted = new RecentIds(ARRIVAL_ALERT_MEMORY);
  /** Bumped by each clerk action here that changes a view (views built before it are stale). */
  private version = 0;

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: VisitsOptions,
  ) {}

  view(visitId: string): VisitView | null {
    return this.views([visitId]).get(visitId) ?? null;
  }

  /**
   * The views of many visits (those the cache holds), by id, read in one statement per table: a
   * replay batch of 200 arrivals is six statements, not six per visit (bench/resume.ts).
   */
  views(visitIds: readonly string[], written?: Written): Map<string, VisitView> {
    if (!written) return this.viewsOf([...this.q.visitsByIds(visitIds).values()]);
    // A batch's visits and members as it wrote them need no reading back (a replay batch wrote most
    // of what it shows; reading and parsing them again was a tenth of a resume, bench/resume.ts).
    // A visit with notes is read: the cache gives its notes in (at, id) order.
    const visits: Visit[] = [];
    const unread: string[] = [];
    for (const id of visitIds) {
      const v = written.visits.get(id);
      if (v && v.notes.length === 0) visits.push(asStored(v));
      else unread.push(id);
    }
    if (unread.length) visits.push(...this.q.visitsByIds(unread).values());
    return this.viewsOf(visits, written.members);
  }

  /** Views of visits already read (notes included): members, outbox ops, notices and cues in one statement each. */
  private viewsOf(visits: readonly Visit[], written?: ReadonlyMap<string, Member>): Map<string, VisitView> {
    const out = new Map<string, VisitView>();
    if (visits.length === 0) return out;
    const ids = visits.map((v) => v.id);
    const memberIds = [...new Set(visits.map((v) => v.memberId))];
    const members = this.q.membersByIds(memberIds.filter((id) => !written?.has(id)));
    for (const [id, m] of written ?? []) members.set(id, m);
    const ops = this.q.opsOfVisits(ids);
    const notices = this.q.latestNotices(ids);
    const cues = this.q.expected.byVisits(ids);
    const self = this.opts.self();
    const clerkName = (id: string) => this.opts.clerkName(id);
    for (const visit of visits) {
      const view = visitView(visit, members.get(visit.memberId) ?? null, ops.get(visit.id) ?? [], self, this.confirmed.has(visit.id), clerkName, notices.get(visit.id) ?? null);
      // 5/8: the member said they would come — the arrival card says what for and from where.
      // (Absent, not null, on the visits of members who said nothing: views compare equal to HQ's visits.)
      const expected = cues.get(visit.id);
      if (expected) view.expected = expected;
      out.set(visit.id, view);
    }
    return out;
  }

  arrivals(a: z.infer<typeof ListArrivalsArgs>): VisitView[] {
    return [...this.viewsOf(this.q.listVisits({ from: a.since, limit: a.limit ?? 200 })).values()];
  }

  list(a: z.infer<typeof ListVisitsArgs>): VisitView[] {
    const limit = a.limit ?? 500;
    // The status filter applies to what the clerk sees (with pending actions), so filter views.
    const rows = this.q.listVisits({ from: a.from, to: a.to, limit: a.status ? 10_000 : limit });
    const views = [...this.viewsOf(rows).values()];
    return (a.status ? views.filter((v) => v.status === a.status) : views).slice(0, limit);
  }

  /** The member as this cache holds it (memberProfiles.ts refreshes it from HQ first when it can). */
  member(memberId: string): MemberView | null {
    const profile = this.q.getProfile(memberId);
    if (!profile) return null;
    const visits = [...this.viewsOf(this.q.visitsOfMember(memberId)).values()];
    const notes: NoteView[] = visits.flatMap((v) => v.notes).sort((a, b) => b.at - a.at);
    return { ...profile, visits, notes, profileAt: this.q.profileReceivedAt(memberId) };
  }

  /** A clerk action on a cached visit: queued, and shown at once as pending. */
  act<T extends VisitCommandType>(type: T, visitId: string, data: OpData<T>): ActionResult {
    if (!this.q.getVisit(visitId)) throw new DeskError('not_found', `no visit ${visitId} in this desk's cache`);
    const opId = this.opts.enqueue(type, visitId, data);
    // The clerk's own action supersedes an old rejection on the same visit.
    this.confirmed.delete(visitId);
    this.version++;
    this.show([visitId]);
    this.opts.queued();
    return { opId };
  }

  /** The clerk has read the visit's notices: they go (from the cache too) and the visit is shown again. */
  dismissNotice(visitId: string): void {
    if (this.q.tx(() => this.q.dismissNotices(visitId)) > 0) {
      this.version++;
      this.show([visitId]);
    }
  }

  /** HQ answered a local action on the visit: confirmed (true), refused (false), or neither yet (null). */
  answered(visitId: string, confirmed: boolean | null): void {
    if (confirmed === true) this.confirmed.add(visitId);
    else if (confirmed === false) this.confirmed.delete(visitId);
  }

  /**
   * After a batch is applied: the alerts of its arrivals that still need the clerk, raised from the
   * batch's end state, each visit once per process. Not alerted: a visit no longer open as the clerk
   * sees it (claimed or closed by the batch's later events), one superseded by a later arrival of the
   * same member in the batch, and — while the desk catches up on what it missed — one that arrived
   * more than ARRIVAL_ALERT_RECENT_MS ago (it waits in the queue; a sound for it is no news). The
   * desk's clock only gates catch-up alerts, so a desk with a wrong clock still alerts every live
   * arrival. `known`: the batch's views (show), used while no clerk action here changed them.
   */
  alert(visitIds: readonly string[], known: ReadonlyMap<string, VisitView>, catchingUp: boolean, now = Date.now()): void {
    const version = this.version;
    const views = (id: string) => (this.version === version ? known.get(id) : undefined) ?? this.view(id);
    const latest = new Map<string, string>(); // member → their last arrival in the batch
    for (const id of visitIds) {
      const memberId = known.get(id)?.memberId;
      if (memberId) latest.set(memberId, id);
    }
    for (const id of visitIds) {
      // Old visits never re-arrive as `arrival` events outside a replay window this large.
      if (!this.alerted.add(id)) continue;
      const visit = views(id);
      if (!visit || visit.status !== 'open' || latest.get(visit.memberId) !== id) continue;
      if (catchingUp && visit.arrivedAt < now - ARRIVAL_ALERT_RECENT_MS) continue;
      this.opts.arrived(visit); // a listener may act on it (a claim): later views are then read again
    }
  }

  /** Shows visits again in one `visits` event, their views read once (`written`: what a batch wrote, see views); answers them. */
  show(ids: readonly string[], written?: Written): ReadonlyMap<string, VisitView> {
    const views = this.views(ids, written);
    const visits = ids.flatMap((id) => views.get(id) ?? []);
    if (visits.length) this.opts.changed(visits);
    return views;
  }
}
