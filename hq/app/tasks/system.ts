// Tasks HQ makes by itself: a wanted size arrived (restock), a member's birthday week, a hold about
// to expire. Each trigger makes ONE task, on every node once: the task id is made from the trigger
// (shared/tasks.ts systemTaskId), and it is looked up and written under the store's lock in the
// transaction of the trigger, so a trigger seen again — the sweep on a second node, a stock line
// sent twice — finds the task there and does nothing.
import { type StockLine } from '../../../shared/domain.ts';
import { birthdayKeysWithin, birthdayWithin, systemTaskId, type Task } from '../../../shared/tasks.ts';
import { type HqTx } from '../../ports/store.ts';
import { type Append, type EventLog } from '../eventLog.ts';
import { isShoeStyle, matchArrivedSize } from '../assist/restockMatches.ts'; // 7/8 restock
import { readEachStore, writeInTurns } from '../storeSweep.ts';

export interface SystemTaskInput {
  storeId: string;
  memberId: string | null;
  kind: 'hold_expiring' | 'birthday' | 'restock';
  /** What triggered it (a hold's id, a want task's id, "<member>:<year>" for a birthday): the task's identity. */
  refId: string;
  dueAt: number;
  /** The clerk it is for; null (default) = the whole store. */
  assignee?: string | null;
  text?: string;
  want?: Task['want'];
  birthday?: string | null;
}

/**
 * Creates the task of a trigger unless it exists; answers it and whether it was new. Call inside the
 * transaction of the trigger (it takes the store's lock). For holds (part C), the lead calls it as
 * `createSystemTask(tx, append, { storeId, memberId, kind: 'hold_expiring', refId: holdId, dueAt })`.
 */
export async function createSystemTask(tx: HqTx, append: Append, input: SystemTaskInput, now = Date.now()): Promise<{ task: Task; created: boolean }> {
  await tx.lockStore(input.storeId);
  const id = systemTaskId(input.kind, input.storeId, input.refId);
  const existing = await tx.tasks.getTask(id);
  if (existing) return { task: existing, created: false };
  const task: Task = {
    id,
    storeId: input.storeId,
    memberId: input.memberId,
    kind: input.kind,
    text: input.text ?? '',
    dueAt: input.dueAt,
    assignee: input.assignee ?? null,
    status: 'open',
    snoozedUntil: null,
    want: input.want ?? null,
    birthday: input.birthday ?? null,
    refId: input.refId,
    createdBy: null,
    createdAt: now,
    doneBy: null,
    doneAt: null,
    updatedAt: now,
  };
  await tx.tasks.putTask(task);
  await append(input.storeId, 'task.created', { task, by: null, opId: null }, now);
  return { task, created: true };
}

/** A stock line's key for the restock trigger: one store's style in one size (over its colours). */
const sizeKey = (l: Pick<StockLine, 'storeId' | 'styleId' | 'size'>) => `${l.storeId}\u0000${l.styleId}\u0000${l.size}`;

/**
 * Stock ingest, with the restock trigger: every line is written; for each store/style/size whose
 * quantity (over its colours) went from 0 to more and that an open want waits for, HQ makes a
 * `restock` task for the want's clerk (or the store) and closes the want, in the same transaction.
 * 7/8: for a shoe style (not an accessory), it also lists the store's members who wear the size and
 * like the category (hq/app/assist/restockMatches.ts). `write` writes one line (catalogIngest's per-line rules).
 */
export async function setStockWithRestock(
  tx: HqTx,
  append: Append,
  lines: readonly StockLine[],
  write: (line: StockLine) => Promise<boolean>,
  now = Date.now(),
): Promise<void> {
  // Only stores with an open want can trigger: the others are written as before, with no extra read.
  const wants = new Map<string, Task[]>();
  const stores = new Set<string>();
  for (const storeId of [...new Set(lines.map((l) => l.storeId))].sort()) {
    // Locked in one order (sorted) before any read, so "was it 0?" is read under the lock.
    if (!(await tx.lockStore(storeId))) continue;
    stores.add(storeId);
    for (const w of await tx.tasks.openWants(storeId)) {
      // A restock task carries the want's style and size too, but waits for nothing.
      if (w.kind !== 'call_back') continue;
      const key = sizeKey({ storeId, styleId: w.want!.styleId, size: w.want!.size });
      wants.set(key, [...(wants.get(key) ?? []), w]);
    }
  }
  // 7/8 restock: every size of a shoe style is watched (one style read per style of the write).
  const shoes = new Map<string, boolean>();
  for (const styleId of new Set(lines.map((l) => l.styleId))) shoes.set(styleId, await isShoeStyle(tx, styleId));
  const before = new Map<string, number>();
  for (const line of lines) {
    const key = sizeKey(line);
    const watched = wants.has(key) || (stores.has(line.storeId) && shoes.get(line.styleId) === true);
    if (watched && !before.has(key)) before.set(key, await tx.tasks.sizeQty(line.storeId, line.styleId, line.size));
    await write(line);
  }
  for (const [key, was] of before) {
    if (was > 0) continue;
    const [storeId, styleId, size] = key.split('\u0000') as [string, string, string];
    const qty = await tx.tasks.sizeQty(storeId, styleId, Number(size));
    if (qty <= 0) continue;
    for (const want of wants.get(key) ?? []) await restockArrived(tx, append, want, now);
    if (shoes.get(styleId)) await matchArrivedSize(tx, append, storeId, styleId, Number(size), qty, now);
  }
}

/** The size a want waited for arrived: a restock task "call them", and the want is closed (one task to act on, not two). */
async function restockArrived(tx: HqTx, append: Append, want: Task, now: number): Promise<void> {
  const { created } = await createSystemTask(
    tx,
    append,
    { storeId: want.storeId, memberId: want.memberId, kind: 'restock', refId: want.id, dueAt: now, assignee: want.assignee ?? want.createdBy?.clerkId ?? null, want: want.want, text: want.text },
    now,
  );
  if (!created) return;
  const closed: Task = { ...want, status: 'done', doneAt: now, doneBy: null, updatedAt: now };
  await tx.tasks.putTask(closed);
  await append(want.storeId, 'task.updated', { task: closed, by: null, opId: null }, now);
}

/**
 * The birthday week: for each store, a task for each home member whose birthday falls in the 7 days
 * from the store's today and who gave the `contact` consent — PIPL: calling a member about their
 * birthday is 1:1 outreach, which only that consent allows (marketing pushes are another purpose).
 * Every node may run it; the task id `bday:<store>:<member>:<year>` makes it one task a year.
 * Answers how many tasks were made.
 */
export async function sweepBirthdays(log: EventLog, now = Date.now()): Promise<number> {
  // The week's keys per local date, worked out once: a chain's stores are on one or two dates.
  const keys = new Map<string, string[]>();
  const keysFor = (today: { year: number; month: number; day: number }) => {
    const date = `${today.year}-${today.month}-${today.day}`;
    let k = keys.get(date);
    if (!k) keys.set(date, (k = birthdayKeysWithin(today)));
    return k;
  };
  const due = await readEachStore(log.store, async (r, store) => {
    const local = new Date(now + store.settings.utcOffsetMin * 60_000);
    const today = { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate() };
    const members: { id: string; birthday: string; year: number }[] = [];
    for (const m of await r.homeMembersBornOn(store.id, keysFor(today))) {
      if (!m.birthday || !m.consents.contact) continue;
      const year = birthdayWithin(m.birthday, today);
      // Made by an earlier hour's sweep (or another node's): the write would find it and do nothing.
      if (year === null || (await r.tasks.getTask(systemTaskId('birthday', store.id, `${m.id}:${year}`)))) continue;
      members.push({ id: m.id, birthday: m.birthday, year });
    }
    return members.length ? [{ storeId: store.id, members }] : [];
  });
  return writeInTurns(new Map(due.map((d) => [d.storeId, d.members])), (storeId, members) =>
    log.write(async (tx, append) => {
      let n = 0;
      for (const m of members) {
        // Read again under the lock: erased, or the consent withdrawn since the read, makes no task.
        const member = await tx.getMember(m.id);
        if (!member || !member.consents.contact || member.birthday !== m.birthday) continue;
        const { created } = await createSystemTask(tx, append, { storeId, memberId: m.id, kind: 'birthday', refId: `${m.id}:${m.year}`, dueAt: now, birthday: m.birthday }, now);
        if (created) n++;
      }
      return n;
    }),
  );
}
