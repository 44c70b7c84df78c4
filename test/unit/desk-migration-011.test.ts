// Desk cache migration 011 (follow-up tasks): its table, that step-10 data survives it, and the
// task rows' life in the cache — written whole, replaced by HQ's next version, wiped by a snapshot,
// dropped with an erased member and (when done) past retention — plus the pure overlay and Today filter.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/desk/cache/migrate.ts';
import { deleteMemberData, purgeOlderThan } from '../../electron/desk/cache/privacy.ts';
import { CacheQueries, type OutboxOp } from '../../electron/desk/cache/queries.ts';
import { overlayTasks, todayList } from '../../electron/desk/tasks/views.ts';
import { birthdayWithin, isDueToday, systemTaskId, type Task } from '../../shared/tasks.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-mig11-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const task = (id: string, over: Partial<Task> = {}): Task => ({
  id,
  storeId: 's',
  memberId: 'm1',
  kind: 'call_back',
  text: '回电',
  dueAt: 1_000,
  assignee: 'ann',
  status: 'open',
  snoozedUntil: null,
  want: null,
  birthday: null,
  refId: null,
  createdBy: null,
  createdAt: 500,
  doneBy: null,
  doneAt: null,
  updatedAt: 500,
  ...over,
});

describe('desk cache migration 011 (tasks)', () => {
  it('adds the tasks table and keeps step-10 data', () => {
    const db = new Database(join(dir, 'c.db'));
    migrate(db, { target: 10 });
    db.prepare("INSERT INTO meta (key, value) VALUES ('position', '{\"epoch\":\"e1\",\"seq\":9}')").run();
    db.prepare("INSERT INTO outbox (op_id, ordinal, type, visit_id, data, created_at) VALUES ('op1', 1, 'claim', 'v1', '{}', 5)").run();
    expect(migrate(db, { target: 11 })).toBe(11);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(tables).toContain('tasks');
    expect(db.prepare("SELECT value FROM meta WHERE key = 'position'").get()).toEqual({ value: '{"epoch":"e1","seq":9}' });
    expect(db.prepare('SELECT op_id FROM outbox').all()).toEqual([{ op_id: 'op1' }]);

    migrate(db);
    const q = new CacheQueries(db);
    q.tx(() => {
      q.tasks.put(task('a', { dueAt: 3 }));
      q.tasks.put(task('b', { dueAt: 2, memberId: 'm2' }));
      q.tasks.put(task('done', { status: 'done', updatedAt: 100 }));
    });
    expect(q.tasks.open().map((t) => t.id)).toEqual(['b', 'a']);
    q.tx(() => q.tasks.put(task('a', { dueAt: 3, status: 'done', updatedAt: 9_000 })));
    expect(q.tasks.open().map((t) => t.id)).toEqual(['b']);
    expect(q.tasks.get('a')).toMatchObject({ status: 'done' });
    // Erasure drops the member's tasks; retention drops done tasks past the cutoff, never open ones.
    deleteMemberData(db, 'm2');
    expect(q.tasks.get('b')).toBeNull();
    purgeOlderThan(db, 1_000, 's');
    expect(q.tasks.get('done')).toBeNull();
    expect(q.tasks.get('a')).not.toBeNull();
    q.tx(() => q.tasks.put(task('c', { dueAt: 0 })));
    purgeOlderThan(db, 10_000_000, 's');
    expect(q.tasks.get('c')).not.toBeNull();
    // A snapshot replaces every task.
    q.tx(() => q.wipeHqState());
    expect(q.tasks.open()).toEqual([]);
    db.close();
  });
});

describe('task overlay and Today (pure)', () => {
  const self = { deviceId: 'd1', deviceName: 'Counter 1' };
  const ctx = { storeId: 's', self, clerkName: (id: string) => (id === 'ann' ? 'Ann' : null) };
  const op = (ordinal: number, type: OutboxOp['type'], data: Record<string, unknown>, state: OutboxOp['state'] = 'pending'): OutboxOp =>
    ({ opId: `op${ordinal}`, ordinal, type, visitId: `task:${String(data.taskId)}`, data, createdAt: 2_000 + ordinal, state, ackedSeq: null, rejection: state === 'rejected' ? { code: 'invalid', message: 'no' } : null }) as OutboxOp;

  it('lays queued creates, dones and snoozes over the confirmed tasks; a refused op stops applying', () => {
    const confirmed = [task('t1'), task('t2', { dueAt: 5 })];
    const ops = [
      op(1, 'task.create', { taskId: 'new', memberId: null, kind: 'other', text: '整理', dueAt: 10, assignee: null, clerkId: 'ann' }),
      op(2, 'task.done', { taskId: 't1', clerkId: 'ann' }),
      op(3, 'task.snooze', { taskId: 't2', until: 99_999 }, 'rejected'),
      op(4, 'claim', { visitId: 'v1' }),
    ];
    const views = overlayTasks(confirmed, ops, ctx);
    const byId = new Map(views.map((v) => [v.id, v]));
    expect(byId.get('new')).toMatchObject({ sync: 'pending', pendingAction: 'create', status: 'open', storeId: 's', createdBy: { clerkId: 'ann', clerkName: 'Ann' } });
    expect(byId.get('t1')).toMatchObject({ sync: 'pending', pendingAction: 'done', status: 'done', doneBy: { clerkId: 'ann' } });
    expect(byId.get('t2')).toMatchObject({ sync: 'rejected', pendingAction: 'snooze', snoozedUntil: null, rejection: { code: 'invalid' } });
    const f = { clerkId: 'ann', now: 3_000, dueBy: 4_000 };
    expect(todayList(views, { ...f, scope: 'mine' }).map((v) => v.id)).toEqual(['t2']);
    expect(todayList(views, { ...f, scope: 'store' }).map((v) => v.id)).toEqual(['t2', 'new']);
    expect(todayList(views, { ...f, scope: 'mine', clerkId: null })).toEqual([]);
    expect(todayList(views, { ...f, scope: 'member', memberId: 'm1' }).map((v) => v.id)).toEqual(['t2']);
  });

  it('is due today when open, due by the end of today and not snoozed past now', () => {
    expect(isDueToday(task('x', { dueAt: 10 }), 100, 200)).toBe(true);
    expect(isDueToday(task('x', { dueAt: 300 }), 100, 200)).toBe(false);
    expect(isDueToday(task('x', { dueAt: 10, snoozedUntil: 150 }), 100, 200)).toBe(false);
    expect(isDueToday(task('x', { dueAt: 10, snoozedUntil: 90 }), 100, 200)).toBe(true);
    expect(isDueToday(task('x', { dueAt: 10, status: 'done' }), 100, 200)).toBe(false);
  });

  it('finds a birthday in the coming week across the new year and on 29 February; system ids are deterministic and short', () => {
    expect(birthdayWithin('01-02', { year: 2026, month: 12, day: 28 })).toBe(2027);
    expect(birthdayWithin('12-28', { year: 2026, month: 12, day: 28 })).toBe(2026);
    expect(birthdayWithin('01-04', { year: 2026, month: 12, day: 28 })).toBeNull();
    expect(birthdayWithin('02-29', { year: 2027, month: 2, day: 25 })).toBe(2027);
    expect(birthdayWithin('03-01', { year: 2027, month: 2, day: 25 })).toBe(2027);
    expect(systemTaskId('birthday', 'sh-nanjing', 'm1:2026')).toBe('bday:sh-nanjing:m1:2026');
    const long = systemTaskId('restock', 'a-very-long-store-id-of-a-chain', '0190f3a2-7b1c-7d4e-9f00-123456789abc');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(systemTaskId('restock', 'a-very-long-store-id-of-a-chain', '0190f3a2-7b1c-7d4e-9f00-123456789abc')).toBe(long);
    expect(systemTaskId('restock', 'a-very-long-store-id-of-a-chain', '0190f3a2-7b1c-7d4e-9f00-123456789abd')).not.toBe(long);
  });
});
