// The optimistic view: confirmed state from HQ plus the outbox replayed on top of it.
//
// Nothing optimistic is ever written into the confirmed tables. A view is recomputed from
// (confirmed visit, outbox ops) whenever either changes, so it survives restarts (the outbox is on
// disk) and a rejection simply stops being applied instead of having to be undone.
import type { NoteView, SyncState, VisitNotice, VisitView } from '../../shared/deskApi.ts';
import type { Actor, Member, Visit } from '../../shared/domain.ts';
import type { OpOf, OutboxOp } from './cache/queries.ts';

type VisitAction = NonNullable<VisitView['pendingAction']>;

export function memberSummary(member: Member | null, memberId: string): VisitView['member'] {
  if (!member) {
    // Should not happen (visits arrive with their profile); degrade to something renderable.
    return { id: memberId, code: '', name: memberId, nameEn: '', tier: 'basic', sizes: { eu: 40, cn: 250 }, preferences: [], phoneMasked: '' };
  }
  const { id, code, name, nameEn, tier, sizes, preferences, phoneMasked } = member;
  // `birthday` (MM-DD, no year): the birthday-week cue on the arrival (4/8 part A).
  return { id, code, name, nameEn, tier, sizes, preferences, phoneMasked, birthday: member.birthday ?? null };
}

/**
 * Applies the outbox ops of one visit (in clerk order) to its confirmed state.
 * `confirmedLocally` says a local action on this visit was confirmed earlier in this process.
 */
export function visitView(
  visit: Visit,
  member: Member | null,
  ops: readonly OutboxOp[],
  self: Actor,
  confirmedLocally = false,
  clerkName: (clerkId: string) => string | undefined = () => undefined,
  notice: VisitNotice | null = null,
): VisitView {
  const view: VisitView = {
    ...visit,
    notes: visit.notes.map((n): NoteView => ({ ...n, sync: 'confirmed' })),
    member: memberSummary(member, visit.memberId),
    sync: confirmedLocally ? 'confirmed' : null,
    pendingAction: null,
    rejection: null,
    notice,
  };
  for (const op of ops) {
    // A pending action shows the clerk who made it (stored with the op), not whoever is signed in now.
    const by = actorOf(op, self, clerkName);
    if (op.state === 'rejected') {
      // A refused note stays visible (the clerk never loses what was typed) but marked.
      if (op.type === 'note') view.notes.push(localNote(op, visit, by, 'rejected'));
      view.sync = 'rejected';
      view.pendingAction = op.type as VisitAction;
      view.rejection = op.rejection;
      continue;
    }
    applyOp(view, op, visit, by);
    view.sync = 'pending';
    view.pendingAction = op.type as VisitAction;
    view.rejection = null;
  }
  return view;
}

function applyOp(view: VisitView, op: OutboxOp, visit: Visit, self: Actor): void {
  switch (op.type) {
    case 'claim':
      if (view.status === 'closed') return;
      view.status = 'claimed';
      view.claimedBy = self;
      view.claimedAt = op.createdAt;
      return;
    case 'takeover':
      if (view.status === 'closed') return;
      if (view.status === 'open') view.claimedAt = op.createdAt;
      view.status = 'claimed';
      view.claimedBy = self;
      return;
    case 'left':
      if (view.status !== 'open') return;
      view.status = 'closed';
      view.closedAt = op.createdAt;
      view.outcome = 'left';
      return;
    case 'release':
      if (view.status === 'closed') return;
      view.status = 'open';
      view.claimedBy = null;
      view.claimedAt = null;
      return;
    case 'note':
      // HQ may already have applied it (ack ok, event not here yet): don't show it twice.
      if (!view.notes.some((n) => n.id === op.data.noteId)) view.notes.push(localNote(op, visit, self, 'pending'));
      return;
    case 'close': {
      view.status = 'closed';
      view.closedAt = op.createdAt;
      view.outcome = op.data.outcome;
      const text = op.data.note;
      if (text) view.notes.push({ id: `${op.opId}:note`, visitId: visit.id, memberId: visit.memberId, text, by: self, at: op.createdAt, sync: 'pending' });
      return;
    }
  }
}

function actorOf(op: OutboxOp, self: Actor, clerkName: (clerkId: string) => string | undefined): Actor {
  const clerkId = op.data.clerkId;
  if (typeof clerkId !== 'string') return self;
  const name = clerkName(clerkId);
  return name ? { ...self, clerkId, clerkName: name } : { ...self, clerkId };
}

function localNote(op: OpOf<'note'>, visit: Visit, self: Actor, sync: SyncState): NoteView {
  return {
    id: String(op.data.noteId ?? op.opId),
    visitId: visit.id,
    memberId: visit.memberId,
    text: String(op.data.text ?? ''),
    by: self,
    at: op.createdAt,
    sync,
  };
}

