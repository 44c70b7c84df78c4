// The check-in part of the store port (reached as `tx.checkins`, 4/8 part A): one row per counter
// check-in, keyed by the desk-made checkinId within its store. It is the check-in's idempotency
// across opIds (a clerk's retry under a new op is still one check-in) and its record: who checked
// whom in, at which counter, into which visit. Tables: HQ migration 9 on both adapters.

export interface CheckinRecord {
  storeId: string;
  checkinId: string;
  /** The visit the check-in opened or bumped. */
  visitId: string;
  memberId: string;
  deviceId: string;
  /** The clerk signed in at the counter, when one was. */
  clerkId: string | null;
  /** 'created': a new visit; 'updated': the member was in already (the 30-minute repeat rule). */
  status: 'created' | 'updated';
  /** Seq of the event it produced. */
  seq: number;
  /** When HQ recorded it (epoch ms). */
  at: number;
}

export interface CheckinOps {
  get(storeId: string, checkinId: string): Promise<CheckinRecord | null>;
  insert(record: CheckinRecord): Promise<void>;
}
