// Privacy on the desk: a member deleted at HQ leaves every cache (the `member.deleted` event), and
// visits, notes and chat older than the retention period are purged on a schedule. What a desk
// caches in the first place is its store's: the snapshot's home members, and the profiles of
// members who visited this store (arrival events) — see docs/security.md.
import type Database from 'better-sqlite3';
import { eraseMemberHistory, keptForHistory, purgeHistoriesOlderThan } from '../history/historyQueries.ts';
import { deleteMemberHolds, hasHoldTables, purgeHoldsBefore } from '../holds/holdQueries.ts'; // 4/8 part C
import { deleteMemberGroups, hasGroupTables, purgeGroupsBefore } from '../groups/groupQueries.ts'; // 5/8 groups
import { purgeStyleImages } from '../pictures/pictureQueries.ts';
import { deleteMemberTerms } from './search.ts';
import { deleteMemberExpected, purgeExpectedBefore } from '../expected/expectedQueries.ts'; // 5/8 expected visits
import { deleteMemberLive, purgeLiveBefore } from '../live/liveQueries.ts'; // 6/8 live rooms
import { deleteMemberRestock, purgeRestockBefore } from '../restock/restockQueries.ts'; // 7/8 restock
import { deleteMemberMarks, purgeMarksBefore } from '../assist/markQueries.ts'; // 7/8 card: suggestion marks
import { deleteMemberHandovers, purgeHandoversBefore } from '../assist/handoverQueries.ts'; // 7/8 assistant

/** Removes everything this cache holds about a member (not the outbox: queued ops get `not_found`). */
export function deleteMemberData(db: Database.Database, memberId: string): number {
  let n = 0;
  for (const sql of [
    'DELETE FROM visit_notices WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?)',
    'DELETE FROM notes WHERE member_id = ?',
    'DELETE FROM visits WHERE member_id = ?',
    'DELETE FROM profiles WHERE member_id = ?',
  ]) {
    n += db.prepare(sql).run(memberId).changes;
  }
  n += deleteMemberTerms(db, memberId); // the terms its row lists: read before the row goes
  for (const sql of [
    'DELETE FROM members WHERE id = ?',
    'DELETE FROM chat_messages WHERE member_id = ?',
    'DELETE FROM chat_conversations WHERE member_id = ?',
    'DELETE FROM tasks WHERE member_id = ?',
  ]) {
    n += db.prepare(sql).run(memberId).changes;
  }
  n += eraseMemberHistory(db, memberId); // 4/8 member page
  n += deleteMemberHolds(db, memberId); // 4/8 part C: holds, hold requests, queued-hold labels
  n += deleteMemberExpected(db, memberId); // 5/8: expected visits
  n += deleteMemberGroups(db, memberId); // 5/8: their group messages and memberships
  n += deleteMemberLive(db, memberId); // 6/8: their questions, reservations and mutes in live rooms
  n += deleteMemberRestock(db, memberId); // 7/8: they leave every restock match
  n += deleteMemberMarks(db, memberId); // 7/8 card: marks on the suggestions made to them
  n += deleteMemberHandovers(db, memberId); // 7/8 assistant: a hand-over quotes the member's question
  return n;
}

export interface PurgeResult {
  visits: number;
  messages: number;
  members: number;
}

/**
 * Drops visits (with their notes) last seen before `cutoff` and chat messages sent before it, then
 * members of other stores that nothing here refers to any more. Visits with an unsettled outbox op
 * are kept until HQ has answered. Home members stay (the store's search list, refreshed by snapshot).
 */
export function purgeOlderThan(db: Database.Database, cutoff: number, homeStoreId: string | null): PurgeResult {
  return db.transaction((): PurgeResult => {
    const keep = "SELECT visit_id FROM outbox WHERE state != 'rejected'";
    db.prepare(`DELETE FROM notes WHERE visit_id IN (SELECT id FROM visits WHERE last_seen_at < ? AND id NOT IN (${keep}))`).run(cutoff);
    db.prepare(`DELETE FROM visit_notices WHERE visit_id IN (SELECT id FROM visits WHERE last_seen_at < ? AND id NOT IN (${keep}))`).run(cutoff);
    const visits = db.prepare(`DELETE FROM visits WHERE last_seen_at < ? AND id NOT IN (${keep})`).run(cutoff).changes;
    // Members whose visits are all gone no longer rank as recent visitors in search.
    if (visits) db.prepare('UPDATE members SET last_visit_at = 0 WHERE last_visit_at > 0 AND id NOT IN (SELECT member_id FROM visits)').run();
    const messages = db.prepare("DELETE FROM chat_messages WHERE json_extract(json, '$.at') < ?").run(cutoff).changes;
    db.prepare('DELETE FROM chat_conversations WHERE last_at < ? AND member_id NOT IN (SELECT member_id FROM chat_messages)').run(cutoff);
    db.prepare('DELETE FROM chat_images WHERE fetched_at < ?').run(cutoff);
    purgeHistoriesOlderThan(db, cutoff); // 4/8 member page: a history kept for offline use, within the period
    // Follow-up tasks: done ones past retention (open ones stay: they are still to do).
    db.prepare("DELETE FROM tasks WHERE status = 'done' AND updated_at < ?").run(cutoff);
    purgeHoldsBefore(db, cutoff); // 4/8 part C: ended holds, answered requests
    purgeExpectedBefore(db, cutoff); // 5/8: settled expected visits
    purgeGroupsBefore(db, cutoff); // 5/8: group messages past retention
    purgeLiveBefore(db, cutoff); // 6/8: rooms ended before the cutoff
    purgeRestockBefore(db, cutoff); // 7/8: restock matches made before the cutoff
    purgeMarksBefore(db, cutoff); // 7/8 card: marks on visits past retention
    purgeHandoversBefore(db, cutoff); // 7/8 assistant: settled hand-overs past retention
    const orphan = `SELECT id FROM members WHERE json_extract(json, '$.homeStoreId') IS NOT ?
        AND id NOT IN (SELECT member_id FROM visits) AND id NOT IN (SELECT member_id FROM chat_conversations)${keptForHistory(db)}
        ${hasHoldTables(db) ? "AND id NOT IN (SELECT member_id FROM holds WHERE status = 'active')" : ''}
        ${hasGroupTables(db) ? "AND id NOT IN (SELECT member_id FROM group_members WHERE status = 'active')" : ''}`;
    const ids = (db.prepare(orphan).all(homeStoreId) as { id: string }[]).map((r) => r.id);
    for (const id of ids) deleteMemberData(db, id);
    purgeStyleImages(db, cutoff); // style pictures no card names any more (part E)
    return { visits, messages, members: ids.length };
  }).immediate(); // IMMEDIATE, as every cache write (cache/db.ts startCacheCheckpoints)
}
