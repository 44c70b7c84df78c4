// What the clerk sees of holds: HQ's confirmed holds and requests with this desk's queued actions
// laid over them (the outbox is never written into the confirmed tables). Pure: rows in, views out.
//
// Queued hold actions are filed in the outbox under the subject `hold:<holdId or requestId>`.
import { DAY_MS, type Hold, type HoldRequest, type HoldRequestView, type HoldView } from '../../../shared/holds.ts';
import type { OutboxOp } from '../cache/queries.ts';
import type { HoldLabel } from './holdQueries.ts';

export const holdSubject = (id: string) => `hold:${id}`;
export const holdOfSubject = (subject: string) => (subject.startsWith('hold:') ? subject.slice(5) : null);

export interface HoldInputs {
  storeId: string;
  storeName: string;
  deviceId: string;
  deviceName: string;
  now: number;
  active: readonly Hold[];
  ops: readonly OutboxOp[];
  label(id: string): HoldLabel | null;
}

const rejectionOf = (op: OutboxOp) => (op.state === 'rejected' && op.rejection ? { code: op.rejection.code, message: op.rejection.message } : null);
const syncOf = (op: OutboxOp) => (op.state === 'rejected' ? 'rejected' : 'pending') as HoldView['sync'];

/** The store's holds: active ones, minus those a queued release ends, plus queued (or refused) new ones. */
export function holdViews(i: HoldInputs): HoldView[] {
  const views = new Map<string, HoldView>();
  for (const h of i.active) views.set(h.id, { ...h, sync: null, pendingAction: null, rejection: null });
  for (const op of i.ops) {
    if (op.type === 'hold.place') {
      const d = op.data;
      if (views.has(d.holdId)) continue; // HQ has it (confirmed); the op is settling
      const label = i.label(d.holdId);
      views.set(d.holdId, {
        id: d.holdId,
        storeId: i.storeId,
        ...queuedLine(label, d),
        placedAt: op.createdAt,
        until: op.createdAt + d.days * DAY_MS,
        by: { deviceId: i.deviceId, deviceName: i.deviceName },
        status: 'active',
        endedAt: null,
        endedBy: null,
        requestId: null,
        sync: syncOf(op),
        pendingAction: 'place',
        rejection: rejectionOf(op),
      });
    } else if (op.type === 'hold.release') {
      const v = views.get(op.data.holdId);
      if (!v) continue;
      if (op.state === 'rejected') views.set(v.id, { ...v, sync: 'rejected', pendingAction: 'release', rejection: rejectionOf(op) });
      else views.delete(v.id); // ending it: shown gone at once
    }
  }
  return [...views.values()].sort((a, b) => a.until - b.until || a.id.localeCompare(b.id));
}

/** Active holds (as shown) per style, colour and size: what to subtract from the store's stock. */
export function heldCounts(views: readonly HoldView[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of views) {
    if (v.status !== 'active' || v.sync === 'rejected') continue;
    const k = `${v.styleId}|${v.size}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Requests this store made or got, with queued requests and answers laid over. */
export function requestViews(i: Omit<HoldInputs, 'active'> & { requests: readonly HoldRequest[] }): HoldRequestView[] {
  const views = new Map<string, HoldRequestView>();
  for (const r of i.requests) views.set(r.id, { ...r, direction: r.fromStoreId === i.storeId ? 'out' : 'in', sync: null, pendingAnswer: null, rejection: null });
  for (const op of i.ops) {
    if (op.type === 'hold.request') {
      const d = op.data;
      if (views.has(d.requestId)) continue;
      const label = i.label(d.requestId);
      views.set(d.requestId, {
        id: d.requestId,
        fromStoreId: i.storeId,
        fromStoreName: i.storeName,
        toStoreId: d.toStoreId,
        toStoreName: label?.toStoreName ?? d.toStoreId,
        ...queuedLine(label, d),
        days: d.days,
        requestedAt: op.createdAt,
        by: { deviceId: i.deviceId, deviceName: i.deviceName },
        status: 'pending',
        answeredAt: null,
        answeredBy: null,
        holdId: null,
        until: null,
        direction: 'out',
        sync: syncOf(op),
        pendingAnswer: null,
        rejection: rejectionOf(op),
      });
    } else if (op.type === 'hold.answer') {
      const v = views.get(op.data.requestId);
      if (!v || v.status !== 'pending') continue;
      views.set(v.id, { ...v, sync: syncOf(op), pendingAnswer: op.data.accept, rejection: rejectionOf(op) });
    }
  }
  return [...views.values()].sort((a, b) => b.requestedAt - a.requestedAt || a.id.localeCompare(b.id));
}

/**
 * The member and pair of a queued hold or request, as the clerk chose them: names from the label
 * kept when it was queued (the desk has no catalog), the ids themselves without one.
 */
function queuedLine(label: HoldLabel | null, d: { memberId: string; styleId: string; color: string; size: number }) {
  return {
    member: label?.member ?? { id: d.memberId, name: d.memberId, tier: 'basic' as const },
    styleId: d.styleId,
    styleName: label?.styleName ?? d.styleId,
    color: d.color,
    colorName: label?.colorName ?? d.color,
    size: d.size,
  };
}
