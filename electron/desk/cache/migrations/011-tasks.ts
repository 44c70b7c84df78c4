// (reserved: tasks) — a placeholder step until its feature lands.
import { type Migration } from './types.ts';

export const migration011: Migration = {
  version: 11,
  name: 'tasks',
  up() {},
};
