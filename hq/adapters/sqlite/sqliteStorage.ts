// The store port's operations on an embedded SQLite file (better-sqlite3), synchronously:
// sqliteStore.ts serialises transactions over them. WAL, synchronous=NORMAL (durable across
// process crashes; a power cut may lose the last few commits, which desks recover from by
// resuming); the statements used on hot paths are prepared once.
import { createSqliteGroupStorage } from './groupStorage.ts';
import { createSqliteLiveStorage } from './liveStorage.ts';
import { createSqliteRestockStorage } from './restockStorage.ts'; // 7/8 restock
import Database from 'better-sqlite3';
import { type Note, type StockLine, type Store, type Visit } from '../../../shared/domain.ts';
import {
  type ConsumeCodeResult,
  type HqTx,
  type MemberRecord,
  type OpRecord,
  type OpenVisitSeen,
  type VisitRow,
} from '../../ports/store.ts';
import { migrate } from './migrations.ts';
import { type Sync } from './syncOps.ts';
import { memberSearchKeys } from '../../../shared/memberSearch.ts';

/** The synchronous engine behind the SQLite store (sqliteStore.ts wraps it in the async port). */
export type SqliteOps = Omit<Sync<HqTx>, 'savepoint'>;
import { createSqliteChatStorage } from './chatStorage.ts';
import { createSqliteCheckinStorage } from './checkinStorage.ts'; // 4/8 part A
import { createSqliteClerkStorage } from './clerkStorage.ts';
import { createSqliteMemberHistoryStorage } from './memberHistoryStorage.ts';
import { createSqliteTaskStorage } from './taskStorage.ts';
import { createSqliteHoldStorage } from './holdStorage.ts'; // 4/8 part C
import { createSqliteExpectedStorage } from './expectedStorage.ts'; // 5/8 expected visits
import { createSqliteAssistStorage } from './assistStorage.ts'; // 7/8 attribution
import { createSqliteHandoverStorage } from './handoverStorage.ts'; // 7/8 assistant
import { createSqliteStyleImageStorage } from './styleImageStorage.ts';
import { catalogScopes, deviceFromRow, eventFromRow, memberFromRow, noteFromRow, purchaseFromRow, storeFromRow, styleFromRow, styleKindColumns, visitRowFromRow } from '../sqlRows.ts';

type Row = Record<string, unknown>;

function visitParams(v: VisitRow) {
  return {
    id: v.id,
    store_id: v.storeId,
    member_id: v.memberId,
    source: v.source,
    status: v.status,
    arrived_at: v.arrivedAt,
    last_seen_at: v.lastSeenAt,
    arrivals: v.arrivals,
    claimed_by: v.claimedBy ? JSON.stringify(v.claimedBy) : null,
    claimed_at: v.claimedAt,
    closed_at: v.closedAt,
    outcome: v.outcome,
    takeovers: v.takeovers?.length ? JSON.stringify(v.takeovers) : null,
  };
}

/**
 * Pages each connection keeps in memory (KiB; SQLite's default is 2 MiB). Every arrival descends
 * the b-trees of the visits' indexes, the member's code, their purchases and the store's events,
 * spread over a chain's whole file; with 2 MiB each descent past the first levels was a pread() of
 * a page from the OS, a system call per page: on a file grown by 80,000 arrivals that was 50–64 µs
 * of system time per arrival, 31–43 µs with 32–128 MiB, and the SQLite node's CPU per delivered
 * event drifted up through a peers run as its file grew (docs/benchmarks.md, round 28). The cache
 * fills only as pages are read: memory a small chain never touches is never taken.
 *
 * A larger cache is not free at COMMIT while the file is under 1 GiB: a b-tree split that reorders
 * its new pages parks one under SQLite's lock-byte page number for a moment (balance_nonroot), the
 * cache then remembers that number as its largest, and the end of the transaction drops every page
 * above the file's size by walking the cache's whole hash table — about 2 % of the SQLite node's CPU
 * under the capacity bench with 64 MiB, more as the cache fills (docs/benchmarks.md, round 29).
 */
export const WRITER_CACHE_KIB = 64 * 1024;
/** The read views' connection (desk snapshots, reports): their reads are wider and rarer. */
export const READER_CACHE_KIB = 16 * 1024;

export function openSqliteDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  migrate(db);
  return db;
}

/**
 * A read-only connection to the file `db` has open (migrated, in WAL mode), for read views: the
 * engine refuses every write on it. Null for an in-memory or temporary database, which a second
 * connection would not see.
 */
export function openSqliteReader(db: Database.Database, path: string): Database.Database | null {
  if (db.memory || path === '' || path === ':memory:') return null;
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma(`cache_size = -${READER_CACHE_KIB}`);
  return reader;
}

/**
 * The newest not-closed visit of a member at a store last seen since a time (`findOpenVisit`, every
 * arrival). The member's entries in visits_of_member (step 23) carry the store, status and last
 * seen: the filter runs on the index and only the matching visit's row is read. The index is named,
 * since without statistics SQLite would as soon take the store's time index and read all the
 * store's visits. (Exported for the plan test, sqlite-migration-023.)
 */
export const OPEN_VISIT_SQL = `SELECT * FROM visits INDEXED BY visits_of_member
  WHERE store_id = ? AND member_id = ? AND status != 'closed' AND last_seen_at >= ?
  ORDER BY last_seen_at DESC LIMIT 1`;

export function createSqliteOps(db: Database.Database): SqliteOps {
  const q = {
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    upsertStore: db.prepare(
      `INSERT INTO stores (id, name, city, epoch, head, settings) VALUES (@id, @name, @city, @epoch, 0, @settings)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, city = excluded.city, settings = COALESCE(excluded.settings, stores.settings)`,
    ),
    getStore: db.prepare('SELECT * FROM stores WHERE id = ?'),
    storeHeads: db.prepare('SELECT * FROM stores WHERE id IN (SELECT value FROM json_each(?))'),
    revokedSince: db.prepare('SELECT * FROM devices WHERE revoked_at IS NOT NULL AND revoked_at >= ?'),
    listStores: db.prepare('SELECT * FROM stores ORDER BY id'),
    setEpoch: db.prepare('UPDATE stores SET epoch = ? WHERE id = ?'),
    dropEvents: db.prepare('DELETE FROM events WHERE store_id = ?'),
    nextSeq: db.prepare('UPDATE stores SET head = head + 1 WHERE id = ? RETURNING head, epoch'),
    insertEvent: db.prepare('INSERT INTO events (store_id, seq, epoch, id, type, at, data) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    readEvents: db.prepare('SELECT * FROM events WHERE store_id = ? AND seq > ? ORDER BY seq LIMIT +?'),
    oldestSeq: db.prepare('SELECT MIN(seq) FROM events WHERE store_id = ?').pluck(),
    trimEvents: db.prepare('DELETE FROM events WHERE store_id = ? AND seq <= ?'),
    insertCode: db.prepare('INSERT INTO enrollment_codes (code_hash, store_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    getCode: db.prepare('SELECT * FROM enrollment_codes WHERE code_hash = ?'),
    useCode: db.prepare('UPDATE enrollment_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL'),
    insertDevice: db.prepare('INSERT INTO devices (id, store_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)'),
    deviceByToken: db.prepare('SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL'),
    getDevice: db.prepare('SELECT * FROM devices WHERE id = ?'),
    listDevices: db.prepare('SELECT * FROM devices WHERE store_id = ? ORDER BY created_at, id'),
    revokeDevice: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    recordAck: db.prepare('UPDATE devices SET acked_seq = ? WHERE id = ?'),
    storeExists: db.prepare('SELECT 1 FROM stores WHERE id = ?').pluck(),
    upsertMember: db.prepare(
      `INSERT INTO members (id, code, name, name_en, tier, phone, home_store_id, size_eu, size_cn, preferences, points, joined_at, updated_at, birthday, consents)
       VALUES (@id, @code, @name, @name_en, @tier, @phone, @home_store_id, @size_eu, @size_cn, @preferences, @points, @joined_at, @updated_at, @birthday, @consents)
       ON CONFLICT(id) DO UPDATE SET code = excluded.code, name = excluded.name, name_en = excluded.name_en, tier = excluded.tier,
         phone = excluded.phone, home_store_id = excluded.home_store_id, size_eu = excluded.size_eu, size_cn = excluded.size_cn,
         preferences = excluded.preferences, points = excluded.points, joined_at = excluded.joined_at, updated_at = excluded.updated_at,
         birthday = excluded.birthday, consents = excluded.consents`,
    ),
    getMember: db.prepare('SELECT * FROM members WHERE id = ?'),
    memberByCode: db.prepare('SELECT * FROM members WHERE code = ?'),
    memberByPhone: db.prepare('SELECT * FROM members WHERE phone = ? ORDER BY updated_at DESC LIMIT 1'),
    homeMembers: db.prepare('SELECT * FROM members WHERE home_store_id = ? ORDER BY id'),
    homeMembersBornOn: db.prepare('SELECT * FROM members WHERE home_store_id = ? AND birthday IN (SELECT value FROM json_each(?)) ORDER BY id'),
    deleteSearchKeys: db.prepare('DELETE FROM member_search_keys WHERE member_id = ?'),
    insertSearchKey: db.prepare('INSERT OR IGNORE INTO member_search_keys (key, member_id) VALUES (?, ?)'),
    // The key range first (a prefix is [p, p + U+10FFFF) bytewise), at most `limit` key rows.
    searchMembers: db.prepare(
      'SELECT * FROM members WHERE id IN (SELECT member_id FROM member_search_keys WHERE key >= ? AND key < ? ORDER BY key LIMIT +?) ORDER BY name, id',
    ),
    membersAfter: db.prepare('SELECT * FROM members WHERE id > ? ORDER BY id LIMIT +?'),
    countMembers: db.prepare('SELECT COUNT(*) FROM members').pluck(),
    upsertPurchase: db.prepare(
      `INSERT INTO purchases (id, member_id, style_id, style_name, category, color, size, store_id, at, price)
       VALUES (@id, @memberId, @styleId, @styleName, @category, @color, @size, @storeId, @at, @price)
       ON CONFLICT(id) DO UPDATE SET member_id = excluded.member_id, style_id = excluded.style_id, style_name = excluded.style_name,
         category = excluded.category, color = excluded.color, size = excluded.size, store_id = excluded.store_id,
         at = excluded.at, price = excluded.price`,
    ),
    purchasesOf: db.prepare('SELECT * FROM purchases WHERE member_id = ? ORDER BY at DESC, id LIMIT +?'),
    upsertStyle: db.prepare(
      `INSERT INTO styles (id, name, category, price, colors, sizes, released_at, kind, goes_with)
       VALUES (@id, @name, @category, @price, @colors, @sizes, @releasedAt, @kind, @goesWith)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, category = excluded.category, price = excluded.price,
         colors = excluded.colors, sizes = excluded.sizes, released_at = excluded.released_at,
         kind = excluded.kind, goes_with = excluded.goes_with`,
    ),
    listStyles: db.prepare('SELECT * FROM styles ORDER BY id'),
    setStock: db.prepare(
      `INSERT INTO stock (store_id, style_id, color, size, qty) VALUES (@storeId, @styleId, @color, @size, @qty)
       ON CONFLICT(store_id, style_id, color, size) DO UPDATE SET qty = excluded.qty`,
    ),
    stockForStore: db.prepare('SELECT * FROM stock WHERE store_id = ? ORDER BY style_id, color, size'),
    popularity: db.prepare('SELECT style_id, COUNT(*) AS n FROM purchases WHERE store_id = ? AND at >= ? GROUP BY style_id'),
    catalogVersion: db.prepare("SELECT COALESCE(SUM(version), 0) FROM catalog_versions WHERE scope IN ('', ?)").pluck(),
    catalogChanged: db.prepare('INSERT INTO catalog_versions (scope, version) VALUES (?, 1) ON CONFLICT(scope) DO UPDATE SET version = version + 1'),
    insertVisit: db.prepare(
      `INSERT INTO visits (id, store_id, member_id, source, status, arrived_at, last_seen_at, arrivals, claimed_by, claimed_at, closed_at, outcome, takeovers)
       VALUES (@id, @store_id, @member_id, @source, @status, @arrived_at, @last_seen_at, @arrivals, @claimed_by, @claimed_at, @closed_at, @outcome, @takeovers)`,
    ),
    updateVisit: db.prepare(
      `UPDATE visits SET status = @status, last_seen_at = @last_seen_at, arrivals = @arrivals, claimed_by = @claimed_by,
         claimed_at = @claimed_at, closed_at = @closed_at, outcome = @outcome, source = @source, takeovers = @takeovers WHERE id = @id`,
    ),
    getVisit: db.prepare('SELECT * FROM visits WHERE id = ?'),
    openVisit: db.prepare(OPEN_VISIT_SQL),
    visitsSince: db.prepare('SELECT * FROM visits WHERE store_id = ? AND arrived_at >= ? ORDER BY arrived_at DESC, id DESC'),
    waitingSeenBefore: db.prepare(`SELECT * FROM visits WHERE store_id = ? AND status = 'open' AND last_seen_at < ? ORDER BY last_seen_at, id LIMIT +?`),
    notesOf: db.prepare('SELECT * FROM notes WHERE visit_id = ? ORDER BY at, id'),
    notesSince: db.prepare(
      `SELECT n.* FROM notes n JOIN visits v ON v.id = n.visit_id WHERE v.store_id = ? AND v.arrived_at >= ? ORDER BY n.at, n.id`,
    ),
    insertNote: db.prepare('INSERT INTO notes (id, visit_id, member_id, text, by, at) VALUES (?, ?, ?, ?, ?, ?)'),
    getNote: db.prepare('SELECT * FROM notes WHERE id = ?'),
    getOp: db.prepare('SELECT * FROM ops WHERE device_id = ? AND op_id = ?'),
    putOp: db.prepare('INSERT INTO ops (device_id, op_id, status, result, seq, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    getIdem: db.prepare('SELECT request_hash, result FROM idempotency_keys WHERE key = ?'),
    putIdem: db.prepare('INSERT INTO idempotency_keys (key, request_hash, result, created_at) VALUES (?, ?, ?, ?)'),
    // The oldest first, `limit` at a time, each through its created_at index.
    purgeOps: db.prepare('DELETE FROM ops WHERE (device_id, op_id) IN (SELECT device_id, op_id FROM ops WHERE created_at < ? ORDER BY created_at LIMIT +?)'),
    purgeIdem: db.prepare('DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT +?)'),
    purgeCodes: db.prepare('DELETE FROM enrollment_codes WHERE expires_at < ?'),
    purgeLoginFailures: db.prepare('DELETE FROM member_login_failures WHERE since < ?'),
  };

  const withNotes = (v: VisitRow): Visit => ({ ...v, notes: (q.notesOf.all(v.id) as Row[]).map(noteFromRow) });

  const ops: SqliteOps = {
    chat: createSqliteChatStorage(db),
    clerks: createSqliteClerkStorage(db),
    memberHistory: createSqliteMemberHistoryStorage(db),
    tasks: createSqliteTaskStorage(db),
    holds: createSqliteHoldStorage(db), // 4/8 part C
    checkins: createSqliteCheckinStorage(db), // 4/8 part A
    styleImages: createSqliteStyleImageStorage(db),
    groups: createSqliteGroupStorage(db), // 5/8
    expected: createSqliteExpectedStorage(db), // 5/8 expected visits
    live: createSqliteLiveStorage(db), // 6/8 live rooms
    restock: createSqliteRestockStorage(db), // 7/8 restock
    assist: createSqliteAssistStorage(db), // 7/8 attribution
    handovers: createSqliteHandoverStorage(db), // 7/8 assistant
    // One connection, one transaction at a time (sqliteStore.ts): already serial.
    lockStore: (storeId) => q.storeExists.get(storeId) !== undefined,
    lockStores: (storeIds) => new Set(storeIds.filter((id) => q.storeExists.get(id) !== undefined)),

    getMeta: (key) => (q.getMeta.get(key) as string | undefined) ?? null,
    setMeta: (key, value) => void q.setMeta.run(key, value),

    upsertStore: (store: Store, epoch) =>
      void q.upsertStore.run({ id: store.id, name: store.name, city: store.city ?? '', epoch, settings: store.settings ? JSON.stringify(store.settings) : null }),
    getStore: (id) => {
      const r = q.getStore.get(id) as Row | undefined;
      return r ? storeFromRow(r) : null;
    },
    listStores: () => (q.listStores.all() as Row[]).map(storeFromRow),
    storeHeads: (ids) => (q.storeHeads.all(JSON.stringify(ids)) as Row[]).map(storeFromRow),
    rotateEpoch: (storeId, epoch) =>
      db.transaction(() => {
        q.setEpoch.run(epoch, storeId);
        q.dropEvents.run(storeId);
      })(),
    appendEvent: (storeId, ev) => {
      const pos = q.nextSeq.get(storeId) as { head: number; epoch: string } | undefined;
      if (!pos) throw new Error(`unknown store ${storeId}`);
      const { data } = ev;
      q.insertEvent.run(storeId, pos.head, pos.epoch, ev.id, ev.type, ev.at, data);
      return { storeId, epoch: pos.epoch, seq: pos.head, id: ev.id, type: ev.type, at: ev.at, data };
    },
    readEvents: (storeId, afterSeq, limit) => (q.readEvents.all(storeId, afterSeq, limit) as Row[]).map(eventFromRow),
    oldestSeq: (storeId) => (q.oldestSeq.get(storeId) as number | null) ?? null,
    trimEvents: (storeId, keep) => {
      const r = q.getStore.get(storeId) as Row | undefined;
      if (r) q.trimEvents.run(storeId, (r.head as number) - keep);
    },

    createEnrollmentCode: (codeHash, storeId, expiresAt, now) => void q.insertCode.run(codeHash, storeId, now, expiresAt),
    consumeEnrollmentCode: (codeHash, now): ConsumeCodeResult =>
      db.transaction((): ConsumeCodeResult => {
        const r = q.getCode.get(codeHash) as Row | undefined;
        if (!r) return { ok: false, reason: 'unknown' };
        if (r.used_at != null) return { ok: false, reason: 'used' };
        if ((r.expires_at as number) <= now) return { ok: false, reason: 'expired' };
        q.useCode.run(now, codeHash);
        return { ok: true, storeId: r.store_id as string };
      })(),
    createDevice: (d, tokenHash) => void q.insertDevice.run(d.id, d.storeId, d.name, tokenHash, d.createdAt),
    deviceByTokenHash: (hash) => {
      const r = q.deviceByToken.get(hash) as Row | undefined;
      return r ? deviceFromRow(r) : null;
    },
    getDevice: (id) => {
      const r = q.getDevice.get(id) as Row | undefined;
      return r ? deviceFromRow(r) : null;
    },
    listDevices: (storeId) => (q.listDevices.all(storeId) as Row[]).map(deviceFromRow),
    revokeDevice: (id, now) => q.revokeDevice.run(now, id).changes > 0,
    revokedSince: (since) => (q.revokedSince.all(since) as Row[]).map(deviceFromRow),
    recordAcks: (acks) => {
      for (const a of acks) q.recordAck.run(a.seq, a.deviceId);
    },

    upsertMember: (m) => {
      q.deleteSearchKeys.run(m.id);
      for (const key of memberSearchKeys({ ...m, phoneLast4: m.phone.slice(-4) })) q.insertSearchKey.run(key, m.id);
      q.upsertMember.run({
        id: m.id,
        code: m.code,
        name: m.name,
        name_en: m.nameEn,
        tier: m.tier,
        phone: m.phone,
        home_store_id: m.homeStoreId,
        size_eu: m.sizes.eu,
        size_cn: m.sizes.cn,
        preferences: JSON.stringify(m.preferences),
        points: m.points,
        joined_at: m.joinedAt,
        updated_at: m.updatedAt,
        birthday: m.birthday ?? null,
        consents: JSON.stringify(m.consents ?? {}),
      });
    },
    getMember: (id) => {
      const r = q.getMember.get(id) as Row | undefined;
      return r ? memberFromRow(r) : null;
    },
    findMemberByCode: (code) => {
      const r = q.memberByCode.get(code) as Row | undefined;
      return r ? memberFromRow(r) : null;
    },
    findMembers: (ids, codes) => {
      const found = new Map<string, MemberRecord>();
      for (const r of [...ids.map((id) => q.getMember.get(id)), ...codes.map((code) => q.memberByCode.get(code))] as (Row | undefined)[]) {
        if (r && !found.has(r.id as string)) found.set(r.id as string, memberFromRow(r));
      }
      return [...found.values()];
    },
    findMemberByPhone: (digits) => {
      const r = q.memberByPhone.get(digits) as Row | undefined;
      return r ? memberFromRow(r) : null;
    },
    listHomeMembers: (storeId) => (q.homeMembers.all(storeId) as Row[]).map(memberFromRow),
    homeMembersBornOn: (storeId, monthDays) => (q.homeMembersBornOn.all(storeId, JSON.stringify(monthDays)) as Row[]).map(memberFromRow),
    countMembers: () => q.countMembers.get() as number,
    searchMembers: (keyPrefix, limit) => (q.searchMembers.all(keyPrefix, `${keyPrefix}\u{10FFFF}`, limit) as Row[]).map(memberFromRow),
    membersAfter: (afterId, limit) => (q.membersAfter.all(afterId, limit) as Row[]).map(memberFromRow),
    upsertPurchase: (p) => void q.upsertPurchase.run(p),
    purchasesOf: (memberId, limit) => (q.purchasesOf.all(memberId, limit) as Row[]).map(purchaseFromRow),
    // In-process statements cost no round trip: the three reads as they are.
    profileReads: (memberId, purchaseLimit, exceptVisitId) => ({
      purchases: ops.purchasesOf(memberId, purchaseLimit),
      holds: ops.holds.activeHoldsOfMember(memberId),
      lastSeenAt: ops.memberHistory.lastSeenAt(memberId, exceptVisitId),
    }),
    arrivalReads: (storeId, ref, since, at, purchaseLimit) => {
      const member = 'id' in ref ? ops.getMember(ref.id) : ops.findMemberByCode(ref.code);
      if (!member) return null;
      return {
        member,
        open: ops.findOpenVisit(storeId, member.id, since),
        profile: ops.profileReads(member.id, purchaseLimit, null),
        expected: ops.expected.openAtStore(storeId, member.id, at),
      };
    },
    profileReadsOf: (memberIds, purchaseLimit) => new Map(memberIds.map((id) => [id, ops.profileReads(id, purchaseLimit, null)])),
    upsertStyle: (s) =>
      void q.upsertStyle.run({ ...s, colors: JSON.stringify(s.colors), sizes: JSON.stringify(s.sizes), ...styleKindColumns(s) }),
    listStyles: () => (q.listStyles.all() as Row[]).map(styleFromRow),
    setStock: (line: StockLine) => void q.setStock.run(line),
    stockForStore: (storeId) =>
      (q.stockForStore.all(storeId) as Row[]).map((r) => ({
        storeId: r.store_id as string,
        styleId: r.style_id as string,
        color: r.color as string,
        size: r.size as number,
        qty: r.qty as number,
      })),
    popularityForStore: (storeId, since) =>
      new Map((q.popularity.all(storeId, since) as Row[]).map((r) => [r.style_id as string, r.n as number])),
    catalogVersion: (storeId) => q.catalogVersion.get(storeId) as number,
    catalogChanged: (storeIds) => {
      for (const scope of catalogScopes(storeIds)) q.catalogChanged.run(scope);
    },

    insertVisit: (v) => void q.insertVisit.run(visitParams(v)),
    updateVisit: (v) => void q.updateVisit.run(visitParams(v)),
    getVisit: (id) => {
      const r = q.getVisit.get(id) as Row | undefined;
      return r ? withNotes(visitRowFromRow(r)) : null;
    },
    findOpenVisit: (storeId, memberId, since) => {
      const r = q.openVisit.get(storeId, memberId, since) as Row | undefined;
      return r ? withNotes(visitRowFromRow(r)) : null;
    },
    openVisitsSeen: (pairs, since) => {
      const seen = new Map<string, OpenVisitSeen>();
      for (const { storeId, memberId } of pairs) {
        const key = JSON.stringify([storeId, memberId]);
        if (seen.has(key)) continue;
        const r = q.openVisit.get(storeId, memberId, since) as Row | undefined;
        if (r) seen.set(key, { storeId, memberId, lastSeenAt: r.last_seen_at as number });
      }
      return [...seen.values()];
    },
    openVisitOrInsert: (visit, since) => {
      const open = ops.findOpenVisit(visit.storeId, visit.memberId, since);
      if (!open) ops.insertVisit(visit);
      return open;
    },
    // Per store (each read is in process and cheap), then the oldest `limit` of them all.
    waitingSeenBefore: (cutoffs, limit) =>
      cutoffs
        .flatMap((c) => q.waitingSeenBefore.all(c.storeId, c.before, limit) as Row[])
        .map(visitRowFromRow)
        .sort((a, b) => a.lastSeenAt - b.lastSeenAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit),
    visitsSince: (storeId, since) => {
      // Two queries instead of one per visit: a snapshot can hold hundreds of visits.
      const notes = new Map<string, Note[]>();
      for (const r of q.notesSince.all(storeId, since) as Row[]) {
        const n = noteFromRow(r);
        const list = notes.get(n.visitId);
        if (list) list.push(n);
        else notes.set(n.visitId, [n]);
      }
      return (q.visitsSince.all(storeId, since) as Row[]).map((r) => {
        const v = visitRowFromRow(r);
        return { ...v, notes: notes.get(v.id) ?? [] };
      });
    },
    insertNote: (n) => void q.insertNote.run(n.id, n.visitId, n.memberId, n.text, JSON.stringify(n.by), n.at),
    getNote: (id) => {
      const r = q.getNote.get(id) as Row | undefined;
      return r ? noteFromRow(r) : null;
    },

    getOp: (deviceId, opId): OpRecord | null => {
      const r = q.getOp.get(deviceId, opId) as Row | undefined;
      if (!r) return null;
      return {
        status: r.status as OpRecord['status'],
        seq: (r.seq as number | null) ?? null,
        rejection: r.result ? (JSON.parse(r.result as string) as OpRecord['rejection']) : null,
      };
    },
    putOp: (deviceId, opId, op, now) =>
      void q.putOp.run(deviceId, opId, op.status, op.rejection ? JSON.stringify(op.rejection) : null, op.seq, now),
    getIdempotent: (key) => {
      const r = q.getIdem.get(key) as Row | undefined;
      return r ? { requestHash: r.request_hash as string, result: r.result as string } : null;
    },
    putIdempotent: (key, requestHash, result, now) => void q.putIdem.run(key, requestHash, result, now),
    purgeOlderThan: (cutoff, limit) =>
      db.transaction(() => {
        const ops = q.purgeOps.run(cutoff, limit).changes;
        const keys = q.purgeIdem.run(cutoff, limit).changes;
        q.purgeCodes.run(cutoff);
        q.purgeLoginFailures.run(cutoff);
        return Math.max(ops, keys);
      })(),
    deleteMember: (memberId) =>
      db.transaction(() => {
        const existed = db.prepare('DELETE FROM members WHERE id = ?').run(memberId).changes > 0;
        for (const sql of [
          'DELETE FROM notes WHERE member_id = ?',
          // 7/8 attribution: what their cards showed, found by their visits (no index by member: step 22)
          'DELETE FROM suggestions_shown WHERE visit_id IN (SELECT id FROM visits WHERE member_id = ?)',
          'DELETE FROM visits WHERE member_id = ?',
          'DELETE FROM purchases WHERE member_id = ?',
          'DELETE FROM messages WHERE member_id = ?',
          'DELETE FROM conversations WHERE member_id = ?',
          'DELETE FROM chat_images WHERE member_id = ?',
          'DELETE FROM member_sessions WHERE member_id = ?',
          'DELETE FROM member_search_keys WHERE member_id = ?',
          'DELETE FROM member_notes WHERE member_id = ?', // 4/8 member page
          'DELETE FROM tasks WHERE member_id = ?',
          // 4/8 part C: the member's holds and the requests made for them
          'DELETE FROM holds WHERE member_id = ?',
          'DELETE FROM hold_requests WHERE member_id = ?',
          'DELETE FROM checkins WHERE member_id = ?', // 4/8 part A
          // 5/8 groups: the member's messages vanish (their places stay free; others' messages stay).
          // First the hosts' messages that quote them lose the quote's nickname and text, and
          // answers for them their forMemberId; then their messages, memberships and push counts go.
          // Found by author_id, so messages of groups they had left (anonymised then) go too.
          `UPDATE group_messages SET data = json_set(data, '$.replyTo.nickname', NULL, '$.replyTo.excerpt', '')
           WHERE reply_to_n IS NOT NULL AND (group_id, reply_to_n) IN (SELECT group_id, n FROM group_messages WHERE author_id = ?)`,
          "UPDATE group_messages SET for_member_id = NULL, data = json_set(data, '$.forMemberId', NULL) WHERE for_member_id = ?",
          'DELETE FROM group_messages WHERE author_id = ?',
          'DELETE FROM group_members WHERE member_id = ?',
          'DELETE FROM group_push_counts WHERE member_id = ?',
          'DELETE FROM group_pushes WHERE member_id = ?',
          'DELETE FROM expected_visits WHERE member_id = ?', // 5/8 expected visits
          // 6/8 live rooms: their questions, votes, participation and mutes go. A lottery's eligible
          // list keeps their row with the opaque ref and the nickname 'erased': the list's digest and
          // the draw are computed over the refs, so removing the row would make every past draw fail
          // its audit, and the ref alone names nobody (its salt never leaves HQ).
          'DELETE FROM live_questions WHERE member_id = ?',
          'DELETE FROM live_votes WHERE member_id = ?',
          'DELETE FROM live_participants WHERE member_id = ?',
          'DELETE FROM live_mutes WHERE member_id = ?',
          'DELETE FROM live_referrals WHERE member_id = ?',
          "UPDATE live_lottery_eligible SET nickname = 'erased', member_id = NULL WHERE member_id = ?",
          // 7/8 attribution: the marks on what their cards showed (the cards' rows went with their
          // visits, above) and their sales' attributions go (the purchases they were attributed from go too).
          'DELETE FROM suggestion_marks WHERE member_id = ?',
          'DELETE FROM sale_attributions WHERE member_id = ?',
          'DELETE FROM handovers WHERE member_id = ?', // 7/8 assistant: a hand-over quotes the member's question
        ]) {
          db.prepare(sql).run(memberId);
        }
        return existed;
      })(),
    lastEventMentioning: (storeId, text) =>
      (db
        .prepare("SELECT MAX(seq) FROM events WHERE store_id = ? AND instr(data, ?) > 0")
        .pluck()
        .get(storeId, text) as number | null) ?? null,
  };
  return ops;
}
