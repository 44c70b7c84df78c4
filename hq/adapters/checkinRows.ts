// A check-in row (HQ migration 9) as both adapters read it back (4/8 part A).
import { type CheckinRecord } from '../ports/checkinStore.ts';

export function checkinFromRow(r: Record<string, unknown>): CheckinRecord {
  return {
    storeId: String(r.store_id),
    checkinId: String(r.checkin_id),
    visitId: String(r.visit_id),
    memberId: String(r.member_id),
    deviceId: String(r.device_id),
    clerkId: r.clerk_id == null ? null : String(r.clerk_id),
    status: r.status === 'updated' ? 'updated' : 'created',
    seq: Number(r.seq),
    at: Number(r.at),
  };
}

