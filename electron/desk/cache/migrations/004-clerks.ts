// Clerks: the store's clerk list with their scrypt PIN hashes as HQ sent them (for offline
// sign-in), and wrong-PIN counts per clerk so a lockout survives a restart of the desk.
import { type Migration } from './types.ts';

export const migration004: Migration = {
  version: 4,
  name: 'clerks',
  up(db) {
    db.exec(`
      CREATE TABLE clerks (
        id          TEXT PRIMARY KEY,
        json        TEXT NOT NULL
      );
      CREATE TABLE clerk_lockouts (
        clerk_id      TEXT PRIMARY KEY,
        failures      INTEGER NOT NULL DEFAULT 0,
        locked_until  INTEGER NOT NULL DEFAULT 0
      );
    `);
  },
};
