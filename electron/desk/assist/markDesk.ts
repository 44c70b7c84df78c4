// Marks on the arrival card (7/8): the clerk says a suggestion of a visit was used or not relevant,
// offline as well as online. Each mark is queued durably in the outbox (subject `mark:<visitId>`),
// shown at once as pending over HQ's confirmed marks (markViews.ts), settled by the `suggest.marked`
// event naming its op, and shown as refused (with HQ's reason) until the clerk marks it again.
//
// Invariant: a desk marks only visits it has — its own store's (the cache holds no other store's
// visits); an unknown visit is `not_found` here, before anything is queued.
import type { MarkVerdict, SuggestionRole } from '../../../shared/assist.ts';
import { DeskError, type ActionResult, type SuggestionMarkView } from '../../../shared/deskApi.ts';
import type { Actor } from '../../../shared/domain.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import { markSubject, markViews } from './markViews.ts';

export interface MarkDeskOptions {
  self(): Actor;
  /** A cache write through the storage guard (durable: its commit fsynced, as an outbox op's is). */
  write<T>(fn: () => T, durable?: boolean): T;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  /** A clerk action was queued: counts, connection and the flush follow. */
  queued(): void;
  /** A visit's marks changed (shown again by the UI). */
  changed(visitId: string): void;
}

export class MarkDesk {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: MarkDeskOptions,
  ) {}

  list(visitId: string): SuggestionMarkView[] {
    return markViews(visitId, this.q.marks.ofVisit(visitId), this.q.opsOfVisit(markSubject(visitId)), this.opts.self());
  }

  mark(visitId: string, styleId: string, role: SuggestionRole, verdict: MarkVerdict): ActionResult {
    if (!this.q.getVisit(visitId)) throw new DeskError('not_found', 'no such visit at this store');
    const subject = markSubject(visitId);
    const opId = this.opts.write(() => {
      // Marking again is the clerk's answer to an earlier refusal of the same suggestion.
      for (const op of this.q.opsOfVisit(subject)) {
        if (op.state === 'rejected' && op.type === 'suggest.mark' && op.data.styleId === styleId) this.q.deleteOp(op.opId);
      }
      return this.opts.enqueue('suggest.mark', subject, { visitId, styleId, role, verdict });
    }, true);
    this.opts.queued();
    this.opts.changed(visitId);
    return { opId };
  }
}
