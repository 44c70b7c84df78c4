// Clerk PINs: scrypt (node:crypto) with a per-clerk random salt; the parameters are stored with the
// hash so they can be raised later and old hashes still verify. HQ hashes and verifies; the desk
// only verifies, offline, against the hashes HQ sent it. One copy here so the two cannot drift.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { type PinHash } from '../clerks.ts';

export const PIN_SCRYPT = { N: 16384, r: 8, p: 1, keyLen: 32 } as const;

const maxmem = (h: Pick<PinHash, 'N' | 'r'>) => 256 * h.N * h.r + 1024 * 1024;

export function hashPin(pin: string, params: Pick<PinHash, 'N' | 'r' | 'p' | 'keyLen'> = PIN_SCRYPT): PinHash {
  const salt = randomBytes(16);
  const hash = scryptSync(pin, salt, params.keyLen, { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) });
  return { alg: 'scrypt', ...params, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/** Constant-time check of a PIN against a stored hash; runs scrypt off the event loop. */
export function verifyPin(pin: string, h: PinHash): Promise<boolean> {
  const expected = Buffer.from(h.hash, 'base64');
  return new Promise((resolve) => {
    scrypt(pin, Buffer.from(h.salt, 'base64'), h.keyLen, { N: h.N, r: h.r, p: h.p, maxmem: maxmem(h) }, (err, key) => {
      resolve(!err && key.length === expected.length && timingSafeEqual(key, expected));
    });
  });
}
