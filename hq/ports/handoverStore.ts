// The hand-overs part of the store port (reached as `tx.handovers`, 7/8): the member-side
// assistant's hand-overs of a conversation to the store's clerks, on the caller's connection and
// transaction, so a hand-over, the member message that led to it and their events commit together,
// and a clerk's message settles it in its own transaction.
//
// Invariant: a conversation (store, member) has at most one waiting hand-over (settledAt null) —
// both adapters enforce it with a unique index, so two HQ nodes cannot open two. Callers take
// `tx.lockStore(storeId)` first (hq/app/chat/service.ts, hq/app/assist/assistant.ts).
import { type Handover } from '../../shared/assist.ts';

export interface HandoverOps {
  getHandover(id: string): Promise<Handover | null>;
  /** Insert or replace the whole hand-over (settledAt / settledBy are its changing parts). */
  putHandover(h: Handover): Promise<void>;
  /** The conversation's waiting hand-over, or null. */
  waiting(storeId: string, memberId: string): Promise<Handover | null>;
  /** The store's waiting hand-overs and those settled at or after `settledSince`, oldest first, at most `limit`. */
  ofStore(storeId: string, settledSince: number, limit: number): Promise<Handover[]>;
}
