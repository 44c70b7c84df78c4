// The clerk part of the store port (reached as `tx.clerks`): clerks, their sessions and PIN
// lockouts, and the manager's reports. Report figures follow the definitions of shared/kpis.ts;
// each adapter computes them in its own SQL and assembles them with hq/adapters/reportRows.ts
// (test/integration/store-conformance.test.ts and hq-reports.test.ts check they agree).
import { type StoreClerk } from '../../shared/clerks.ts';
import { type ClerkKpis, type DayBucket, type HourBucket, type Kpis, type ReportQuery, type VisitFact, type VisitTimeline } from '../../shared/kpis.ts';

export interface ClerkLockout {
  failures: number;
  /** Epoch ms; 0 = not locked. */
  lockedUntil: number;
}

export interface ClerkSession {
  clerkId: string;
  storeId: string;
  deviceId: string;
  expiresAt: number;
}

export interface ReportFigures {
  kpis: Kpis;
  /** Every enabled clerk of the stores (zero served included) and whoever else served. */
  perClerk: ClerkKpis[];
  byHour: HourBucket[];
  byDay: DayBucket[];
}

export interface ClerkOps {
  upsertClerk(clerk: StoreClerk, now: number): Promise<void>;
  getClerk(id: string): Promise<StoreClerk | null>;
  /** The store's clerks by name, or every store's when storeId is null. */
  listClerks(storeId: string | null): Promise<StoreClerk[]>;
  putSession(tokenHash: string, session: ClerkSession, now: number): Promise<void>;
  getSession(tokenHash: string, now: number): Promise<ClerkSession | null>;
  deleteSession(tokenHash: string): Promise<void>;
  purgeSessions(now: number): Promise<void>;
  /** Figures over every matching visit of the stores. */
  figures(storeIds: readonly string[], q: ReportQuery): Promise<ReportFigures>;
  /** Matching visits (under a clerk filter, that clerk's), newest first, at most q.limit. */
  visitFacts(storeIds: readonly string[], q: ReportQuery): Promise<VisitFact[]>;
  /** One visit of the store: arrival, claim, notes, the member's chat messages during it, close. */
  timeline(storeId: string, visitId: string): Promise<VisitTimeline | null>;
  getLockout(clerkId: string): Promise<ClerkLockout | null>;
  putLockout(clerkId: string, lockout: ClerkLockout): Promise<void>;
  clearLockout(clerkId: string): Promise<void>;
}

