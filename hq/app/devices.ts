// Enrollment: a one-time code (made by an admin for one store) is exchanged for a device token.
import { uuidv7 } from '../../shared/ids.ts';
import { type EnrollResponse } from '../../shared/protocol.ts';
import { newEnrollmentCode, newToken, normalizeEnrollmentCode, sha256 } from './tokens.ts';
import { type DeviceRecord, type HqStore, type StoreRecord } from '../ports/store.ts';

export const DEFAULT_CODE_TTL_MS = 24 * 60 * 60 * 1000;

export async function createEnrollmentCode(store: HqStore, storeId: string, ttlMs = DEFAULT_CODE_TTL_MS, now = Date.now()): Promise<string> {
  const code = newEnrollmentCode();
  await store.withTx(async (tx) => {
    if (!(await tx.getStore(storeId))) throw new Error(`unknown store ${storeId}`);
    await tx.createEnrollmentCode(sha256(normalizeEnrollmentCode(code)), storeId, now + ttlMs, now);
  });
  return code;
}

export type EnrollResult = { ok: true; response: EnrollResponse } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export async function enrollDevice(store: HqStore, code: string, deviceName: string, now = Date.now()): Promise<EnrollResult> {
  return store.withTx(async (tx): Promise<EnrollResult> => {
    const used = await tx.consumeEnrollmentCode(sha256(normalizeEnrollmentCode(code)), now);
    if (!used.ok) return used;
    const target = (await tx.getStore(used.storeId))!;
    const token = newToken();
    const device: DeviceRecord = { id: uuidv7(now), storeId: target.id, name: deviceName, createdAt: now, revokedAt: null, ackedSeq: 0 };
    await tx.createDevice(device, sha256(token));
    return { ok: true, response: { token, deviceId: device.id, storeId: target.id, storeName: target.name } };
  });
}

/** The hash a bearer token is stored by; null for none or one longer than any token HQ issues. */
const tokenHash = (token: string | null): string | null => (!token || token.length > 200 ? null : sha256(token));

/** The live device a bearer token belongs to, or null (unknown or revoked). */
export async function deviceForToken(store: HqStore, token: string | null): Promise<DeviceRecord | null> {
  const hash = tokenHash(token);
  return hash ? store.read((r) => r.deviceByTokenHash(hash)) : null;
}

/**
 * The live device a bearer token belongs to and its store, read in one read view; null when the
 * token is unknown or revoked, or its store is gone. A desk's upgrade needs both: as two reads it
 * was two transactions (on PostgreSQL, a pooled connection and BEGIN…COMMIT each) for every desk
 * of a reconnect storm.
 */
export async function deviceAndStoreForToken(store: HqStore, token: string | null): Promise<{ device: DeviceRecord; store: StoreRecord } | null> {
  const hash = tokenHash(token);
  if (!hash) return null;
  return store.read(async (r) => {
    const device = await r.deviceByTokenHash(hash);
    const home = device ? await r.getStore(device.storeId) : null;
    return device && home ? { device, store: home } : null;
  });
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}
