// Restock matches on the desk (7/8): the store's matches read from the cache with this desk's
// queued acts laid over them, and the clerk's one-click acts on a member — send the style's product
// card in chat, set a follow-up call due today, or pass.
//
// Invariants:
// - An act is durable at once and works offline: its effect (the chat card, the task) and its record
//   (`restock.done`) are queued in the outbox together, shown as pending, settled by HQ's events.
// - One click, one effect: while an act on a member is queued, or after HQ recorded the same act, a
//   second one is refused here (a double click does not send two cards or make two tasks); a
//   different act later replaces the record (passed, then sent after all).
import { type RestockMatch, RESTOCK_MATCH_DAYS } from '../../../shared/assist.ts';
import { DeskError, type RestockAction, type RestockMatchView } from '../../../shared/deskApi.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData, OpOf, OutboxOp } from '../cache/queries.ts';

export const restockSubject = (matchId: string) => `restock:${matchId}`;
export const restockOfSubject = (subject: string) => (subject.startsWith('restock:') ? subject.slice(8) : null);

export interface DeskRestockOptions {
  /** Send the style's product card to the member (the chat's own send path). */
  sendCard(memberId: string, styleId: string): void;
  /** Make a call-back task for the member, due today, waiting for the style and size. */
  createTask(memberId: string, text: string, want: { styleId: string; size: number }): void;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  queued(): void;
  changed(): void;
}

/** The matches with the outbox's restock.done ops laid over their members. Pure. */
export function restockViews(matches: readonly RestockMatch[], ops: readonly OutboxOp[]): RestockMatchView[] {
  const acts = ops.filter((o): o is OpOf<'restock.done'> => o.type === 'restock.done');
  return matches.map((m) => ({
    ...m,
    members: m.members.map((x) => {
      const recorded = m.done.find((d) => d.memberId === x.memberId);
      const mine = acts.filter((o) => o.data.matchId === m.id && o.data.memberId === x.memberId);
      const queued = mine.filter((o) => o.state !== 'rejected').at(-1);
      const refused = queued ? undefined : mine.filter((o) => o.state === 'rejected').at(-1);
      const done = queued
        ? { how: queued.data.how, by: null, at: queued.createdAt, pending: true }
        : recorded
          ? { how: recorded.how, by: recorded.by, at: recorded.at, pending: false }
          : null;
      return { ...x, done, refused: refused ? (refused.rejection?.message ?? 'refused') : null };
    }),
  }));
}

export class DeskRestock {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: DeskRestockOptions,
  ) {}

  list(now = Date.now()): RestockMatchView[] {
    return restockViews(this.q.restock.list(now - RESTOCK_MATCH_DAYS * 24 * 60 * 60 * 1000), this.q.listOps());
  }

  act(a: RestockAction): { opId: string } {
    const match = this.q.restock.get(a.matchId);
    const member = match?.members.find((x) => x.memberId === a.memberId);
    if (!match || !member) throw new DeskError('not_found', `no restock match ${a.matchId} with member ${a.memberId} in this desk's cache`);
    const view = restockViews([match], this.q.listOps())[0]!.members.find((x) => x.memberId === a.memberId)!;
    if (view.done?.pending) throw new DeskError('invalid_argument', 'an act on this member is already queued');
    if (view.done && view.done.how === a.how) throw new DeskError('invalid_argument', `already recorded: ${a.how}`);
    // A refusal shown until now is moot once the clerk acts again.
    for (const o of this.q.opsOfVisit(restockSubject(a.matchId))) {
      if (o.type === 'restock.done' && o.state === 'rejected' && o.data.memberId === a.memberId) this.q.deleteOp(o.opId);
    }
    if (a.how === 'message') this.opts.sendCard(a.memberId, match.styleId);
    // No note: the task's headline says it all in the clerk's language (a note is one language for every desk).
    if (a.how === 'task') this.opts.createTask(a.memberId, '', { styleId: match.styleId, size: match.size });
    const opId = this.opts.enqueue('restock.done', restockSubject(a.matchId), { matchId: a.matchId, memberId: a.memberId, how: a.how });
    this.opts.queued();
    this.opts.changed();
    return { opId };
  }
}
