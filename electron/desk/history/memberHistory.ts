// The member page on the desk: a chain member's history, and member-level notes.
//
// Invariant: what the page shows is HQ's history as last received, never a guess, with the time it
// was received. Online, it is fetched from HQ (GET /v1/desk/members/{id}/history, at most
// LOOKUP_TIMEOUT_MS) and written to the cache first; offline, or when HQ does not answer, the cached
// copy is shown and says so (fromCache, fetchedAt). Member notes the clerk adds are queued in the
// outbox under `mnote:<memberId>` and shown at once as pending (an overlay of confirmed notes +
// outbox, never written into the confirmed table); the `member.noted` event naming the op settles it.
import type { ActionResult } from '../../../shared/deskApi.ts';
import { DeskError } from '../../../shared/deskApi.ts';
import type { Actor } from '../../../shared/domain.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type MemberNoteView, type MemberPageView, MemberHistoryResponse } from '../../../shared/memberHistory.ts';
import { monthDayOf } from '../../../shared/anniversary.ts';
import { describeIssues } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import type { HqHttp } from '../hqAddresses.ts';
import { LOOKUP_TIMEOUT_MS } from '../memberProfiles.ts';
import type { StorageGuard } from '../upkeep/storageGuard.ts';
import { getHistory, memberNoteSubject, notesOf, putHistory } from './historyQueries.ts';

export interface MemberHistoriesOptions {
  hq: HqHttp;
  token: string;
  /** The desk is live with HQ. */
  online(): boolean;
  /** This counter, for a pending note's byline. */
  self(): Actor;
  /** A clerk's name, for a pending note's byline. */
  clerkName(clerkId: string): string | undefined;
  enqueue(memberId: string, data: OpData<'member.note'>): string;
  /** A note was queued: refresh counts, flush when live, tell the UI. */
  queued(memberId: string): void;
  log: (line: string) => void;
  now?: () => number;
}

export class MemberHistories {
  /** One HQ request per member at a time: a second caller waits for the first. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly now: () => number;

  constructor(
    private readonly q: CacheQueries,
    private readonly guard: StorageGuard,
    private readonly opts: MemberHistoriesOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** The member's page: fresh from HQ when it answers, else the cached copy; null for a member unknown here and at HQ. */
  async page(memberId: string): Promise<MemberPageView | null> {
    let fetched = false;
    if (this.opts.online()) {
      let request = this.inFlight.get(memberId);
      if (!request) {
        request = this.refresh(memberId).finally(() => this.inFlight.delete(memberId));
        this.inFlight.set(memberId, request);
      }
      fetched = await request;
    }
    return this.view(memberId, !fetched);
  }

  /** Queues a member note (its id made here, so the pending note and HQ's are the same row). */
  addNote(memberId: string, text: string): ActionResult {
    if (!getHistory(this.q.db, memberId) && !this.q.getMember(memberId)) throw new DeskError('not_found', `no member ${memberId} in this desk's cache`);
    const opId = this.opts.enqueue(memberId, { memberId, noteId: uuidv7(), text });
    this.opts.queued(memberId);
    return { opId };
  }

  /** The page as the cache holds it, with queued notes overlaid. */
  view(memberId: string, fromCache: boolean): MemberPageView | null {
    const cached = getHistory(this.q.db, memberId);
    const member = cached?.history.member ?? this.q.getMember(memberId);
    if (!member) return null;
    const confirmed: MemberNoteView[] = (cached?.history.notes ?? notesOf(this.q.db, memberId)).map((n) => ({ ...n, sync: 'confirmed' }));
    const known = new Set(confirmed.map((n) => n.id));
    const self = this.opts.self();
    const storeId = this.q.getIdentity()?.storeId ?? '';
    const local: MemberNoteView[] = [];
    for (const op of this.q.opsOfVisit(memberNoteSubject(memberId))) {
      if (op.type !== 'member.note' || known.has(op.data.noteId)) continue;
      const clerkName = op.data.clerkId ? this.opts.clerkName(op.data.clerkId) : undefined;
      const by: Actor = op.data.clerkId ? { ...self, clerkId: op.data.clerkId, ...(clerkName ? { clerkName } : {}) } : self;
      local.push({ id: op.data.noteId, memberId, text: op.data.text, storeId, by, at: op.createdAt, sync: op.state === 'rejected' ? 'rejected' : 'pending' });
    }
    const notes = [...local, ...confirmed].sort((a, b) => b.at - a.at);
    if (!cached) {
      // Never fetched here: the member record only; visits and purchases are unknown (fetchedAt null).
      return { member, anniversary: monthDayOf(member.joinedAt), visits: [], purchases: [], notes, more: { visits: false, purchases: false, notes: false }, fetchedAt: null, fromCache: true };
    }
    const { notes: _n, ...rest } = cached.history;
    return { ...rest, notes, fetchedAt: cached.fetchedAt, fromCache };
  }

  /** GET the history into the cache; answers whether it did (a failure leaves the cache as it was, and is logged). */
  private async refresh(memberId: string): Promise<boolean> {
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/members/${encodeURIComponent(memberId)}/history`, { headers: { authorization: `Bearer ${this.opts.token}` } }, LOOKUP_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: history of ${memberId} from HQ failed, showing the cache: ${(err as Error).message}`);
      return false;
    }
    if (!res.ok) {
      if (res.status !== 404) this.opts.log(`desk: history of ${memberId} from HQ refused: HTTP ${res.status}`);
      return false;
    }
    const parsed = MemberHistoryResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log(`desk: HQ sent a malformed member history: ${describeIssues(parsed.error)}`);
      return false;
    }
    if (!this.q.db.open) return false; // the desk closed while HQ answered
    const { history } = parsed.data;
    try {
      this.guard.write(() => this.q.tx(() => putHistory(this.q.db, memberId, history, this.now())));
    } catch (err) {
      this.opts.log(`desk: could not cache the history of ${memberId}: ${(err as Error).message}`);
      return false;
    }
    return true;
  }
}
