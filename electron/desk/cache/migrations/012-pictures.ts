// (reserved: pictures) — a placeholder step until its feature lands.
import { type Migration } from './types.ts';

export const migration012: Migration = {
  version: 12,
  name: 'pictures',
  up() {},
};
