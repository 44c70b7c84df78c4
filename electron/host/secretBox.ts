// Secret boxes: how the desk keeps its device token at rest. The config file stores the token only
// sealed, as `{ box, data }` (data is base64), never in plain text.
//
//   safeStorage  — Electron's safeStorage (the OS keychain: DPAPI on Windows, Keychain on macOS,
//                  libsecret/kwallet on Linux): electron/electron-main/safeStorageBox.ts, over this
//                  interface.
//   aes-gcm-file — AES-256-GCM with a random key in a 0600 file next to the config: for the web
//                  shell and plain Node (start.ts), and the fallback on a Linux desktop with no
//                  keyring (safeStorage's "basic_text" backend is only obfuscation with a fixed key).
//                  It keeps the token out of backups and casual copies of desk.json, not from a user
//                  who can read the key file — say so to whoever picks it.
// Plain Node (no `electron` import): both shells and the tests use the AES-GCM box for real.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SecretBox {
  /** Written next to the sealed data so the right box can open it later. */
  readonly kind: string;
  /** Seal a secret; returns base64. */
  seal(plain: string): string;
  /** Open what seal() returned; throws when it cannot (wrong key, tampered data). */
  open(sealed: string): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a 32-byte key: iv ‖ tag ‖ ciphertext, base64. */
export function aesGcmBox(key: Buffer, kind = 'aes-gcm'): SecretBox {
  if (key.length !== 32) throw new Error('aesGcmBox needs a 32-byte key');
  return {
    kind,
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
    },
    open(sealed) {
      const raw = Buffer.from(sealed, 'base64');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret is too short');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

/** An AES-GCM box whose key lives in `keyPath` (created with mode 0600 when missing). */
export function fileKeyBox(keyPath: string): SecretBox {
  let key: Buffer;
  try {
    key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error('bad key file');
  } catch {
    key = randomBytes(32);
    mkdirSync(dirname(keyPath), { recursive: true });
    const tmp = `${keyPath}.tmp`;
    writeFileSync(tmp, key.toString('base64') + '\n', { mode: 0o600 });
    renameSync(tmp, keyPath);
  }
  try {
    chmodSync(keyPath, 0o600);
  } catch {
    // Windows has no POSIX modes; the file sits in the user's own profile folder.
  }
  return aesGcmBox(key, 'aes-gcm-file');
}
