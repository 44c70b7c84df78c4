// Who is signed in at this counter. Sign-in is verified at HQ when the desk is online
// (HQ answers a clerk session, which the manager's reports need) and from the scrypt hash HQ sent
// for the store's clerks when offline. Wrong PINs count per clerk here as well as at HQ:
// PIN_MAX_FAILURES in a row lock the clerk out for PIN_LOCKOUT_MS, and the count survives a restart.
import type Database from 'better-sqlite3';
import {
  ClerksResponse,
  type ClerkPublic,
  type ClerkState,
  PIN_LOCKOUT_MS,
  PIN_MAX_FAILURES,
  type SignInResult,
  SignInResponse,
  type StoreClerk,
} from '../../../shared/clerks.ts';
import { verifyPin } from '../../../shared/node/pin.ts';
import { type HqHttp } from '../hqAddresses.ts';

const HTTP_TIMEOUT_MS = 4000;

export interface ClerkDeskOptions {
  /** HQ's addresses (the last good link's first). */
  hq: HqHttp;
  token: string;
  /** Inactivity before the UI locks the desk; 0 = never. */
  lockAfterMs: number;
  now?: () => number;
  log?: (line: string) => void;
  /** Sign-in state changed. */
  onState(state: ClerkState): void;
  /** The clerk list changed. */
  onClerks(clerks: ClerkPublic[]): void;
}

export class ClerkDesk {
  private clerk: ClerkPublic | null = null;
  private locked = false;
  private verifiedOnline = false;
  private session: string | null = null;
  /**
   * The PIN of a clerk signed in offline, in this process's memory only (never on disk), until HQ
   * has verified it once the link is back (`verifyAtHq`): "signed in offline" then goes, and the
   * clerk gets the HQ session a manager's figures need. Cleared on verification, sign-out or switch.
   */
  private unverifiedPin: string | null = null;
  private readonly now: () => number;
  private readonly q;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: ClerkDeskOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.q = {
      list: db.prepare<[], { json: string }>('SELECT json FROM clerks'),
      get: db.prepare<[string], { json: string }>('SELECT json FROM clerks WHERE id = ?'),
      clear: db.prepare('DELETE FROM clerks'),
      put: db.prepare<[string, string]>('INSERT OR REPLACE INTO clerks (id, json) VALUES (?, ?)'),
      lockout: db.prepare<[string], { failures: number; locked_until: number }>('SELECT failures, locked_until FROM clerk_lockouts WHERE clerk_id = ?'),
      setLockout: db.prepare<[string, number, number]>('INSERT OR REPLACE INTO clerk_lockouts (clerk_id, failures, locked_until) VALUES (?, ?, ?)'),
      clearLockout: db.prepare<[string]>('DELETE FROM clerk_lockouts WHERE clerk_id = ?'),
      tx: (fn: () => void) => db.transaction(fn).immediate(), // IMMEDIATE, as every cache write (cache/db.ts startCacheCheckpoints)
    };
  }

  // --- the clerk list ---------------------------------------------------------------------------

  private all(): StoreClerk[] {
    return this.q.list.all().map((r) => JSON.parse(r.json) as StoreClerk);
  }

  /** A clerk's name from the cached list (also for disabled clerks: their past actions keep a name). */
  nameOf(clerkId: string): string | undefined {
    const row = this.q.get.get(clerkId);
    return row ? (JSON.parse(row.json) as StoreClerk).name : undefined;
  }

  /** Enabled clerks, managers first, then by name. */
  list(): ClerkPublic[] {
    return this.all()
      .filter((c) => c.enabled)
      .sort((a, b) => (a.role === b.role ? a.name.localeCompare(b.name, 'zh-CN') : a.role === 'manager' ? -1 : 1))
      .map(({ id, name, role }) => ({ id, name, role }));
  }

  /** Fetch the store's clerks (with hashes) from HQ; false when HQ is unreachable. */
  async refresh(): Promise<boolean> {
    let res: Response;
    try {
      res = await this.opts.hq.fetch('/v1/clerks', { headers: this.auth() }, HTTP_TIMEOUT_MS);
    } catch {
      return false;
    }
    if (!res.ok) return false;
    const parsed = ClerksResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log?.('desk: HQ sent a malformed clerk list');
      return false;
    }
    if (!this.db.open) return false; // the desk closed while HQ answered

    const before = JSON.stringify(this.list());
    this.q.tx(() => {
      this.q.clear.run();
      for (const c of parsed.data.clerks) this.q.put.run(c.id, JSON.stringify(c));
    });
    // A clerk disabled at HQ is signed out here at once.
    if (this.clerk && !this.list().some((c) => c.id === this.clerk!.id)) this.signOut();
    const after = this.list();
    if (JSON.stringify(after) !== before) this.opts.onClerks(after);
    return true;
  }

  // --- sign-in ------------------------------------------------------------------------------------

  state(): ClerkState {
    return { clerk: this.clerk, locked: this.locked, verifiedOnline: this.verifiedOnline, lockAfterMs: this.opts.lockAfterMs };
  }

  /** The clerk actions are recorded under: signed in and not locked. */
  active(): ClerkPublic | null {
    return this.locked ? null : this.clerk;
  }

  /** The HQ clerk session of the active clerk (online sign-in only). */
  activeSession(): string | null {
    return this.active() ? this.session : null;
  }

  async signIn(clerkId: string, pin: string, online: boolean): Promise<SignInResult> {
    const now = this.now();
    const lock = this.q.lockout.get(clerkId);
    if (lock && lock.locked_until > now) return { ok: false, reason: 'locked_out', retryAt: lock.locked_until };
    if (online) {
      const answer = await this.signInAtHq(clerkId, pin);
      if (answer !== 'unreachable') return answer;
    }
    const cached = this.all().find((c) => c.id === clerkId && c.enabled);
    if (!cached) return { ok: false, reason: 'unknown_clerk' };
    if (!(await verifyPin(pin, cached.pinHash))) return this.failed(clerkId);
    this.q.clearLockout.run(clerkId);
    const state = this.become({ id: cached.id, name: cached.name, role: cached.role }, false, null);
    this.unverifiedPin = pin;
    return { ok: true, state };
  }

  /**
   * The link is back: a clerk signed in offline is verified at HQ with the PIN they typed, so the
   * desk stops saying "signed in offline". A PIN HQ refuses (changed at HQ meanwhile) locks the
   * desk: the clerk types the current one. Unreachable: tried again at the next welcome.
   */
  async verifyAtHq(): Promise<void> {
    const clerk = this.clerk;
    const pin = this.unverifiedPin;
    if (!clerk || !pin || this.verifiedOnline) return;
    const answer = await this.signInAtHq(clerk.id, pin);
    if (answer === 'unreachable' || this.clerk?.id !== clerk.id || this.unverifiedPin !== pin) return;
    this.unverifiedPin = null;
    if (answer.ok) return;
    this.opts.log?.(`desk: HQ refused the offline sign-in of ${clerk.id} (${answer.reason}); locking`);
    if (answer.reason === 'unknown_clerk') this.signOut();
    else this.lock();
  }

  private async signInAtHq(clerkId: string, pin: string): Promise<SignInResult | 'unreachable'> {
    let res: Response;
    try {
      res = await this.opts.hq.fetch(
        '/v1/clerks/signin',
        { method: 'POST', headers: { ...this.auth(), 'content-type': 'application/json' }, body: JSON.stringify({ clerkId, pin }) },
        HTTP_TIMEOUT_MS,
      );
    } catch {
      return 'unreachable';
    }
    const body = (await res.json().catch(() => null)) as { retryAt?: number } | null;
    if (res.status === 200) {
      const ok = SignInResponse.safeParse(body);
      if (!ok.success) return 'unreachable';
      this.q.clearLockout.run(clerkId);
      return { ok: true, state: this.become(ok.data.clerk, true, ok.data.session) };
    }
    if (res.status === 401) return this.failed(clerkId);
    if (res.status === 423) {
      const retryAt = body?.retryAt ?? this.now() + PIN_LOCKOUT_MS;
      this.q.setLockout.run(clerkId, 0, retryAt);
      return { ok: false, reason: 'locked_out', retryAt };
    }
    if (res.status === 404) {
      void this.refresh();
      return { ok: false, reason: 'unknown_clerk' };
    }
    return 'unreachable'; // 5xx or a desk token problem: fall back to the cached hash
  }

  private failed(clerkId: string): SignInResult {
    const now = this.now();
    const prev = this.q.lockout.get(clerkId);
    const failures = (prev && prev.locked_until <= now && prev.locked_until > 0 ? 0 : (prev?.failures ?? 0)) + 1;
    if (failures >= PIN_MAX_FAILURES) {
      const retryAt = now + PIN_LOCKOUT_MS;
      this.q.setLockout.run(clerkId, 0, retryAt);
      return { ok: false, reason: 'locked_out', retryAt };
    }
    this.q.setLockout.run(clerkId, failures, 0);
    return { ok: false, reason: 'wrong_pin', attemptsLeft: PIN_MAX_FAILURES - failures };
  }

  private become(clerk: ClerkPublic, verifiedOnline: boolean, session: string | null): ClerkState {
    const previousSession = this.clerk?.id !== clerk.id ? this.session : null;
    // Verified at HQ after an offline sign-in: the same clerk, now with a session, not a new sign-in.
    const keepLock = verifiedOnline && this.clerk?.id === clerk.id && !this.verifiedOnline ? this.locked : false;
    this.unverifiedPin = null;
    this.clerk = clerk;
    this.locked = keepLock;
    this.verifiedOnline = verifiedOnline;
    this.session = session;
    if (previousSession) void this.endSession(previousSession);
    return this.changed();
  }

  lock(): ClerkState {
    if (!this.clerk || this.locked) return this.state();
    this.locked = true;
    return this.changed();
  }

  signOut(): ClerkState {
    this.unverifiedPin = null;
    if (this.session) void this.endSession(this.session);
    this.clerk = null;
    this.locked = false;
    this.verifiedOnline = false;
    this.session = null;
    return this.changed();
  }

  private async endSession(session: string): Promise<void> {
    try {
      await this.opts.hq.fetch('/v1/clerks/signout', { method: 'POST', headers: { ...this.auth(), 'x-clerk-session': session } }, HTTP_TIMEOUT_MS);
    } catch {
      /* best effort: the session expires at HQ anyway */
    }
  }

  private changed(): ClerkState {
    const s = this.state();
    this.opts.onState(s);
    return s;
  }

  auth(): Record<string, string> {
    return { authorization: `Bearer ${this.opts.token}` };
  }
}
