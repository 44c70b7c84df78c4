// Clerk accounts at HQ: add/import (PIN hashed with scrypt, never stored), sign-in with a wrong-PIN
// lockout, clerk sessions for the manager's reports, and the actor a desk command is recorded under.
//
// Live clerk lists: whoever changes a store's clerks appends one `clerks.updated` event to that
// store's log in the transaction of the change, so connected desks (on any node) refetch
// GET /v1/clerks at once instead of at their next reconnect. Every change goes through the
// functions here (the ingest routes, `npm run hq:admin`), which is what keeps that true.
import { type Actor } from '../../../shared/domain.ts';
import { CLERK_SESSION_MS, type ClerkImport, type ClerkRole, type PinHash, PIN_LOCKOUT_MS, PIN_MAX_FAILURES, type SignInResponse, type StoreClerk } from '../../../shared/clerks.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type Rejection } from '../../../shared/protocol.ts';
import { type DeviceRecord, type HqStore, type HqTx, StoreUnavailable } from '../../ports/store.ts';
import { type Append, type EventLog } from '../eventLog.ts';
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

/** A clerk saved, and every store whose clerk list it changed (two when it moved stores). */
interface Saved {
  clerk: StoreClerk;
  stores: string[];
}

/**
 * Create or update a clerk in the caller's transaction. `pinHash` is the input's PIN already
 * hashed (scrypt is slow: it runs before the transaction, which must only await the store).
 */
async function saveClerkIn(tx: HqTx, input: NewClerk, pinHash: PinHash | null, now: number): Promise<Saved> {
  if (!(await tx.getStore(input.storeId))) throw new Error(`unknown store ${input.storeId}`);
  const existing = input.id ? await tx.clerks.getClerk(input.id) : null;
  if (!existing && !pinHash) throw new Error(`clerk ${input.name}: a new clerk needs a PIN`);
  const clerk: StoreClerk = {
    id: existing?.id ?? input.id ?? uuidv7(now),
    storeId: input.storeId,
    name: input.name,
    role: input.role,
    enabled: input.enabled ?? true,
    pinHash: pinHash ?? existing!.pinHash,
    updatedAt: now,
  };
  await tx.clerks.upsertClerk(clerk, now);
  const stores = existing && existing.storeId !== clerk.storeId ? [existing.storeId, clerk.storeId] : [clerk.storeId];
  return { clerk, stores };
}

async function announce(append: Append, storeIds: Iterable<string>, now: number): Promise<void> {
  for (const storeId of storeIds) await append(storeId, 'clerks.updated', { storeId }, now);
}

/** Create or update a clerk. A new clerk needs a PIN; an update without one keeps the old hash. */
export async function saveClerk(log: EventLog, input: NewClerk, now = Date.now()): Promise<StoreClerk> {
  const pinHash = input.pin ? hashPin(input.pin) : null;
  return log.write(async (tx, append) => {
    const { clerk, stores } = await saveClerkIn(tx, input, pinHash, now);
    await announce(append, stores, now);
    return clerk;
  });
}

export interface ImportResult {
  saved: number;
  errors: { index: number; message: string }[];
  clerks: { id: string; storeId: string; name: string; role: ClerkRole; enabled: boolean }[];
}

/**
 * Saves many clerks in one transaction; a bad item is reported by index and undone alone (each
 * item is a savepoint). Each touched store gets one `clerks.updated`, however many of its clerks
 * changed.
 */
export async function importClerks(log: EventLog, items: readonly ClerkImport[], now = Date.now()): Promise<ImportResult> {
  const pinHashes = items.map((item) => (item.pin ? hashPin(item.pin) : null));
  return log.batch(async (b): Promise<ImportResult> => {
    const result: ImportResult = { saved: 0, errors: [], clerks: [] };
    const touched = new Set<string>();
    for (const [index, item] of items.entries()) {
      try {
        const { clerk: c, stores } = await b.write((tx) => saveClerkIn(tx, item, pinHashes[index] ?? null, now));
        for (const storeId of stores) touched.add(storeId);
        result.saved++;
        result.clerks.push({ id: c.id, storeId: c.storeId, name: c.name, role: c.role, enabled: c.enabled });
      } catch (err) {
        if (err instanceof StoreUnavailable) throw err;
        result.errors.push({ index, message: (err as Error).message });
      }
    }
    if (touched.size) await b.write((_tx, append) => announce(append, touched, now));
    return result;
  });
}

export async function setClerkEnabled(log: EventLog, clerkId: string, enabled: boolean, now = Date.now()): Promise<StoreClerk | null> {
  return log.write(async (tx, append) => {
    const c = await tx.clerks.getClerk(clerkId);
    if (!c) return null;
    const next = { ...c, enabled, updatedAt: now };
    await tx.clerks.upsertClerk(next, now);
    await announce(append, [next.storeId], now);
    return next;
  });
}

/**
 * Wrong PINs per clerk, kept in HQ's database (clerk_lockouts) so an HQ restart does not clear
 * them and every node sees them: PIN_MAX_FAILURES in a row lock the clerk out for PIN_LOCKOUT_MS.
 */
export class PinGuard {
  constructor(private readonly store: HqStore) {}

  async lockedUntil(clerkId: string, now: number): Promise<number | null> {
    const f = await this.store.read((r) => r.clerks.getLockout(clerkId));
    return f && f.lockedUntil > now ? f.lockedUntil : null;
  }

  /** Returns the attempts left before a lockout (0 = locked out now). */
  fail(clerkId: string, now: number): Promise<number> {
    return this.store.withTx(async (tx) => {
      const f = (await tx.clerks.getLockout(clerkId)) ?? { failures: 0, lockedUntil: 0 };
      if (f.lockedUntil && f.lockedUntil <= now) f.failures = 0;
      f.failures++;
      if (f.failures >= PIN_MAX_FAILURES) {
        f.lockedUntil = now + PIN_LOCKOUT_MS;
        f.failures = 0;
      }
      await tx.clerks.putLockout(clerkId, f);
      return f.lockedUntil > now ? 0 : PIN_MAX_FAILURES - f.failures;
    });
  }

  succeed(clerkId: string): Promise<void> {
    return this.store.withTx((tx) => tx.clerks.clearLockout(clerkId));
  }
}

export type SignInOutcome =
  | { ok: true; response: SignInResponse }
  | { ok: false; status: number; code: 'unknown_clerk' | 'wrong_pin' | 'locked_out'; message: string; attemptsLeft?: number; retryAt?: number };

/** A clerk of the device's store signs in with their PIN; answers a session token. */
export async function signIn(store: HqStore, guard: PinGuard, device: DeviceRecord, clerkId: string, pin: string, now = Date.now()): Promise<SignInOutcome> {
  const clerk = await store.read((r) => r.clerks.getClerk(clerkId));
  // Another store's clerk, or a disabled one, is answered like an unknown one.
  if (!clerk || clerk.storeId !== device.storeId || !clerk.enabled) return { ok: false, status: 404, code: 'unknown_clerk', message: 'no such clerk at this store' };
  const locked = await guard.lockedUntil(clerk.id, now);
  if (locked) return { ok: false, status: 423, code: 'locked_out', message: 'too many wrong PINs; try again later', retryAt: locked };
  // scrypt runs outside any transaction: a transaction must only await the store.
  if (!(await verifyPin(pin, clerk.pinHash))) {
    const attemptsLeft = await guard.fail(clerk.id, now);
    const retryAt = await guard.lockedUntil(clerk.id, now);
    return retryAt
      ? { ok: false, status: 423, code: 'locked_out', message: 'too many wrong PINs; try again later', retryAt }
      : { ok: false, status: 401, code: 'wrong_pin', message: 'wrong PIN', attemptsLeft };
  }
  await guard.succeed(clerk.id);
  const session = newToken();
  const expiresAt = now + CLERK_SESSION_MS;
  await store.withTx(async (tx) => {
    await tx.clerks.purgeSessions(now);
    await tx.clerks.putSession(sha256(session), { clerkId: clerk.id, storeId: clerk.storeId, deviceId: device.id, expiresAt }, now);
  });
  return { ok: true, response: { clerk: { id: clerk.id, name: clerk.name, role: clerk.role }, session, expiresAt } };
}

/** The enabled clerk a session token names, if it was made at this device. */
export async function clerkForSession(store: HqStore, device: DeviceRecord, token: string | undefined, now = Date.now()): Promise<StoreClerk | null> {
  if (!token || token.length > 200) return null;
  const hash = sha256(token);
  return store.read(async (r) => {
    const s = await r.clerks.getSession(hash, now);
    if (!s || s.deviceId !== device.id) return null;
    const clerk = await r.clerks.getClerk(s.clerkId);
    return clerk && clerk.enabled && clerk.storeId === device.storeId ? clerk : null;
  });
}

/**
 * Who a desk command is recorded under: the device, plus the clerk the desk names when that clerk
 * belongs to the device's store and is enabled. Anything else is a rejection (recorded with the op).
 * Runs in the command's transaction, so the check and the op it decides commit together.
 */
export async function commandActor(tx: HqTx, device: DeviceRecord, clerkId: string | undefined): Promise<Actor | Rejection> {
  const actor: Actor = { deviceId: device.id, deviceName: device.name };
  if (clerkId === undefined) return actor;
  const clerk = await tx.clerks.getClerk(clerkId);
  if (!clerk || clerk.storeId !== device.storeId) return { code: 'invalid', message: 'That clerk does not belong to this store' };
  if (!clerk.enabled) return { code: 'invalid', message: `Clerk ${clerk.name} is disabled` };
  return { ...actor, clerkId: clerk.id, clerkName: clerk.name };
}

export const isRejection = (x: Actor | Rejection): x is Rejection => 'code' in x;

/** The chain admin key (cross-store reports), kept in HQ's meta table; made on first use. */
export function adminKey(store: HqStore): Promise<string> {
  return store.withTx(async (tx) => {
    let key = await tx.getMeta('admin_key');
    if (!key) {
      key = newToken();
      await tx.setMeta('admin_key', key);
    }
    return key;
  });
}
