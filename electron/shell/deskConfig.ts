// The desk's enrollment, kept between starts in .footfall/desk.json: which HQ, which store and
// device, and the device token. Written by scripts/start.ts after enrolling; read by start.ts and
// by the Electron main process. Plain Node (no `electron` import).
// TODO(issue 5): under Electron, keep the token with safeStorage (OS keychain) instead of plain JSON.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export const DeskConfig = z.object({
  hqUrl: z.string().url(),
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

/** Read a config file; null when it is missing or unreadable (the caller enrolls again). */
export function readDeskConfig(path: string): DeskConfig | null {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = DeskConfig.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function writeDeskConfig(path: string, config: DeskConfig): void {
  mkdirSync(dirname(path), { recursive: true });
  // Write then rename, so a crash mid-write never leaves a half file that loses the enrollment.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
