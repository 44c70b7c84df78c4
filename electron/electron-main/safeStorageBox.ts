// The secret box over Electron's safeStorage (the OS keychain), for the Electron shell only; the
// interface and the key-file box both shells use are in electron/host/secretBox.ts. It takes
// safeStorage as an interface, so the tests reach it without Electron.
import { type SecretBox } from '../host/secretBox.ts';

/** The subset of Electron's safeStorage the box needs (main.ts passes the real one). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * A box over Electron's safeStorage, or null when it cannot protect anything: encryption not
 * available, or on Linux the "basic_text" backend (no keyring: a hard-coded key, obfuscation only).
 */
export function safeStorageBox(safeStorage: SafeStorageLike, platform: NodeJS.Platform): SecretBox | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return null;
  return {
    kind: 'safeStorage',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}
