// Secrets HQ hands out (device tokens, enrollment codes, the integration key). HQ keeps only
// SHA-256 hashes of tokens and codes, so a copy of the database does not let anyone in.
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** 32 random bytes, base64url: a device token. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function newEpoch(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

// No 0/O, 1/I/L: the code is read off a screen and typed at the counter PC.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A one-time enrollment code like "K7QF-M2XP-9HTA" (12 symbols, ~59 bits). */
export function newEnrollmentCode(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

/** Codes are compared without dashes, spaces or case, so "k7qf m2xp 9hta" works too. */
export function normalizeEnrollmentCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

/** Constant-time comparison of two secrets of any length. */
export function secretEquals(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(a), 'hex'), Buffer.from(sha256(b), 'hex'));
}
