// Clerks and store managers: who is signed in at a counter, how their PIN is kept, and
// what HQ and the desk exchange about them. Pure: schemas and types only (hashing lives in hq/ and
// electron/desk/, both on node:crypto's scrypt with the parameters stored next to each hash).
import { z } from 'zod';
import { Id, Millis } from './domain.ts';

export const ClerkRole = z.enum(['clerk', 'manager']);
export type ClerkRole = z.infer<typeof ClerkRole>;

/** A PIN: 4 to 8 digits. */
export const Pin = z.string().regex(/^\d{4,8}$/, 'a PIN is 4 to 8 digits');

/** An scrypt PIN hash with its parameters, so they can be raised later without breaking old hashes. */
export const PinHash = z.object({
  alg: z.literal('scrypt'),
  N: z.number().int().min(1024).max(1 << 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  keyLen: z.number().int().min(16).max(64),
  /** base64 */
  salt: z.string().min(8).max(128),
  /** base64 */
  hash: z.string().min(16).max(128),
});
export type PinHash = z.infer<typeof PinHash>;

/** What the desk shows about a clerk (no hash). */
export const ClerkPublic = z.object({ id: Id, name: z.string().min(1).max(60), role: ClerkRole });
export type ClerkPublic = z.infer<typeof ClerkPublic>;

/** A clerk of the store as HQ sends it to that store's enrolled desks, for offline sign-in. */
export const StoreClerk = ClerkPublic.extend({ storeId: Id, enabled: z.boolean(), pinHash: PinHash, updatedAt: Millis });
export type StoreClerk = z.infer<typeof StoreClerk>;

/** GET /v1/clerks (device token) — the store's clerks, disabled ones included (so a desk forgets them). */
export const ClerksResponse = z.object({ storeId: Id, clerks: z.array(StoreClerk) });
export type ClerksResponse = z.infer<typeof ClerksResponse>;

/** POST /v1/clerks/signin (device token). */
export const SignInRequest = z.object({ clerkId: Id, pin: Pin }).strict();
export const SignInResponse = z.object({ clerk: ClerkPublic, session: z.string().min(16).max(200), expiresAt: Millis });
export type SignInResponse = z.infer<typeof SignInResponse>;

/** POST /v1/ingest/clerks (integration key): create or update clerks; `pin` is hashed at HQ and never stored. */
export const ClerkImport = z
  .object({
    id: Id.optional(),
    storeId: Id,
    name: z.string().trim().min(1).max(60),
    role: ClerkRole.default('clerk'),
    /** Required for a new clerk; omitted keeps the current PIN. */
    pin: Pin.optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ClerkImport = z.infer<typeof ClerkImport>;

/** Wrong PINs in a row before a clerk is locked out, and for how long. Same rule at HQ and on the desk. */
export const PIN_MAX_FAILURES = 5;
export const PIN_LOCKOUT_MS = 5 * 60 * 1000;
/** Default inactivity lock on the desk. */
export const DEFAULT_LOCK_AFTER_MS = 5 * 60 * 1000;
/** How long an HQ clerk session lasts. */
export const CLERK_SESSION_MS = 12 * 60 * 60 * 1000;

/** The desk's sign-in state, pushed to the UI as the `clerk` event. */
export interface ClerkState {
  clerk: ClerkPublic | null;
  /** Signed in but locked after inactivity: the same clerk (or another) must enter a PIN. */
  locked: boolean;
  /** Verified at HQ (true) or from the cached hash while offline (false). */
  verifiedOnline: boolean;
  /** Inactivity before the desk locks itself, in ms (0 = never). */
  lockAfterMs: number;
}

export type SignInResult =
  | { ok: true; state: ClerkState }
  | { ok: false; reason: 'wrong_pin' | 'locked_out' | 'unknown_clerk'; attemptsLeft?: number; retryAt?: number };
