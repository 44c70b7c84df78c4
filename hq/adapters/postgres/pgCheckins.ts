// Counter check-ins on PostgreSQL (4/8 part A; table from HQ migration 9), bound to one
// transaction's connection; mirrors hq/adapters/sqlite/checkinStorage.ts.
import { type CheckinOps } from '../../ports/checkinStore.ts';
import { checkinFromRow } from '../checkinRows.ts';
import { type Exec } from './pgOps.ts';

export function createPgCheckinOps(exec: Exec): CheckinOps {
  return {
    get: async (storeId, checkinId) => {
      const r = (await exec('SELECT * FROM checkins WHERE store_id = $1 AND checkin_id = $2', [storeId, checkinId])).rows[0];
      return r ? checkinFromRow(r) : null;
    },
    insert: async (c) => {
      await exec('INSERT INTO checkins (store_id, checkin_id, visit_id, member_id, device_id, clerk_id, status, seq, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
        c.storeId,
        c.checkinId,
        c.visitId,
        c.memberId,
        c.deviceId,
        c.clerkId,
        c.status,
        c.seq,
        c.at,
      ]);
    },
  };
}
