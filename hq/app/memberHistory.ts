// The member page's HQ side: a member's history across the chain for a desk of any store, and
// member-level notes written by desk command.
//
// Why a desk of ANY store may read a chain member's history: the member walked into that store and
// is being served there; the clerk needs what the member's other stores know (shared/memberHistory.ts).
// What it never returns: the full phone (masked, as everywhere on a desk), chat with any store
// (a conversation is between the member and one store), another store's stock or suggestions.
//
// Member notes are exactly-once in effect like every desk command: the (device, opId) pair is
// looked up and recorded in the transaction of the change, and the desk-made `noteId` makes the same
// note sent under another opId one note. The `member.noted` event goes to the writing store's log
// and, when the member is homed elsewhere, to the home store's log too, so the desks that serve the
// member most update their caches; every other store sees the note through the history read.
import { HISTORY_NOTES, HISTORY_PURCHASES, HISTORY_VISITS, type HistoryVisit, type MemberHistory, type MemberNote } from '../../shared/memberHistory.ts';
import { monthDayOf } from '../../shared/anniversary.ts';
import { type CmdAckFrame, type MemberNoteCmdFrame, type Rejection } from '../../shared/protocol.ts';
import { type DeviceRecord, type HqStore, type OpRecord, type Visit } from '../ports/store.ts';
import { boundedActionTime, type DeskClock } from './actionTime.ts';
import { okOp, rejectOp, runDeskCommand } from './deskCommand.ts';
import { type EventLog } from './eventLog.ts';
import { toDeskMember } from './profiles.ts';

/** Who served a visit, as the history names them: the clerk, else the counter; null when nobody did. */
function servedBy(v: Visit): string | null {
  const a = v.claimedBy;
  return a ? (a.clerkName ?? a.deviceName) : null;
}

/** The member's history as a desk of `_storeId` reads it (any store of the chain); null for an unknown member. */
export function memberHistoryFor(store: HqStore, _storeId: string, memberId: string): Promise<MemberHistory | null> {
  return store.read(async (r) => {
    const record = await r.getMember(memberId);
    if (!record) return null;
    // One more than shown: whether older entries exist.
    const visits = await r.memberHistory.visitsOf(memberId, HISTORY_VISITS + 1);
    const purchases = await r.purchasesOf(memberId, HISTORY_PURCHASES + 1);
    const notes = await r.memberHistory.notesOf(memberId, HISTORY_NOTES + 1);
    const storeNames = new Map((await r.listStores()).map((s) => [s.id, s.name]));
    const colorNames = new Map<string, string>();
    for (const style of await r.listStyles()) for (const c of style.colors) colorNames.set(`${style.id}\u0000${c.code}`, c.name);
    const storeName = (id: string) => storeNames.get(id) ?? id;
    return {
      member: toDeskMember(record),
      anniversary: monthDayOf(record.joinedAt),
      visits: visits.slice(0, HISTORY_VISITS).map(
        (v): HistoryVisit => ({
          id: v.id,
          storeId: v.storeId,
          storeName: storeName(v.storeId),
          source: v.source,
          status: v.status,
          arrivedAt: v.arrivedAt,
          closedAt: v.closedAt,
          outcome: v.outcome,
          clerkName: servedBy(v),
          notes: v.notes.slice(-100).map((n) => ({ id: n.id, text: n.text, at: n.at, clerkName: n.by.clerkName ?? n.by.deviceName })),
        }),
      ),
      purchases: purchases.slice(0, HISTORY_PURCHASES).map((p) => ({
        ...p,
        colorName: colorNames.get(`${p.styleId}\u0000${p.color}`) ?? p.color,
        storeName: storeName(p.storeId),
      })),
      notes: notes.slice(0, HISTORY_NOTES),
      more: { visits: visits.length > HISTORY_VISITS, purchases: purchases.length > HISTORY_PURCHASES, notes: notes.length > HISTORY_NOTES },
    };
  });
}

const reject = (code: Rejection['code'], message: string): OpRecord => rejectOp(code, message);

/** `member.note`: one note on a member of the chain, announced to the writing store and the member's home store. */
export function applyMemberNoteCommand(log: EventLog, device: DeviceRecord, cmd: MemberNoteCmdFrame, now = Date.now(), clock: DeskClock = { offsetMs: 0 }): Promise<CmdAckFrame> {
  // Read-then-write (the op, the note id) under the store's lock (deskCommand.ts).
  return runDeskCommand(log, device, cmd, now, async (tx, append, by) => {
    const { memberId, noteId, text } = cmd.data;
    const member = await tx.getMember(memberId);
    if (!member) return reject('not_found', 'No such member');
    // The desk makes the note id: the same note under another opId is still one note.
    const existing = await tx.memberHistory.getNote(noteId);
    if (existing) return existing.memberId === memberId ? okOp(null) : reject('invalid', 'That note id belongs to another member');
    // The clerk's action time, within the last day (a desk's clock cannot date a note further back).
    const note: MemberNote = { id: noteId, memberId, text, storeId: device.storeId, by, at: boundedActionTime(cmd.at, clock.offsetMs, now, now - 24 * 60 * 60 * 1000) };
    await tx.memberHistory.insertNote(note);
    const cause = { by, opId: cmd.opId };
    const ev = await append(device.storeId, 'member.noted', { note, ...cause }, now);
    // The home store's desks hear of it too (another store's desks see only their own log).
    if (member.homeStoreId !== device.storeId && (await tx.getStore(member.homeStoreId))) {
      await append(member.homeStoreId, 'member.noted', { note, by, opId: null }, now);
    }
    return okOp(ev.seq);
  });
}
