// (reserved: holds) — a placeholder step until its feature lands.
import { type Migration } from './types.ts';

export const migration010: Migration = {
  version: 10,
  name: 'holds',
  up() {},
};
