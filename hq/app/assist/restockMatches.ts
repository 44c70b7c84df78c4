// Restock matches (7/8): a shoe style's size arrives in a store's stock, and HQ lists the store's
// members who wear that size, like the category and consented to be reached — for the clerks to
// send the style's card or set a follow-up, one click each.
//
// Invariants:
// - A match is made in the transaction of the stock write that took the size from 0 to more, under
//   the store's lock, with its `restock.matched` event: it exists exactly when its event does.
// - Its id comes from the trigger (store, style, size, the store-local day of the write), so the
//   same line sent twice, or the size going 0 → 3 → 0 → 2 on one day, makes one match.
// - It lists only members who consented to both personalisation and contact (shared/assist.ts),
//   with name and tier only; an erased member leaves every match (forgetMember).
// - `restock.done` acts on the device's own store's matches only: another store's match is
//   answered exactly like an unknown one (`not_found`).
import { type AssistCommandData, RESTOCK_MATCH_MAX, type RestockDone, type RestockMatch } from '../../../shared/assist.ts';
import { type Actor, isAccessory } from '../../../shared/domain.ts';
import { localDay } from '../../../shared/kpis.ts';
import { type z } from 'zod';
import { type HqTx, type OpRecord } from '../../ports/store.ts';
import { okOp, rejectOp } from '../deskCommand.ts';
import { type Append } from '../eventLog.ts';

/** Members seen at the store within this many days belong to it (besides its home members). */
export const RESTOCK_MEMBER_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The match id of a trigger: deterministic, at most 64 characters (long ids end in a stable hash). */
export function restockMatchId(storeId: string, styleId: string, size: number, day: number): string {
  const id = ['rsm', storeId, styleId, String(size), String(day)].join(':');
  if (id.length <= 64) return id;
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    h1 = Math.imul(h1 ^ id.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ id.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return `${id.slice(0, 46)}~${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

/** Whether a style is one the trigger looks at (a shoe): read once per style of a stock write. */
export async function isShoeStyle(tx: HqTx, styleId: string): Promise<boolean> {
  const style = await tx.restock.style(styleId);
  return style !== null && !isAccessory(style);
}

/**
 * A shoe style's size went from 0 to `qty` pairs at `storeId`: stores the match of the store's
 * members who fit and appends `restock.matched`, unless today's match of that size exists or nobody
 * fits. Call under the store's lock, in the stock write's transaction. Answers the new match, if any.
 */
export async function matchArrivedSize(tx: HqTx, append: Append, storeId: string, styleId: string, size: number, qty: number, now: number): Promise<RestockMatch | null> {
  const [store, style] = await Promise.all([tx.getStore(storeId), tx.restock.style(styleId)]);
  if (!store || !style || isAccessory(style)) return null;
  const id = restockMatchId(storeId, styleId, size, localDay(now, store.settings.utcOffsetMin));
  if (await tx.restock.getMatch(id)) return null;
  const members = await tx.restock.candidates({ storeId, styleId, category: style.category, size, since: now - RESTOCK_MEMBER_DAYS * DAY_MS, limit: RESTOCK_MATCH_MAX });
  if (!members.length) return null;
  const match: RestockMatch = { id, storeId, styleId, styleName: style.name, category: style.category, size, qty, at: now, members, done: [] };
  await tx.restock.putMatch(match);
  await append(storeId, 'restock.matched', { match }, now);
  return match;
}

/**
 * Records that `actor` acted on `data.memberId` of restock match `data.matchId` of `storeId` and
 * appends `restock.updated`. Another store's match (or an unknown one, or a member not in it) is `not_found`.
 */
export async function executeRestockDone(
  tx: HqTx,
  append: Append,
  storeId: string,
  actor: Actor,
  data: z.infer<(typeof AssistCommandData)['restock.done']>,
  opId: string,
  now: number,
): Promise<OpRecord> {
  const match = await tx.restock.getMatch(data.matchId);
  if (!match || match.storeId !== storeId) return rejectOp('not_found', 'no such restock match');
  if (!match.members.some((m) => m.memberId === data.memberId)) return rejectOp('not_found', 'that member is not in this restock match');
  const done: RestockDone = { memberId: data.memberId, how: data.how, by: actor, at: now };
  // A later act on the same member replaces the earlier one (passed, then sent after all).
  const next: RestockMatch = { ...match, done: [...match.done.filter((d) => d.memberId !== data.memberId), done] };
  await tx.restock.putMatch(next);
  const ev = await append(storeId, 'restock.updated', { match: next, by: actor, opId }, now);
  return okOp(ev.seq);
}

/** The store's matches of the last `days` days, newest first (the snapshot's `restockMatches`). */
export function restockSnapshot(r: HqTx, storeId: string, now: number, days: number): Promise<RestockMatch[]> {
  return r.restock.matchesOfStore(storeId, now - days * DAY_MS);
}

/**
 * Erasure: the member leaves every match that lists them (members and done). The `member.deleted`
 * event that erasure appends tells desks to do the same to their copies; no `restock.updated` is
 * appended (it would carry nothing the desks need).
 */
export async function forgetMember(tx: HqTx, memberId: string): Promise<void> {
  for (const m of await tx.restock.matchesOfMember(memberId)) {
    await tx.restock.putMatch({ ...m, members: m.members.filter((x) => x.memberId !== memberId), done: m.done.filter((d) => d.memberId !== memberId) });
  }
}
