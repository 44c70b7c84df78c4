// PLACEHOLDER: desk cache step 16, suggestion marks (7/8 arrival-card part). The part that owns it replaces this with its tables.
import { type Migration } from './types.ts';

export const migration016: Migration = {
  version: 16,
  name: 'assist-marks',
  up(db) {
    db.exec('SELECT 1');
  },
};
