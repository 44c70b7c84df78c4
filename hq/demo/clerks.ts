// Demo clerks: three clerks and one store manager per demo store, with fixed demo PINs that
// `npm run hq -- --demo` prints. Added to a store only when missing (ids are fixed), so an
// already-seeded database gets them too and a re-run never re-hashes.
import { type ClerkRole } from '../../shared/clerks.ts';
import { importClerks } from '../app/clerks/service.ts';
import { type EventLog } from '../app/eventLog.ts';

export interface DemoClerk {
  id: string;
  storeId: string;
  name: string;
  role: ClerkRole;
  pin: string;
}

const NAMES: Record<string, readonly [string, string, string, string]> = {
  'sh-nanjing': ['陈静', '王芳', '李娜', '张伟'],
  'bj-sanlitun': ['刘洋', '赵敏', '孙磊', '周婷'],
  'sz-mixc': ['黄丽', '吴强', '郑爽', '何斌'],
};

/** The demo clerks of the given stores: the first name is the manager (PIN 9000), then clerks 1001–1003. */
export function demoClerks(storeIds: readonly string[]): DemoClerk[] {
  return storeIds.flatMap((storeId) => {
    const names = NAMES[storeId] ?? ['Manager', 'Clerk A', 'Clerk B', 'Clerk C'];
    return names.map((name, i) => ({
      id: `${storeId}-${i === 0 ? 'mgr' : `c${i}`}`,
      storeId,
      name,
      role: i === 0 ? ('manager' as const) : ('clerk' as const),
      pin: i === 0 ? '9000' : `100${i}`,
    }));
  });
}

/** Saves the demo clerks that are missing, through the clerk use case (so their stores' desks hear `clerks.updated`). */
export async function seedDemoClerks(log: EventLog, storeIds: readonly string[]): Promise<DemoClerk[]> {
  const { clerks, missing } = await log.store.read(async (r) => {
    const known: string[] = [];
    for (const id of storeIds) if (await r.getStore(id)) known.push(id);
    const clerks = demoClerks(known);
    const missing: DemoClerk[] = [];
    for (const c of clerks) if (!(await r.clerks.getClerk(c.id))) missing.push(c);
    return { clerks, missing };
  });
  if (missing.length) {
    const result = await importClerks(log, missing.map((c) => ({ ...c, enabled: true })), Date.now());
    if (result.errors.length) throw new Error(`demo clerks: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return clerks;
}
