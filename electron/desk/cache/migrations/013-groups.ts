// Member communities (5/8): reserved for the desk's group cache.
import { type Migration } from './types.ts';

export const migration013: Migration = {
  version: 13,
  name: 'groups',
  up() {},
};
