// GroupOps on PostgreSQL (5/8). Placeholder until migration 14 lands: every call fails.
import { type GroupOps } from '../../ports/groupStore.ts';
import { type Exec } from './pgOps.ts';

export function createPgGroupOps(_exec: Exec): GroupOps {
  return new Proxy({} as GroupOps, {
    get: (_t, name) => () => Promise.reject(new Error(`groups storage is not there yet (${String(name)})`)),
  });
}
