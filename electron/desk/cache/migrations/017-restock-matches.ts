// PLACEHOLDER: desk cache step 17, restock matches (7/8 restock part). The part that owns it replaces this with its tables.
import { type Migration } from './types.ts';

export const migration017: Migration = {
  version: 17,
  name: 'restock-matches',
  up(db) {
    db.exec('SELECT 1');
  },
};
