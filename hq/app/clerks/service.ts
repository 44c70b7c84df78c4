// Clerk accounts at HQ: add/import (PIN hashed with scrypt, never stored), sign-in with a wrong-PIN
// lockout, clerk sessions for the manager's reports, and the actor a desk command is recorded under.
import { type Actor } from '../../../shared/domain.ts';
import { CLERK_SESSION_MS, type ClerkImport, type ClerkRole, PIN_LOCKOUT_MS, PIN_MAX_FAILURES, type SignInResponse, type StoreClerk } from '../../../shared/clerks.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type Rejection } from '../../../shared/protocol.ts';
import { type DeviceRecord, type HqStorage } from '../../ports/store.ts';
import { newToken, sha256 } from '../tokens.ts';
import { hashPin, verifyPin } from '../../../shared/node/pin.ts';

export interface NewClerk {
  id?: string;
  storeId: string;
  name: string;
  role: ClerkRole;
  pin?: string;
  enabled?: boolean;
}

/** Create or update a clerk. A new clerk needs a PIN; an update without one keeps the old hash. */
export function saveClerk(storage: HqStorage, input: NewClerk, now = Date.now()): StoreClerk {
  if (!storage.getStore(input.storeId)) throw new Error(`unknown store ${input.storeId}`);
  const existing = input.id ? storage.clerks.getClerk(input.id) : null;
  if (!existing && !input.pin) throw new Error(`clerk ${input.name}: a new clerk needs a PIN`);
  const clerk: StoreClerk = {
    id: existing?.id ?? input.id ?? uuidv7(now),
    storeId: input.storeId,
    name: input.name,
    role: input.role,
    enabled: input.enabled ?? true,
    pinHash: input.pin ? hashPin(input.pin) : existing!.pinHash,
    updatedAt: now,
  };
  storage.clerks.upsertClerk(clerk, now);
  return clerk;
}

export interface ImportResult {
  saved: number;
  errors: { index: number; message: string }[];
  clerks: { id: string; storeId: string; name: string; role: ClerkRole; enabled: boolean }[];
}

export function importClerks(storage: HqStorage, items: readonly ClerkImport[], now = Date.now()): ImportResult {
  const result: ImportResult = { saved: 0, errors: [], clerks: [] };
  storage.transaction(() => {
    items.forEach((item, index) => {
      try {
        const c = saveClerk(storage, item, now);
        result.saved++;
        result.clerks.push({ id: c.id, storeId: c.storeId, name: c.name, role: c.role, enabled: c.enabled });
      } catch (err) {
        result.errors.push({ index, message: (err as Error).message });
      }
    });
  });
  return result;
}

export function setClerkEnabled(storage: HqStorage, clerkId: string, enabled: boolean, now = Date.now()): StoreClerk | null {
  const c = storage.clerks.getClerk(clerkId);
  if (!c) return null;
  const next = { ...c, enabled, updatedAt: now };
  storage.clerks.upsertClerk(next, now);
  return next;
}

/**
 * Wrong PINs per clerk, kept in HQ's database (clerk_lockouts, migration 4) so an HQ restart does not
 * clear them: PIN_MAX_FAILURES in a row lock the clerk out for PIN_LOCKOUT_MS.
 */
export class PinGuard {
  constructor(private readonly storage: HqStorage) {}

  lockedUntil(clerkId: string, now: number): number | null {
    const f = this.storage.clerks.getLockout(clerkId);
    return f && f.lockedUntil > now ? f.lockedUntil : null;
  }

  /** Returns the attempts left before a lockout (0 = locked out now). */
  fail(clerkId: string, now: number): number {
    return this.storage.transaction(() => {
      const f = this.storage.clerks.getLockout(clerkId) ?? { failures: 0, lockedUntil: 0 };
      if (f.lockedUntil && f.lockedUntil <= now) f.failures = 0;
      f.failures++;
      if (f.failures >= PIN_MAX_FAILURES) {
        f.lockedUntil = now + PIN_LOCKOUT_MS;
        f.failures = 0;
      }
      this.storage.clerks.putLockout(clerkId, f);
      return f.lockedUntil > now ? 0 : PIN_MAX_FAILURES - f.failures;
    });
  }

  succeed(clerkId: string): void {
    this.storage.clerks.clearLockout(clerkId);
  }
}

export type SignInOutcome =
  | { ok: true; response: SignInResponse }
  | { ok: false; status: number; code: 'unknown_clerk' | 'wrong_pin' | 'locked_out'; message: string; attemptsLeft?: number; retryAt?: number };

/** A clerk of the device's store signs in with their PIN; answers a session token. */
export async function signIn(storage: HqStorage, guard: PinGuard, device: DeviceRecord, clerkId: string, pin: string, now = Date.now()): Promise<SignInOutcome> {
  const clerk = storage.clerks.getClerk(clerkId);
  // Another store's clerk, or a disabled one, is answered like an unknown one.
  if (!clerk || clerk.storeId !== device.storeId || !clerk.enabled) return { ok: false, status: 404, code: 'unknown_clerk', message: 'no such clerk at this store' };
  const locked = guard.lockedUntil(clerk.id, now);
  if (locked) return { ok: false, status: 423, code: 'locked_out', message: 'too many wrong PINs; try again later', retryAt: locked };
  if (!(await verifyPin(pin, clerk.pinHash))) {
    const attemptsLeft = guard.fail(clerk.id, now);
    const retryAt = guard.lockedUntil(clerk.id, now);
    return retryAt
      ? { ok: false, status: 423, code: 'locked_out', message: 'too many wrong PINs; try again later', retryAt }
      : { ok: false, status: 401, code: 'wrong_pin', message: 'wrong PIN', attemptsLeft };
  }
  guard.succeed(clerk.id);
  const session = newToken();
  const expiresAt = now + CLERK_SESSION_MS;
  storage.clerks.purgeSessions(now);
  storage.clerks.putSession(sha256(session), { clerkId: clerk.id, storeId: clerk.storeId, deviceId: device.id, expiresAt }, now);
  return { ok: true, response: { clerk: { id: clerk.id, name: clerk.name, role: clerk.role }, session, expiresAt } };
}

/** The enabled clerk a session token names, if it was made at this device. */
export function clerkForSession(storage: HqStorage, device: DeviceRecord, token: string | undefined, now = Date.now()): StoreClerk | null {
  if (!token || token.length > 200) return null;
  const s = storage.clerks.getSession(sha256(token), now);
  if (!s || s.deviceId !== device.id) return null;
  const clerk = storage.clerks.getClerk(s.clerkId);
  return clerk && clerk.enabled && clerk.storeId === device.storeId ? clerk : null;
}

/**
 * Who a desk command is recorded under: the device, plus the clerk the desk names when that clerk
 * belongs to the device's store and is enabled. Anything else is a rejection (recorded with the op).
 */
export function commandActor(storage: HqStorage, device: DeviceRecord, clerkId: string | undefined): Actor | Rejection {
  const actor: Actor = { deviceId: device.id, deviceName: device.name };
  if (clerkId === undefined) return actor;
  const clerk = storage.clerks.getClerk(clerkId);
  if (!clerk || clerk.storeId !== device.storeId) return { code: 'invalid', message: 'That clerk does not belong to this store' };
  if (!clerk.enabled) return { code: 'invalid', message: `Clerk ${clerk.name} is disabled` };
  return { ...actor, clerkId: clerk.id, clerkName: clerk.name };
}

export const isRejection = (x: Actor | Rejection): x is Rejection => 'code' in x;

/** The chain admin key (cross-store reports), kept in HQ's meta table; made on first use. */
export function adminKey(storage: HqStorage): string {
  let key = storage.getMeta('admin_key');
  if (!key) {
    key = newToken();
    storage.setMeta('admin_key', key);
  }
  return key;
}
