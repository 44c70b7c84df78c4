// Clerks, clerk sessions and PIN lockouts on HQ's SQLite connection, and the manager's reports
// (their SQL is in sqliteReports.ts). The tables come from HQ migrations 3 (MIGRATION_CLERKS) and 4.
import type Database from 'better-sqlite3';
import { type ClerkOps } from '../../ports/clerkStore.ts';
import { clerkFromRow } from '../sqlRows.ts';
import { createSqliteReports } from './sqliteReports.ts';
import { type Sync } from './syncOps.ts';

/**
 * HQ schema step 3: clerks and their sessions. IF NOT EXISTS because an interim build put this
 * step at another number; creating it twice must be harmless.
 */
export const MIGRATION_CLERKS = `
  CREATE TABLE IF NOT EXISTS clerks (
    id TEXT PRIMARY KEY, store_id TEXT NOT NULL, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'manager')), enabled INTEGER NOT NULL DEFAULT 1,
    pin_hash TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS clerks_store ON clerks(store_id, name);
  -- A signed-in clerk at one device; HQ keeps only the SHA-256 of the session token.
  CREATE TABLE IF NOT EXISTS clerk_sessions (
    token_hash TEXT PRIMARY KEY, clerk_id TEXT NOT NULL, store_id TEXT NOT NULL, device_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS clerk_sessions_expiry ON clerk_sessions(expires_at);
  -- Reports filter visits by the claiming clerk. (Dropped at step 22: they filter a store's visits
  -- in a time range, which visits_store_time finds; no plan sought by clerk.)
  CREATE INDEX IF NOT EXISTS visits_store_clerk ON visits(store_id, json_extract(claimed_by, '$.clerkId'), arrived_at);
`;

/** HQ schema step 4: wrong PINs in a row and the lockout end per clerk (was in memory, lost at restart). */
export const MIGRATION_CLERK_LOCKOUTS = `
  CREATE TABLE clerk_lockouts (
    clerk_id TEXT PRIMARY KEY, failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
`;

type Row = Record<string, unknown>;

export function createSqliteClerkStorage(db: Database.Database): Sync<ClerkOps> {
  const q = {
    upsert: db.prepare(
      `INSERT INTO clerks (id, store_id, name, role, enabled, pin_hash, created_at, updated_at)
       VALUES (@id, @storeId, @name, @role, @enabled, @pinHash, @now, @now)
       ON CONFLICT(id) DO UPDATE SET store_id = excluded.store_id, name = excluded.name, role = excluded.role,
         enabled = excluded.enabled, pin_hash = excluded.pin_hash, updated_at = excluded.updated_at`,
    ),
    get: db.prepare('SELECT * FROM clerks WHERE id = ?'),
    listStore: db.prepare('SELECT * FROM clerks WHERE store_id = ? ORDER BY name, id'),
    listAll: db.prepare('SELECT * FROM clerks ORDER BY store_id, name, id'),
    putSession: db.prepare('INSERT INTO clerk_sessions (token_hash, clerk_id, store_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)'),
    getSession: db.prepare('SELECT * FROM clerk_sessions WHERE token_hash = ? AND expires_at > ?'),
    deleteSession: db.prepare('DELETE FROM clerk_sessions WHERE token_hash = ?'),
    purgeSessions: db.prepare('DELETE FROM clerk_sessions WHERE expires_at <= ?'),
    getLockout: db.prepare('SELECT failures, locked_until FROM clerk_lockouts WHERE clerk_id = ?'),
    putLockout: db.prepare('INSERT OR REPLACE INTO clerk_lockouts (clerk_id, failures, locked_until) VALUES (?, ?, ?)'),
    clearLockout: db.prepare('DELETE FROM clerk_lockouts WHERE clerk_id = ?'),
  };
  const reports = createSqliteReports(db);
  return {
    upsertClerk: (c, now) =>
      void q.upsert.run({ id: c.id, storeId: c.storeId, name: c.name, role: c.role, enabled: c.enabled ? 1 : 0, pinHash: JSON.stringify(c.pinHash), now }),
    getClerk: (id) => {
      const r = q.get.get(id) as Row | undefined;
      return r ? clerkFromRow(r) : null;
    },
    listClerks: (storeId) => ((storeId === null ? q.listAll.all() : q.listStore.all(storeId)) as Row[]).map(clerkFromRow),
    putSession: (hash, s, now) => void q.putSession.run(hash, s.clerkId, s.storeId, s.deviceId, now, s.expiresAt),
    getSession: (hash, now) => {
      const r = q.getSession.get(hash, now) as Row | undefined;
      return r ? { clerkId: r.clerk_id as string, storeId: r.store_id as string, deviceId: r.device_id as string, expiresAt: r.expires_at as number } : null;
    },
    deleteSession: (hash) => void q.deleteSession.run(hash),
    purgeSessions: (now) => void q.purgeSessions.run(now),
    figures: (storeIds, r) => reports.figures(storeIds, r),
    visitFacts: (storeIds, r) => reports.visitFacts(storeIds, r),
    timeline: (storeId, visitId) => reports.timeline(storeId, visitId),
    getLockout: (clerkId) => {
      const r = q.getLockout.get(clerkId) as Row | undefined;
      return r ? { failures: r.failures as number, lockedUntil: r.locked_until as number } : null;
    },
    putLockout: (clerkId, l) => void q.putLockout.run(clerkId, l.failures, l.lockedUntil),
    clearLockout: (clerkId) => void q.clearLockout.run(clerkId),
  };
}
