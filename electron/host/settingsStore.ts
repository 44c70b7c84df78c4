// The desk's settings file (settings.json in the data folder), shared by both shells. Validated by
// shared/settings.ts on the way in and out: a damaged or hand-edited file falls back field by field
// to the defaults instead of stopping the desk. A file an older desk wrote (one HQ address) is
// migrated on read (migrateSettings) and saved in the current shape on the next write. Plain Node
// (no `electron` import).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_SETTINGS, DeskSettings, migrateSettings, type SettingsPatch } from '../../shared/settings.ts';

/** `defaults`: this build's (shared/settings.ts defaultSettingsFor: the chain's update channel). */
export function loadSettings(path: string, defaults: DeskSettings = DEFAULT_SETTINGS): DeskSettings {
  let data: unknown;
  try {
    data = migrateSettings(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return { ...defaults };
  }
  const whole = DeskSettings.safeParse(data);
  if (whole.success) return whole.data;
  // Keep each field that is still valid on its own; default the rest.
  const out: Record<string, unknown> = { ...defaults };
  if (data && typeof data === 'object') {
    for (const [key, schema] of Object.entries(DeskSettings.shape)) {
      const field = (schema as { safeParse(v: unknown): { success: boolean; data?: unknown } }).safeParse((data as Record<string, unknown>)[key]);
      if (field.success) out[key] = field.data;
    }
  }
  return DeskSettings.parse(out);
}

export function saveSettings(path: string, settings: DeskSettings): void {
  const valid = DeskSettings.parse(settings);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** Apply an already-validated patch. */
export function applyPatch(settings: DeskSettings, patch: SettingsPatch): DeskSettings {
  const next: Record<string, unknown> = { ...settings };
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) next[key] = value;
  return DeskSettings.parse(next);
}
