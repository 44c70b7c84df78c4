// Clerks, clerk sessions, PIN lockouts and the manager's reports on PostgreSQL (tables from
// migrations 3 and 4), bound to one transaction's connection; mirrors
// hq/adapters/sqlite/clerkStorage.ts. The report SQL is in pgReports.ts.
import { type ClerkOps } from '../../ports/clerkStore.ts';
import { type Exec, type Row } from './pgOps.ts';
import { reportFigures, reportTimeline, reportVisitFacts } from './pgReports.ts';
import { clerkFromRow } from '../sqlRows.ts';

const CLERK_COLS = 'id, store_id, name, role, enabled, pin_hash, updated_at';

export function createPgClerkOps(exec: Exec): ClerkOps {
  const one = async (text: string, values: unknown[]): Promise<Row | undefined> => (await exec(text, values)).rows[0];

  return {
    upsertClerk: async (c, now) => {
      await exec(
        `INSERT INTO clerks (id, store_id, name, role, enabled, pin_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (id) DO UPDATE SET store_id = EXCLUDED.store_id, name = EXCLUDED.name, role = EXCLUDED.role,
           enabled = EXCLUDED.enabled, pin_hash = EXCLUDED.pin_hash, updated_at = EXCLUDED.updated_at`,
        [c.id, c.storeId, c.name, c.role, c.enabled ? 1 : 0, JSON.stringify(c.pinHash), now],
      );
    },
    getClerk: async (id) => {
      const r = await one(`SELECT ${CLERK_COLS} FROM clerks WHERE id = $1`, [id]);
      return r ? clerkFromRow(r) : null;
    },
    listClerks: async (storeId) =>
      (storeId === null
        ? (await exec(`SELECT ${CLERK_COLS} FROM clerks ORDER BY store_id, name, id`)).rows
        : (await exec(`SELECT ${CLERK_COLS} FROM clerks WHERE store_id = $1 ORDER BY name, id`, [storeId])).rows
      ).map(clerkFromRow),
    putSession: async (hash, s, now) => {
      await exec('INSERT INTO clerk_sessions (token_hash, clerk_id, store_id, device_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        hash,
        s.clerkId,
        s.storeId,
        s.deviceId,
        now,
        s.expiresAt,
      ]);
    },
    getSession: async (hash, now) => {
      const r = await one('SELECT clerk_id, store_id, device_id, expires_at FROM clerk_sessions WHERE token_hash = $1 AND expires_at > $2', [hash, now]);
      return r ? { clerkId: r.clerk_id as string, storeId: r.store_id as string, deviceId: r.device_id as string, expiresAt: r.expires_at as number } : null;
    },
    deleteSession: async (hash) => {
      await exec('DELETE FROM clerk_sessions WHERE token_hash = $1', [hash]);
    },
    purgeSessions: async (now) => {
      await exec('DELETE FROM clerk_sessions WHERE expires_at <= $1', [now]);
    },
    figures: (storeIds, q) => reportFigures(exec, storeIds, q),
    visitFacts: (storeIds, q) => reportVisitFacts(exec, storeIds, q),
    timeline: (storeId, visitId) => reportTimeline(exec, storeId, visitId),
    getLockout: async (clerkId) => {
      const r = await one('SELECT failures, locked_until FROM clerk_lockouts WHERE clerk_id = $1', [clerkId]);
      return r ? { failures: r.failures as number, lockedUntil: r.locked_until as number } : null;
    },
    putLockout: async (clerkId, l) => {
      await exec(
        `INSERT INTO clerk_lockouts (clerk_id, failures, locked_until) VALUES ($1, $2, $3)
         ON CONFLICT (clerk_id) DO UPDATE SET failures = EXCLUDED.failures, locked_until = EXCLUDED.locked_until`,
        [clerkId, l.failures, l.lockedUntil],
      );
    },
    clearLockout: async (clerkId) => {
      await exec('DELETE FROM clerk_lockouts WHERE clerk_id = $1', [clerkId]);
    },
  };
}
