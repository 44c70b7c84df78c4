// Style pictures (4/8 part E): the pictures that suggestions and product cards name, by id (the
// SHA-256 of the bytes, so a cached one is never stale), kept so they show offline. `used_at` is
// when a card last named or showed it: the retention purge drops ones unused and unreferenced.
import { type Migration } from './types.ts';

export const migration012: Migration = {
  version: 12,
  name: 'pictures',
  up(db) {
    db.exec(`
      CREATE TABLE style_images (
        id          TEXT PRIMARY KEY,
        mime        TEXT NOT NULL,
        data        BLOB NOT NULL,
        fetched_at  INTEGER NOT NULL,
        used_at     INTEGER NOT NULL
      );
      CREATE INDEX style_images_used ON style_images (used_at);
    `);
  },
};
