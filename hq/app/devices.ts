// Enrollment: a one-time code (made by an admin for one store) is exchanged for a device token.
import { uuidv7 } from '../../shared/ids.ts';
import { type EnrollResponse } from '../../shared/protocol.ts';
import { newEnrollmentCode, newToken, normalizeEnrollmentCode, sha256 } from './tokens.ts';
import { type DeviceRecord, type HqStorage } from '../ports/store.ts';

export const DEFAULT_CODE_TTL_MS = 24 * 60 * 60 * 1000;

export function createEnrollmentCode(storage: HqStorage, storeId: string, ttlMs = DEFAULT_CODE_TTL_MS, now = Date.now()): string {
  if (!storage.getStore(storeId)) throw new Error(`unknown store ${storeId}`);
  const code = newEnrollmentCode();
  storage.createEnrollmentCode(sha256(normalizeEnrollmentCode(code)), storeId, now + ttlMs, now);
  return code;
}

export type EnrollResult = { ok: true; response: EnrollResponse } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

export function enrollDevice(storage: HqStorage, code: string, deviceName: string, now = Date.now()): EnrollResult {
  return storage.transaction((): EnrollResult => {
    const used = storage.consumeEnrollmentCode(sha256(normalizeEnrollmentCode(code)), now);
    if (!used.ok) return used;
    const store = storage.getStore(used.storeId)!;
    const token = newToken();
    const device: DeviceRecord = { id: uuidv7(now), storeId: store.id, name: deviceName, createdAt: now, revokedAt: null, ackedSeq: 0 };
    storage.createDevice(device, sha256(token));
    return { ok: true, response: { token, deviceId: device.id, storeId: store.id, storeName: store.name } };
  });
}

/** The live device a bearer token belongs to, or null (unknown or revoked). */
export function deviceForToken(storage: HqStorage, token: string | null): DeviceRecord | null {
  if (!token || token.length > 200) return null;
  return storage.deviceByTokenHash(sha256(token));
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}
