// (reserved: checkin) — a placeholder step until its feature lands.
import { type Migration } from './types.ts';

export const migration008: Migration = {
  version: 8,
  name: 'checkin',
  up() {},
};
