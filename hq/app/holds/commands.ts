// Holds at HQ: the hold command family (place, release, request, answer), exactly once per
// (device, opId) like every desk command, each a state change and its events in one transaction.
//
// Invariant: a store never holds more pairs of a stock line than it has. The check — the line's
// quantity minus its active holds — and the new hold happen inside `tx.lockStore`, so two counters
// (on one node or two) holding the last pair are serialised: one wins, the other is refused
// `out_of_stock` and its desk tells the clerk. A cross-store request touches two stores' logs; both
// stores are locked first, in id order, so two stores asking each other at once cannot deadlock.
//
// Store isolation: a desk acts only on its own store's holds and on requests addressed to it;
// anything else is answered as unknown (`not_found`), exactly like an id that does not exist.
import { type Actor, type Style } from '../../../shared/domain.ts';
import { DAY_MS, type Hold, type HoldMember, type HoldRequest } from '../../../shared/holds.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { type CmdAckFrame, type HoldCmdFrame, type Rejection } from '../../../shared/protocol.ts';
import { type DeviceRecord, type HqTx, type MemberRecord } from '../../ports/store.ts';
import { boundedActionTime, type DeskClock } from '../actionTime.ts';
import { okOp, rejectOp, runDeskCommand } from '../deskCommand.ts';
import { type Append, type EventLog } from '../eventLog.ts';

/** How far back a desk's action time may place a hold's start (a day offline at most). */
const MAX_BACKDATE_MS = DAY_MS;

const rejection = (code: Rejection['code'], message: string): Rejection => ({ code, message });
export const isRejected = (x: unknown): x is Rejection => typeof x === 'object' && x !== null && 'code' in x && 'message' in x && !('id' in x);

export const holdMember = (m: MemberRecord): HoldMember => ({ id: m.id, name: m.name, tier: m.tier });

export function applyHoldCommand(log: EventLog, device: DeviceRecord, cmd: HoldCmdFrame, now = Date.now(), clock: DeskClock = { offsetMs: 0 }): Promise<CmdAckFrame> {
  const at = boundedActionTime(cmd.at, clock.offsetMs, now, now - MAX_BACKDATE_MS);
  return runDeskCommand(
    log,
    device,
    cmd,
    now,
    async (tx, append, actor) => {
      const outcome = await execute(tx, append, device.storeId, actor, cmd, now, at);
      return isRejected(outcome) ? rejectOp(outcome.code, outcome.message, outcome.by) : okOp(outcome);
    },
    {
      // A request or an answer writes to two stores' logs: both are locked (a request's stores never
      // change, so reading it before the lock is safe).
      alsoLock: async (tx) => {
        const other = cmd.type === 'hold.request' ? cmd.data.toStoreId : cmd.type === 'hold.answer' ? (await tx.holds.getRequest(cmd.data.requestId))?.fromStoreId : undefined;
        return other ? [other] : [];
      },
    },
  );
}

/** The seq of the command's last event in the device's store (null: nothing changed), or why not. */
async function execute(tx: HqTx, append: Append, storeId: string, actor: Actor, cmd: HoldCmdFrame, now: number, at: number): Promise<number | null | Rejection> {
  switch (cmd.type) {
    case 'hold.place': {
      const d = cmd.data;
      const existing = await tx.holds.getHold(d.holdId);
      if (existing) {
        // The same hold again (another opId after a restart): one hold. Someone else's id: refused.
        return existing.storeId === storeId && existing.member.id === d.memberId ? null : rejection('invalid', 'That hold id is taken');
      }
      const member = await tx.getMember(d.memberId);
      if (!member) return rejection('not_found', 'No such member');
      const placed = await placeHold(tx, { storeId, member, styleId: d.styleId, color: d.color, size: d.size, days: d.days, by: actor, at, holdId: d.holdId, requestId: null });
      if (isRejected(placed)) return placed;
      return (await append(storeId, 'hold.placed', { hold: placed, by: actor, opId: cmd.opId }, now)).seq;
    }
    case 'hold.release': {
      const hold = await tx.holds.getHold(cmd.data.holdId);
      if (!hold || hold.storeId !== storeId) return rejection('not_found', 'No such hold in this store');
      if (hold.status !== 'active') return null; // ended already (expired, or another counter): nothing to do
      const ended: Hold = { ...hold, status: cmd.data.reason, endedAt: Math.max(at, hold.placedAt), endedBy: actor };
      await tx.holds.putHold(ended);
      return (await append(storeId, 'hold.released', { hold: ended, by: actor, opId: cmd.opId }, now)).seq;
    }
    case 'hold.request': {
      const d = cmd.data;
      const existing = await tx.holds.getRequest(d.requestId);
      if (existing) return existing.fromStoreId === storeId ? null : rejection('invalid', 'That request id is taken');
      if (d.toStoreId === storeId) return rejection('invalid', 'Place a hold at your own store instead of requesting one');
      const [from, to, member] = [await tx.getStore(storeId), await tx.getStore(d.toStoreId), await tx.getMember(d.memberId)];
      if (!from || !to) return rejection('not_found', 'No such store');
      if (!member) return rejection('not_found', 'No such member');
      const style = await styleOf(tx, d.styleId);
      const line = style && lineOf(style, d.color, d.size);
      if (!style || !line) return rejection('invalid', 'No such style, colour or size in the catalog');
      const request: HoldRequest = {
        id: d.requestId,
        fromStoreId: storeId,
        fromStoreName: from.name,
        toStoreId: to.id,
        toStoreName: to.name,
        member: holdMember(member),
        styleId: style.id,
        styleName: style.name,
        category: style.category,
        image: await tx.styleImages.ref(style.id, d.color), // the asked colour's picture (part E)
        color: d.color,
        colorName: line.colorName,
        size: d.size,
        days: d.days,
        requestedAt: at,
        by: actor,
        status: 'pending',
        answeredAt: null,
        answeredBy: null,
        holdId: null,
        until: null,
      };
      await tx.holds.putRequest(request);
      // Both logs: the asker's desks see it pending, the asked store's desks see it to answer
      // (offline ones when they reconnect: it waits in their log). The opId is the asker's.
      const mine = await append(storeId, 'hold.requested', { request, by: actor, opId: cmd.opId }, now);
      await append(to.id, 'hold.requested', { request, by: actor, opId: null }, now);
      return mine.seq;
    }
    case 'hold.answer': {
      const request = await tx.holds.getRequest(cmd.data.requestId);
      // Only the asked store answers; to any other desk the request does not exist.
      if (!request || request.toStoreId !== storeId) return rejection('not_found', 'No such request for this store');
      if (request.status !== 'pending') {
        const same = (request.status === 'accepted') === cmd.data.accept;
        return same ? null : rejection('invalid', `The request was already ${request.status}`);
      }
      let answered: HoldRequest = { ...request, status: cmd.data.accept ? 'accepted' : 'declined', answeredAt: at, answeredBy: actor };
      if (cmd.data.accept) {
        const member = await tx.getMember(request.member.id);
        if (!member) return rejection('not_found', 'The member of this request no longer exists');
        const placed = await placeHold(tx, { storeId, member, styleId: request.styleId, color: request.color, size: request.size, days: request.days, by: actor, at, holdId: uuidv7(now), requestId: request.id });
        if (isRejected(placed)) return placed; // e.g. the last pair went meanwhile: the request stays open
        await append(storeId, 'hold.placed', { hold: placed, by: actor, opId: cmd.opId }, now);
        answered = { ...answered, holdId: placed.id, until: placed.until };
      }
      await tx.holds.putRequest(answered);
      await append(request.fromStoreId, 'hold.answered', { request: answered, by: actor, opId: null }, now);
      return (await append(storeId, 'hold.answered', { request: answered, by: actor, opId: cmd.opId }, now)).seq;
    }
  }
}

export interface PlaceInput {
  storeId: string;
  member: MemberRecord;
  styleId: string;
  color: string;
  size: number;
  days: number;
  by: Actor;
  at: number;
  holdId: string;
  requestId: string | null;
}

/** Checks the line (catalog, then stock minus active holds, under the store's lock) and writes the hold. */
export async function placeHold(tx: HqTx, p: PlaceInput): Promise<Hold | Rejection> {
  const style = await styleOf(tx, p.styleId);
  const line = style && lineOf(style, p.color, p.size);
  if (!style || !line) return rejection('invalid', 'No such style, colour or size in the catalog');
  const qty = await tx.holds.stockQty(p.storeId, p.styleId, p.color, p.size);
  const held = await tx.holds.heldQty(p.storeId, p.styleId, p.color, p.size);
  if (qty - held <= 0) {
    return rejection('out_of_stock', held > 0 ? `Every pair of ${style.name} ${line.colorName} ${p.size} here is already held` : `${style.name} ${line.colorName} ${p.size} is not in stock here`);
  }
  const hold: Hold = {
    id: p.holdId,
    storeId: p.storeId,
    member: holdMember(p.member),
    styleId: style.id,
    styleName: style.name,
    category: style.category,
    image: await tx.styleImages.ref(style.id, p.color), // the held colour's picture (part E)
    color: p.color,
    colorName: line.colorName,
    size: p.size,
    placedAt: p.at,
    until: p.at + p.days * DAY_MS,
    by: p.by,
    status: 'active',
    endedAt: null,
    endedBy: null,
    requestId: p.requestId,
  };
  await tx.holds.putHold(hold);
  return hold;
}

async function styleOf(tx: HqTx, styleId: string): Promise<Style | null> {
  return (await tx.listStyles()).find((s) => s.id === styleId) ?? null;
}

function lineOf(style: Style, color: string, size: number): { colorName: string } | null {
  const colorway = style.colors.find((c) => c.code === color);
  if (!colorway || !style.sizes.includes(size)) return null;
  return { colorName: colorway.name };
}
