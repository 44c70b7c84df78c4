// PLACEHOLDER: desk cache step 18, the assistant's hand-overs (7/8 assistant part). The part that owns it replaces this with its tables.
import { type Migration } from './types.ts';

export const migration018: Migration = {
  version: 18,
  name: 'handovers',
  up(db) {
    db.exec('SELECT 1');
  },
};
