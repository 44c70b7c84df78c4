// Counter check-ins on HQ's SQLite connection (4/8 part A; table from HQ migration 9,
// MIGRATION_CHECKINS). Mirrors hq/adapters/postgres/pgCheckins.ts.
import type Database from 'better-sqlite3';
import { type CheckinOps } from '../../ports/checkinStore.ts';
import { checkinFromRow } from '../checkinRows.ts';
import { type Sync } from './syncOps.ts';

/** HQ schema step 9: one row per counter check-in, unique per store and desk-made checkinId. */
export const MIGRATION_CHECKINS = `
  CREATE TABLE checkins (
    store_id TEXT NOT NULL, checkin_id TEXT NOT NULL, visit_id TEXT NOT NULL, member_id TEXT NOT NULL,
    device_id TEXT NOT NULL, clerk_id TEXT, status TEXT NOT NULL CHECK (status IN ('created', 'updated')),
    seq INTEGER NOT NULL, at INTEGER NOT NULL,
    PRIMARY KEY (store_id, checkin_id)
  ) WITHOUT ROWID;
  -- Erasing a member drops their check-ins.
  CREATE INDEX checkins_member ON checkins(member_id);
`;

export function createSqliteCheckinStorage(db: Database.Database): Sync<CheckinOps> {
  const q = {
    get: db.prepare('SELECT * FROM checkins WHERE store_id = ? AND checkin_id = ?'),
    insert: db.prepare(
      'INSERT INTO checkins (store_id, checkin_id, visit_id, member_id, device_id, clerk_id, status, seq, at) VALUES (@storeId, @checkinId, @visitId, @memberId, @deviceId, @clerkId, @status, @seq, @at)',
    ),
  };
  return {
    get: (storeId, checkinId) => {
      const r = q.get.get(storeId, checkinId) as Record<string, unknown> | undefined;
      return r ? checkinFromRow(r) : null;
    },
    insert: (c) => void q.insert.run(c),
  };
}
