// (reserved: member-history) — a placeholder step until its feature lands.
import { type Migration } from './types.ts';

export const migration009: Migration = {
  version: 9,
  name: 'member-history',
  up() {},
};
