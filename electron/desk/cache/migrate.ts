// Applies numbered migrations by PRAGMA user_version, one transaction per step.
import type Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

export class CacheTooNewError extends Error {
  constructor(
    public readonly found: number,
    public readonly known: number,
  ) {
    super(
      `desk cache has schema version ${found}, but this build only knows up to ${known}: ` +
        'it was written by a newer Footfall. Refusing to open it (the file was not modified).',
    );
    this.name = 'CacheTooNewError';
  }
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws CacheTooNewError without writing anything when the file is newer than `migrations`. */
export function assertNotTooNew(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): void {
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const found = schemaVersion(db);
  if (found > known) throw new CacheTooNewError(found, known);
}

/**
 * Brings the schema up to `target` (default: the newest). Each step and its user_version bump
 * commit together, so an interrupted upgrade resumes at the step that did not finish.
 */
export function migrate(db: Database.Database, opts: { migrations?: readonly Migration[]; target?: number } = {}): number {
  const migrations = opts.migrations ?? MIGRATIONS;
  assertNotTooNew(db, migrations);
  const target = opts.target ?? (migrations.length ? migrations[migrations.length - 1]!.version : 0);
  let version = schemaVersion(db);
  for (const m of migrations) {
    if (m.version <= version || m.version > target) continue;
    if (m.version !== version + 1) throw new Error(`migration ${m.version} (${m.name}) does not follow version ${version}`);
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
    version = m.version;
  }
  return version;
}

/**
 * Whether the cache file has `table` — i.e. has reached the step that made it. Privacy and retention
 * code also runs on files the migration tests hold at an older step, where a later feature's table
 * does not exist yet.
 */
export function hasTable(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}
