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
}
