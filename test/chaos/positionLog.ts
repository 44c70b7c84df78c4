// The applied-seq record of a chaos desk: two triggers installed in the desk's cache file log every
// change of its position (old → new) into `chaos_position_log`. They run inside the very transaction
// that applies an event (or a snapshot), so the record can never disagree with the cache, whatever
// instant the process is killed at.
import Database from 'better-sqlite3';

export interface PositionLogRow {
  fromEpoch: string;
  fromSeq: number;
  toEpoch: string;
  toSeq: number;
}

export function installPositionLog(dbPath: string): void {
  const db = new Database(dbPath);
  try {
    db.exec(`
      CREATE TABLE IF NOT EXISTS chaos_position_log (
        n INTEGER PRIMARY KEY AUTOINCREMENT, from_epoch TEXT NOT NULL, from_seq INTEGER NOT NULL,
        to_epoch TEXT NOT NULL, to_seq INTEGER NOT NULL);
      CREATE TRIGGER IF NOT EXISTS chaos_position_insert AFTER INSERT ON meta WHEN NEW.key = 'position'
      BEGIN
        INSERT INTO chaos_position_log (from_epoch, from_seq, to_epoch, to_seq)
        VALUES ('', 0, json_extract(NEW.value, '$.epoch'), json_extract(NEW.value, '$.seq'));
      END;
      CREATE TRIGGER IF NOT EXISTS chaos_position_update AFTER UPDATE ON meta WHEN NEW.key = 'position'
      BEGIN
        INSERT INTO chaos_position_log (from_epoch, from_seq, to_epoch, to_seq)
        VALUES (json_extract(OLD.value, '$.epoch'), json_extract(OLD.value, '$.seq'),
                json_extract(NEW.value, '$.epoch'), json_extract(NEW.value, '$.seq'));
      END;
    `);
  } finally {
    db.close();
  }
}

export function readPositionLog(dbPath: string): PositionLogRow[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare('SELECT from_epoch AS fromEpoch, from_seq AS fromSeq, to_epoch AS toEpoch, to_seq AS toSeq FROM chaos_position_log ORDER BY n')
      .all() as PositionLogRow[];
  } finally {
    db.close();
  }
}

