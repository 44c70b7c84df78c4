// The member-history part of the store port (reached as `tx.memberHistory`): member-level notes
// (their own table, HQ migration 10) and the member's visits across every store of the chain. It
// runs in the caller's transaction, so a note, its op record and its events commit together.
import { type MemberNote } from '../../shared/memberHistory.ts';
import { type Visit } from '../../shared/domain.ts';

export interface MemberHistoryOps {
  insertNote(note: MemberNote): Promise<void>;
  getNote(id: string): Promise<MemberNote | null>;
  /** The member's notes, newest first, at most `limit`. */
  notesOf(memberId: string, limit: number): Promise<MemberNote[]>;
  /** The member's visits at every store, newest first, at most `limit`, with their notes. */
  visitsOf(memberId: string, limit: number): Promise<Visit[]>;
  /**
   * 7/8: when the member was last seen at any store (the `lastSeenAt` of their newest visit), not
   * counting `exceptVisitId` (the visit a profile is being made for); null when never seen. One
   * row off the (member_id, arrived_at) index: it is on the arrival hot path.
   */
  lastSeenAt(memberId: string, exceptVisitId: string | null): Promise<number | null>;
}
