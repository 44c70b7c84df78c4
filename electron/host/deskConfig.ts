// The desk's enrollment, kept between starts in desk.json: which HQ, which store and device, and
// the device token — sealed by a SecretBox (secretBox.ts: AES-GCM with a 0600 key file for the web
// shell, or Electron's safeStorage, electron-main/safeStorageBox.ts), never stored in plain text. Written after enrolling (the setup
// screen, or scripts/start.ts); read by start.ts and by the Electron main process. Plain Node.
//
// A file from before sealing (a plain `token`) is still read, and sealed on the next write. So is a
// file from before HQ had several addresses (one `hqUrl`): read as a list of one (migrateStoredConfig).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { type SecretBox } from './secretBox.ts';

export const DeskConfig = z.object({
  /** The HQ's addresses (its nodes, or a load balancer): the desk fails over between them. */
  hqUrls: z.array(z.string().url()).min(1),
  token: z.string().min(1),
  deviceId: z.string().min(1),
  deviceName: z.string().min(1),
  storeId: z.string().min(1),
  storeName: z.string(),
  /** SQLite cache of this desk. */
  dbPath: z.string().min(1),
  /** Enrolled with the embedded demo HQ that `npm start` runs (its URL may change between starts). */
  demo: z.boolean().default(false),
});
export type DeskConfig = z.infer<typeof DeskConfig>;

/** On disk: the same fields with the token sealed (or, from older files, plain). */
const StoredConfig = DeskConfig.omit({ token: true }).extend({
  token: z.string().min(1).optional(),
  tokenSealed: z.object({ box: z.string().min(1), data: z.string().min(1) }).optional(),
});

/**
 * A config as an older desk wrote it, in the current shape: one `hqUrl` becomes `hqUrls: [hqUrl]`.
 * Anything else (already current, or not a config at all) is returned as is, for the schema to judge.
 */
export function migrateStoredConfig(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data) || !('hqUrl' in data)) return data;
  const { hqUrl, ...rest } = data as Record<string, unknown>;
  return 'hqUrls' in rest ? rest : { ...rest, hqUrls: [hqUrl] };
}

/**
 * Read a config file; null when it is missing, unreadable, or its token cannot be opened by any of
 * `boxes` (the caller enrolls again).
 */
export function readDeskConfig(path: string, boxes: readonly SecretBox[] = []): DeskConfig | null {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = StoredConfig.safeParse(migrateStoredConfig(JSON.parse(raw)));
    if (!parsed.success) return null;
    const { tokenSealed, token: plain, ...rest } = parsed.data;
    let token = plain ?? null;
    if (tokenSealed) {
      const box = boxes.find((b) => b.kind === tokenSealed.box);
      token = box ? box.open(tokenSealed.data) : null;
    }
    if (!token) return null;
    return DeskConfig.parse({ ...rest, token });
  } catch {
    return null;
  }
}

/** How the token on disk is kept: 'plain' (an older file), a box kind, or null (no file/token). */
export function storedTokenBox(path: string): string | null {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as { token?: unknown; tokenSealed?: { box?: unknown } };
    if (typeof data.tokenSealed?.box === 'string') return data.tokenSealed.box;
    return typeof data.token === 'string' ? 'plain' : null;
  } catch {
    return null;
  }
}

/** Whether the file is in an older shape (one `hqUrl`) that the next write brings up to date. */
export function storedConfigIsOld(path: string): boolean {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return migrateStoredConfig(data) !== data;
  } catch {
    return false;
  }
}

/** Write the config with the token sealed by `box`. */
export function writeDeskConfig(path: string, config: DeskConfig, box: SecretBox): void {
  mkdirSync(dirname(path), { recursive: true });
  const { token, ...rest } = DeskConfig.parse(config);
  const stored = { ...rest, tokenSealed: { box: box.kind, data: box.seal(token) } };
  // Write then rename, so a crash mid-write never leaves a half file that loses the enrollment.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
