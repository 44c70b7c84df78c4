// The store port's operations on PostgreSQL, bound to one transaction's connection (`exec`). They
// mirror hq/adapters/sqlite/sqliteStorage.ts statement for statement; where SQLite needed a nested
// transaction to make several statements atomic, one statement with data-modifying CTEs does it
// here (and costs one round trip).
import { type Note, type StockLine, type Visit } from '../../../shared/domain.ts';
import {
  type ConsumeCodeResult,
  type HqTx,
  type OpRecord,
  type ProfileReads,
  type VisitRow,
} from '../../ports/store.ts';
import { memberSearchKeys } from '../../../shared/memberSearch.ts';
import { type Hold } from '../../../shared/holds.ts';
import { type ExpectedVisit } from '../../../shared/expected.ts';
import { catalogScopes, deviceFromRow, eventFromRow, memberFromRow, noteFromRow, purchaseFromRow, storeFromRow, styleFromRow, styleKindColumns, visitRowFromRow } from '../sqlRows.ts';

export type Row = Record<string, unknown>;

/**
 * `besideDeferred`: the statement neither reads nor changes a row the transaction may still be
 * holding back (heldWrites.ts: a locked store's events and head, a card's suggestions shown), so it
 * may run before they are written. Every other statement first sends what is held.
 */
export interface ExecOptions {
  besideDeferred?: boolean;
}
/** Runs one statement on the transaction's connection. */
export type Exec = <R extends Row = Row>(text: string, values?: unknown[], opts?: ExecOptions) => Promise<{ rows: R[]; rowCount: number }>;

/** The transaction's own operations; the store locks (which feed its held events) are pgStore.ts's. */
export type PgOps = Omit<HqTx, 'lockStore' | 'lockStores' | 'savepoint' | 'chat' | 'clerks' | 'memberHistory' | 'tasks' | 'holds' | 'checkins' | 'styleImages' | 'groups' | 'expected' | 'live' | 'restock' | 'assist' | 'handovers'>;

/** New visits as one statement (pgStore.ts holds a transaction's new visits back and sends them together). */
export function visitsInsert(visits: readonly VisitRow[]): { text: string; values: unknown[] } {
  const columns = visits.map(visitParams);
  return {
    text: `INSERT INTO visits (${VISIT_COLS}) SELECT * FROM unnest(${VISIT_PARAM_TYPES.map((t, c) => `$${c + 1}::${t}[]`).join(', ')})`,
    values: VISIT_PARAM_TYPES.map((_, c) => columns.map((row) => row[c])),
  };
}

/** SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses it, and takes NULL for that. */
export const limitParam = (limit: number): number | null => (limit < 0 ? null : limit);

/** One per column of VISIT_COLS, in its order. */
const VISIT_PARAM_TYPES = ['text', 'text', 'text', 'text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'bigint', 'bigint', 'text', 'text'] as const;

const visitParams = (v: VisitRow): unknown[] => [
  v.id,
  v.storeId,
  v.memberId,
  v.source,
  v.status,
  v.arrivedAt,
  v.lastSeenAt,
  v.arrivals,
  v.claimedBy ? JSON.stringify(v.claimedBy) : null,
  v.claimedAt,
  v.closedAt,
  v.outcome,
  v.takeovers?.length ? JSON.stringify(v.takeovers) : null,
];

const STORE_COLS = 'id, name, city, epoch, head, settings';
const DEVICE_COLS = 'id, store_id, name, created_at, revoked_at, acked_seq';
const EVENT_COLS = 'store_id, seq, epoch, id, type, at, data';
const MEMBER_COLS = 'id, code, name, name_en, tier, phone, home_store_id, size_eu, size_cn, preferences, points, joined_at, updated_at, birthday, consents';
/** The birthday sweep's read of a store: through members_home_birthday (step 25), a look-up per "MM-DD" key. */
export const HOME_MEMBERS_BORN_ON = `SELECT ${MEMBER_COLS} FROM members WHERE home_store_id = $1 AND birthday = ANY($2::text[]) ORDER BY id`;
const PURCHASE_COLS = 'id, member_id, style_id, style_name, category, color, size, store_id, at, price';
const VISIT_COLS = 'id, store_id, member_id, source, status, arrived_at, last_seen_at, arrivals, claimed_by, claimed_at, closed_at, outcome, takeovers';
const NOTE_COLS = 'id, visit_id, member_id, text, "by", at';
/** `purchasesOf`, and the purchases part of `profileReads`: newest first, at most $2. */
const PURCHASES_OF = `SELECT ${PURCHASE_COLS} FROM purchases WHERE member_id = $1 ORDER BY at DESC, id LIMIT $2`;

/**
 * The open visit `findOpenVisit` answers, for the store, member and `since` given as parameters or
 * columns: the newest not closed, last seen at or after `since`. One text for its three uses.
 */
const openVisitSelect = (store: string, member: string, since: string) =>
  `SELECT ${VISIT_COLS} FROM visits WHERE store_id = ${store} AND member_id = ${member} AND status <> 'closed' AND last_seen_at >= ${since}
    ORDER BY last_seen_at DESC LIMIT 1`;

/** `findOpenVisit`'s statement (exported for the plan test, pg-batch-plans). */
export const FIND_OPEN_VISIT = openVisitSelect('$1', '$2', '$3');

/** `expected.openAtStore`'s rows (pgExpected.ts): a member's open expectations at a store that last past `now`. */
export const openExpectedWhere = (member: string, store: string, now: string) => `member_id = ${member} AND store_id = ${store} AND status = 'expected' AND until > ${now}`;

/**
 * `openVisitOrInsert` in one statement: the open visit as findOpenVisit reads it, and the insert
 * only when there is none. A data-modifying CTE runs whether or not it is referenced, and the outer
 * SELECT sees the snapshot from before it, so a new visit is never returned as "open". The casts
 * type the parameters as insertVisit's VALUES would.
 */
const OPEN_VISIT_OR_INSERT = `WITH open AS (
    ${openVisitSelect('$2', '$3', '$14')}
  ), inserted AS (
    INSERT INTO visits (${VISIT_COLS})
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $8::bigint, $9::text, $10::bigint, $11::bigint, $12::text, $13::text
    WHERE NOT EXISTS (SELECT 1 FROM open)
  )
  SELECT * FROM open`;

/**
 * The three reads of a profile as columns of one SELECT, for the member `member` names (a parameter
 * or a column), the purchases limited by $2; `exceptVisit` is an extra condition on the visit last
 * seen. json_agg keeps each part's order (its ORDER BY); a hold's `data` is the hold's own JSON
 * text, read as json so the driver parses it with the rest.
 */
const profileReadColumns = (member: string, exceptVisit: string) => `
  (SELECT COALESCE(json_agg(p ORDER BY p.at DESC, p.id), '[]'::json)
     FROM (SELECT ${PURCHASE_COLS} FROM purchases WHERE member_id = ${member} ORDER BY at DESC, id LIMIT $2) p) AS purchases,
  (SELECT COALESCE(json_agg(h.data::json ORDER BY h.until, h.id), '[]'::json)
     FROM holds h WHERE h.member_id = ${member} AND h.status = 'active') AS holds,
  (SELECT last_seen_at FROM visits WHERE member_id = ${member}${exceptVisit} ORDER BY arrived_at DESC LIMIT 1) AS last_seen_at`;

/** `profileReads` in one statement: the member $1, the visit $3 not counted as seen. */
const PROFILE_READS = `SELECT ${profileReadColumns('$1', ' AND id <> $3')}`;

/** `profileReadsOf`: the same columns for each member of $1 (no visit excluded), one row per member. */
const PROFILE_READS_OF = `SELECT m.id AS member_id, ${profileReadColumns('m.id', '')}
  FROM unnest($1::text[]) AS m(id)`;

/** A column list (`a, b`) with each column named through `alias` (`m.a, m.b`). */
const qualified = (cols: string, alias: string): string =>
  cols
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');

/** The distinct (store_id, member_id) pairs of two arrays ($1 stores, $2 members), for a per-pair LATERAL look-up. */
export const DISTINCT_PAIRS = '(SELECT DISTINCT s AS store_id, m AS member_id FROM unnest($1::text[], $2::text[]) AS u(s, m))';

/**
 * `openVisitsSeen`: each distinct pair of ($1, $2) looked up by itself in visits_of_member (the
 * member's entries, their store, status and last seen compared in the index), its newest visit not
 * closed seen since $3. Written per pair (LATERAL …
 * LIMIT 1) so that the plan is the index whatever the table's statistics say: as one semi join the
 * planner scanned the whole table and hashed it while visits was small or not yet analyzed (a bench,
 * a chain's first weeks), and a prepared statement's generic plan kept that plan as it grew —
 * a scan of every visit per arrival batch (docs/benchmarks.md, round 24).
 */
export const OPEN_VISITS_SEEN = `SELECT p.store_id, p.member_id, v.last_seen_at
  FROM ${DISTINCT_PAIRS} p
  CROSS JOIN LATERAL (
    SELECT last_seen_at FROM visits
    WHERE store_id = p.store_id AND member_id = p.member_id AND last_seen_at >= $3 AND status <> 'closed'
    ORDER BY last_seen_at DESC LIMIT 1
  ) v`;

/**
 * `waitingSeenBefore`: the stores and their cutoffs as two arrays ($1, $2), each store looked up by
 * itself in the partial index visits_waiting (its open visits by last seen, read up to its cutoff,
 * at most $3 of them), then the oldest $3 of all. Written per store (LATERAL) for the reason
 * OPEN_VISITS_SEEN is: as one join, a generic plan made while visits looked empty walked every open
 * visit of the chain once per store of the slice — 1.7 million rows compared and ~0.3 s of a
 * backend per slice of 50 stores, every minute, once a bench's stores held 34,000 open visits
 * (docs/benchmarks.md, round 51) — where the sweep normally finds nothing.
 */
export const WAITING_SEEN_BEFORE = `SELECT w.* FROM unnest($1::text[], $2::bigint[]) AS c(store_id, before)
  CROSS JOIN LATERAL (
    SELECT ${qualified(VISIT_COLS, 'v')} FROM visits v
    WHERE v.store_id = c.store_id AND v.status = 'open' AND v.last_seen_at < c.before
    ORDER BY v.last_seen_at, v.id LIMIT $3
  ) w
  ORDER BY w.last_seen_at, w.id LIMIT $3`;

/**
 * `arrivalReads` in one statement, keyed by the member's id or card code ($5): the member's row,
 * their open visit at the store $1 (findOpenVisit's look-up, since $3) as JSON, the profile's three
 * reads (purchases limited by $2, no visit excluded: the arrival's visit is not written yet) and
 * their open expectations there at $4 (expected.openAtStore's). No row: no such member.
 */
const arrivalReadsSql = (by: 'id' | 'code') => `SELECT ${qualified(MEMBER_COLS, 'm')},
  (SELECT row_to_json(v) FROM (${openVisitSelect('$1', 'm.id', '$3')}) v) AS open_visit,
  ${profileReadColumns('m.id', '')},
  (SELECT COALESCE(json_agg(data::json ORDER BY updated_at, id), '[]'::json) FROM expected_visits
     WHERE ${openExpectedWhere('m.id', '$1', '$4')}) AS expected
  FROM members m WHERE m.${by} = $5`;
const ARRIVAL_READS_BY_ID = arrivalReadsSql('id');
const ARRIVAL_READS_BY_CODE = arrivalReadsSql('code');

const profileReadsFromRow = (r: Row): ProfileReads => ({
  purchases: (r.purchases as Row[]).map(purchaseFromRow),
  holds: r.holds as Hold[],
  lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
});

/**
 * A statement that touches no row the transaction may hold back (heldWrites.ts): an event appended
 * by statement (its store has nothing held), a store's lock, the held rows' own statements.
 */
export const BESIDE_DEFERRED: ExecOptions = { besideDeferred: true };

export function createPgOps(exec: Exec): PgOps {
  const one = async (text: string, values: unknown[], opts?: ExecOptions): Promise<Row | undefined> => (await exec(text, values, opts)).rows[0];
  const all = async (text: string, values: unknown[] = []): Promise<Row[]> => (await exec(text, values)).rows;

  const notesOf = async (visitId: string): Promise<Note[]> =>
    (await all(`SELECT ${NOTE_COLS} FROM notes WHERE visit_id = $1 ORDER BY at, id`, [visitId])).map(noteFromRow);
  const withNotes = async (v: VisitRow): Promise<Visit> => ({ ...v, notes: await notesOf(v.id) });

  return {
    getMeta: async (key) => ((await one('SELECT value FROM meta WHERE key = $1', [key]))?.value as string | undefined) ?? null,
    setMeta: async (key, value) => {
      await exec('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
    },

    upsertStore: async (store, epoch) => {
      await exec(
        `INSERT INTO stores (id, name, city, epoch, head, settings) VALUES ($1, $2, $3, $4, 0, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, city = EXCLUDED.city, settings = COALESCE(EXCLUDED.settings, stores.settings)`,
        [store.id, store.name, store.city ?? '', epoch, store.settings ? JSON.stringify(store.settings) : null],
      );
    },
    getStore: async (id) => {
      const r = await one(`SELECT ${STORE_COLS} FROM stores WHERE id = $1`, [id]);
      return r ? storeFromRow(r) : null;
    },
    listStores: async () => (await all(`SELECT ${STORE_COLS} FROM stores ORDER BY id`)).map(storeFromRow),
    storeHeads: async (ids) => (await all(`SELECT ${STORE_COLS} FROM stores WHERE id = ANY($1::text[]) ORDER BY id`, [[...ids]])).map(storeFromRow),
    rotateEpoch: async (storeId, epoch) => {
      await exec('WITH e AS (UPDATE stores SET epoch = $2 WHERE id = $1) DELETE FROM events WHERE store_id = $1', [storeId, epoch]);
    },
    appendEvent: async (storeId, ev) => {
      const { data } = ev;
      // The store row's lock, taken by the UPDATE, is held to commit: a concurrent writer of the
      // same store (any node) waits here, so seqs are handed out in commit order, and a rollback
      // gives its seq back to the next writer.
      const r = await one(
        `WITH pos AS (UPDATE stores SET head = head + 1 WHERE id = $1 RETURNING head, epoch)
         INSERT INTO events (store_id, seq, epoch, id, type, at, data) SELECT $1, head, epoch, $2::text, $3::text, $4::bigint, $5::text FROM pos
         RETURNING seq, epoch`,
        [storeId, ev.id, ev.type, ev.at, data],
        BESIDE_DEFERRED,
      );
      if (!r) throw new Error(`unknown store ${storeId}`);
      return { storeId, epoch: r.epoch as string, seq: r.seq as number, id: ev.id, type: ev.type, at: ev.at, data };
    },
    readEvents: async (storeId, afterSeq, limit) =>
      (await all(`SELECT ${EVENT_COLS} FROM events WHERE store_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [storeId, afterSeq, limitParam(limit)])).map(
        eventFromRow,
      ),
    oldestSeq: async (storeId) => ((await one('SELECT MIN(seq) AS seq FROM events WHERE store_id = $1', [storeId]))?.seq as number | null) ?? null,
    trimEvents: async (storeId, keep) => {
      await exec('DELETE FROM events e USING stores s WHERE s.id = $1 AND e.store_id = $1 AND e.seq <= s.head - $2', [storeId, keep]);
    },

    createEnrollmentCode: async (codeHash, storeId, expiresAt, now) => {
      await exec('INSERT INTO enrollment_codes (code_hash, store_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [codeHash, storeId, now, expiresAt]);
    },
    consumeEnrollmentCode: async (codeHash, now): Promise<ConsumeCodeResult> => {
      // Check and mark in one statement: two nodes racing for one code queue on its row, and the
      // second re-checks `used_at` after the first commits.
      const used = await one(
        'UPDATE enrollment_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING store_id',
        [codeHash, now],
      );
      if (used) return { ok: true, storeId: used.store_id as string };
      const r = await one('SELECT used_at, expires_at FROM enrollment_codes WHERE code_hash = $1', [codeHash]);
      if (!r) return { ok: false, reason: 'unknown' };
      if (r.used_at != null) return { ok: false, reason: 'used' };
      return { ok: false, reason: 'expired' };
    },
    createDevice: async (d, tokenHash) => {
      await exec('INSERT INTO devices (id, store_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [d.id, d.storeId, d.name, tokenHash, d.createdAt]);
    },
    deviceByTokenHash: async (hash) => {
      const r = await one(`SELECT ${DEVICE_COLS} FROM devices WHERE token_hash = $1 AND revoked_at IS NULL`, [hash]);
      return r ? deviceFromRow(r) : null;
    },
    getDevice: async (id) => {
      const r = await one(`SELECT ${DEVICE_COLS} FROM devices WHERE id = $1`, [id]);
      return r ? deviceFromRow(r) : null;
    },
    listDevices: async (storeId) => (await all(`SELECT ${DEVICE_COLS} FROM devices WHERE store_id = $1 ORDER BY created_at, id`, [storeId])).map(deviceFromRow),
    revokeDevice: async (id, now) => (await exec('UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [now, id])).rowCount > 0,
    revokedSince: async (since) =>
      (await all(`SELECT ${DEVICE_COLS} FROM devices WHERE revoked_at IS NOT NULL AND revoked_at >= $1 ORDER BY revoked_at, id`, [since])).map(deviceFromRow),
    recordAcks: async (acks) => {
      if (acks.length === 0) return;
      // One statement for the whole flush (thousands of desks a second): a round trip each was
      // most of what the PostgreSQL node spent on acks.
      await exec('UPDATE devices d SET acked_seq = v.seq FROM unnest($1::text[], $2::bigint[]) AS v(id, seq) WHERE d.id = v.id', [
        acks.map((a) => a.deviceId),
        acks.map((a) => a.seq),
      ]);
    },

    upsertMember: async (m) => {
      await exec(
        `INSERT INTO members (${MEMBER_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (id) DO UPDATE SET code = EXCLUDED.code, name = EXCLUDED.name, name_en = EXCLUDED.name_en, tier = EXCLUDED.tier,
           phone = EXCLUDED.phone, home_store_id = EXCLUDED.home_store_id, size_eu = EXCLUDED.size_eu, size_cn = EXCLUDED.size_cn,
           preferences = EXCLUDED.preferences, points = EXCLUDED.points, joined_at = EXCLUDED.joined_at, updated_at = EXCLUDED.updated_at,
           birthday = EXCLUDED.birthday, consents = EXCLUDED.consents`,
        [m.id, m.code, m.name, m.nameEn, m.tier, m.phone, m.homeStoreId, m.sizes.eu, m.sizes.cn, JSON.stringify(m.preferences), m.points, m.joinedAt, m.updatedAt, m.birthday ?? null, JSON.stringify(m.consents ?? {})],
      );
      // Keys no longer derived go, new ones come; the two sets are disjoint, so one statement does both.
      await exec(
        `WITH gone AS (DELETE FROM member_search_keys WHERE member_id = $1 AND NOT (key = ANY($2::text[])))
         INSERT INTO member_search_keys (key, member_id) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING`,
        [m.id, memberSearchKeys({ ...m, phoneLast4: m.phone.slice(-4) })],
      );
    },
    getMember: async (id) => {
      const r = await one(`SELECT ${MEMBER_COLS} FROM members WHERE id = $1`, [id]);
      return r ? memberFromRow(r) : null;
    },
    findMemberByCode: async (code) => {
      const r = await one(`SELECT ${MEMBER_COLS} FROM members WHERE code = $1`, [code]);
      return r ? memberFromRow(r) : null;
    },
    findMembers: async (ids, codes) =>
      (await all(`SELECT ${MEMBER_COLS} FROM members WHERE id = ANY($1::text[]) OR code = ANY($2::text[])`, [[...new Set(ids)], [...new Set(codes)]])).map(memberFromRow),
    findMemberByPhone: async (digits) => {
      const r = await one(`SELECT ${MEMBER_COLS} FROM members WHERE phone = $1 ORDER BY updated_at DESC LIMIT 1`, [digits]);
      return r ? memberFromRow(r) : null;
    },
    listHomeMembers: async (storeId) => (await all(`SELECT ${MEMBER_COLS} FROM members WHERE home_store_id = $1 ORDER BY id`, [storeId])).map(memberFromRow),
    homeMembersBornOn: async (storeId, monthDays) => (await all(HOME_MEMBERS_BORN_ON, [storeId, monthDays])).map(memberFromRow),
    countMembers: async () => (await one('SELECT COUNT(*) AS n FROM members', []))!.n as number,
    searchMembers: async (keyPrefix, limit) =>
      (
        await all(
          `SELECT ${MEMBER_COLS} FROM members WHERE id IN
             (SELECT member_id FROM member_search_keys WHERE key >= $1 AND key < $2 ORDER BY key LIMIT $3) ORDER BY name, id`,
          [keyPrefix, `${keyPrefix}\u{10FFFF}`, limit],
        )
      ).map(memberFromRow),
    membersAfter: async (afterId, limit) => (await all(`SELECT ${MEMBER_COLS} FROM members WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit])).map(memberFromRow),
    upsertPurchase: async (p) => {
      await exec(
        `INSERT INTO purchases (${PURCHASE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET member_id = EXCLUDED.member_id, style_id = EXCLUDED.style_id, style_name = EXCLUDED.style_name,
           category = EXCLUDED.category, color = EXCLUDED.color, size = EXCLUDED.size, store_id = EXCLUDED.store_id,
           at = EXCLUDED.at, price = EXCLUDED.price`,
        [p.id, p.memberId, p.styleId, p.styleName, p.category, p.color, p.size, p.storeId, p.at, p.price],
      );
    },
    purchasesOf: async (memberId, limit) =>
      (await all(PURCHASES_OF, [memberId, limitParam(limit)])).map(purchaseFromRow),
    // The three reads of purchasesOf, holds.activeHoldsOfMember and memberHistory.lastSeenAt as one
    // statement: one round trip instead of three with every arrival's profile. Each part is the
    // same query as the method it stands for, with the same order and limit.
    profileReads: async (memberId, purchaseLimit, exceptVisitId) =>
      profileReadsFromRow((await one(PROFILE_READS, [memberId, limitParam(purchaseLimit), exceptVisitId ?? '']))!),
    arrivalReads: async (storeId, ref, since, at, purchaseLimit) => {
      const r = await one('id' in ref ? ARRIVAL_READS_BY_ID : ARRIVAL_READS_BY_CODE, [storeId, limitParam(purchaseLimit), since, at, 'id' in ref ? ref.id : ref.code]);
      if (!r) return null;
      const open = r.open_visit as Row | null;
      return {
        member: memberFromRow(r),
        open: open ? await withNotes(visitRowFromRow(open)) : null,
        profile: profileReadsFromRow(r),
        expected: r.expected as ExpectedVisit[],
      };
    },
    profileReadsOf: async (memberIds, purchaseLimit) =>
      new Map((await all(PROFILE_READS_OF, [[...new Set(memberIds)], limitParam(purchaseLimit)])).map((r) => [r.member_id as string, profileReadsFromRow(r)])),
    upsertStyle: async (s) => {
      await exec(
        `INSERT INTO styles (id, name, category, price, colors, sizes, released_at, kind, goes_with) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category, price = EXCLUDED.price,
           colors = EXCLUDED.colors, sizes = EXCLUDED.sizes, released_at = EXCLUDED.released_at,
           kind = EXCLUDED.kind, goes_with = EXCLUDED.goes_with`,
        [s.id, s.name, s.category, s.price, JSON.stringify(s.colors), JSON.stringify(s.sizes), s.releasedAt, styleKindColumns(s).kind, styleKindColumns(s).goesWith],
      );
    },
    listStyles: async () => (await all('SELECT id, name, category, price, colors, sizes, released_at, kind, goes_with FROM styles ORDER BY id')).map(styleFromRow),
    setStock: async (line: StockLine) => {
      await exec(
        `INSERT INTO stock (store_id, style_id, color, size, qty) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (store_id, style_id, color, size) DO UPDATE SET qty = EXCLUDED.qty`,
        [line.storeId, line.styleId, line.color, line.size, line.qty],
      );
    },
    stockForStore: async (storeId) =>
      (await all('SELECT store_id, style_id, color, size, qty FROM stock WHERE store_id = $1 ORDER BY style_id, color, size', [storeId])).map((r) => ({
        storeId: r.store_id as string,
        styleId: r.style_id as string,
        color: r.color as string,
        size: r.size as number,
        qty: r.qty as number,
      })),
    popularityForStore: async (storeId, since) =>
      new Map(
        (await all('SELECT style_id, COUNT(*) AS n FROM purchases WHERE store_id = $1 AND at >= $2 GROUP BY style_id', [storeId, since])).map((r) => [
          r.style_id as string,
          r.n as number,
        ]),
      ),
    catalogVersion: async (storeId) =>
      Number((await one("SELECT COALESCE(SUM(version), 0)::bigint AS v FROM catalog_versions WHERE scope IN ('', $1)", [storeId]))?.v ?? 0),
    catalogChanged: async (storeIds) => {
      // One statement, scopes in one order: two writers moving the same stores take their row locks alike.
      const scopes = catalogScopes(storeIds);
      if (scopes.length === 0) return;
      await exec(
        `INSERT INTO catalog_versions (scope, version) SELECT s, 1 FROM unnest($1::text[]) AS s
         ON CONFLICT (scope) DO UPDATE SET version = catalog_versions.version + 1`,
        [scopes],
      );
    },

    insertVisit: async (v) => {
      await exec(`INSERT INTO visits (${VISIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, visitParams(v));
    },
    updateVisit: async (v) => {
      // Same columns as SQLite's: store_id, member_id and arrived_at never change.
      await exec(
        `UPDATE visits SET status = $2, last_seen_at = $3, arrivals = $4, claimed_by = $5, claimed_at = $6, closed_at = $7, outcome = $8, source = $9,
           takeovers = $10
         WHERE id = $1`,
        [
          v.id,
          v.status,
          v.lastSeenAt,
          v.arrivals,
          v.claimedBy ? JSON.stringify(v.claimedBy) : null,
          v.claimedAt,
          v.closedAt,
          v.outcome,
          v.source,
          v.takeovers?.length ? JSON.stringify(v.takeovers) : null,
        ],
      );
    },
    getVisit: async (id) => {
      const r = await one(`SELECT ${VISIT_COLS} FROM visits WHERE id = $1`, [id]);
      return r ? withNotes(visitRowFromRow(r)) : null;
    },
    findOpenVisit: async (storeId, memberId, since) => {
      const r = await one(FIND_OPEN_VISIT, [storeId, memberId, since]);
      return r ? withNotes(visitRowFromRow(r)) : null;
    },
    openVisitOrInsert: async (v, since) => {
      const r = await one(OPEN_VISIT_OR_INSERT, [...visitParams(v), since]);
      return r ? withNotes(visitRowFromRow(r)) : null;
    },
    openVisitsSeen: async (pairs, since) =>
      (
        await all(
          OPEN_VISITS_SEEN,
          [pairs.map((p) => p.storeId), pairs.map((p) => p.memberId), since],
        )
      ).map((r) => ({ storeId: r.store_id as string, memberId: r.member_id as string, lastSeenAt: Number(r.last_seen_at) })),
    waitingSeenBefore: async (cutoffs, limit) =>
      (
        await all(WAITING_SEEN_BEFORE, [cutoffs.map((c) => c.storeId), cutoffs.map((c) => c.before), limit])
      ).map(visitRowFromRow),
    visitsSince: async (storeId, since) => {
      // Two queries instead of one per visit: a snapshot can hold hundreds of visits.
      const notes = new Map<string, Note[]>();
      const noteRows = await all(
        `SELECT n.id, n.visit_id, n.member_id, n.text, n."by", n.at FROM notes n JOIN visits v ON v.id = n.visit_id
         WHERE v.store_id = $1 AND v.arrived_at >= $2 ORDER BY n.at, n.id`,
        [storeId, since],
      );
      for (const r of noteRows) {
        const n = noteFromRow(r);
        const list = notes.get(n.visitId);
        if (list) list.push(n);
        else notes.set(n.visitId, [n]);
      }
      return (await all(`SELECT ${VISIT_COLS} FROM visits WHERE store_id = $1 AND arrived_at >= $2 ORDER BY arrived_at DESC, id DESC`, [storeId, since])).map(
        (r) => {
          const v = visitRowFromRow(r);
          return { ...v, notes: notes.get(v.id) ?? [] };
        },
      );
    },
    insertNote: async (n) => {
      await exec(`INSERT INTO notes (${NOTE_COLS}) VALUES ($1, $2, $3, $4, $5, $6)`, [n.id, n.visitId, n.memberId, n.text, JSON.stringify(n.by), n.at]);
    },
    getNote: async (id) => {
      const r = await one(`SELECT ${NOTE_COLS} FROM notes WHERE id = $1`, [id]);
      return r ? noteFromRow(r) : null;
    },

    getOp: async (deviceId, opId): Promise<OpRecord | null> => {
      const r = await one('SELECT status, result, seq FROM ops WHERE device_id = $1 AND op_id = $2', [deviceId, opId]);
      if (!r) return null;
      return {
        status: r.status as OpRecord['status'],
        seq: (r.seq as number | null) ?? null,
        rejection: r.result ? (JSON.parse(r.result as string) as OpRecord['rejection']) : null,
      };
    },
    putOp: async (deviceId, opId, op, now) => {
      await exec('INSERT INTO ops (device_id, op_id, status, result, seq, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        deviceId,
        opId,
        op.status,
        op.rejection ? JSON.stringify(op.rejection) : null,
        op.seq,
        now,
      ]);
    },
    getIdempotent: async (key) => {
      const r = await one('SELECT request_hash, result FROM idempotency_keys WHERE key = $1', [key]);
      return r ? { requestHash: r.request_hash as string, result: r.result as string } : null;
    },
    putIdempotent: async (key, requestHash, result, now) => {
      await exec('INSERT INTO idempotency_keys (key, request_hash, result, created_at) VALUES ($1, $2, $3, $4)', [key, requestHash, result, now]);
    },
    purgeOlderThan: async (cutoff, limit) => {
      // The oldest first, `limit` at a time, each through its created_at index.
      const r = await one(
        `WITH o AS (DELETE FROM ops WHERE (device_id, op_id) IN (SELECT device_id, op_id FROM ops WHERE created_at < $1 ORDER BY created_at LIMIT $2) RETURNING 1),
           i AS (DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2) RETURNING 1),
           f AS (DELETE FROM member_login_failures WHERE since < $1),
           c AS (DELETE FROM enrollment_codes WHERE expires_at < $1)
         SELECT (SELECT COUNT(*) FROM o) AS o, (SELECT COUNT(*) FROM i) AS i`,
        [cutoff, limitParam(limit)],
      );
      return Math.max(Number(r!.o), Number(r!.i));
    },
    deleteMember: async (memberId) => {
      // 5/8 groups, before the CTE deletes the member's group messages: hosts' messages quoting them
      // lose the quote's nickname and text, answers for them their forMemberId. Two statements of
      // their own, since one statement may not change a row twice and a host's answer to an asker is
      // often both. (Found by author_id, so messages of groups they had left, anonymised then, go too.)
      await exec(
        `UPDATE group_messages q SET data = jsonb_set(jsonb_set(q.data::jsonb, '{replyTo,nickname}', 'null'), '{replyTo,excerpt}', '""')::text
         FROM group_messages o WHERE o.author_id = $1 AND q.group_id = o.group_id AND q.reply_to_n = o.n`,
        [memberId],
      );
      await exec(`UPDATE group_messages SET for_member_id = NULL, data = (data::jsonb || '{"forMemberId": null}')::text WHERE for_member_id = $1`, [memberId]);
      const r = await exec(
        `WITH n AS (DELETE FROM notes WHERE member_id = $1),
           v AS (DELETE FROM visits WHERE member_id = $1),
           p AS (DELETE FROM purchases WHERE member_id = $1),
           msg AS (DELETE FROM messages WHERE member_id = $1),
           c AS (DELETE FROM conversations WHERE member_id = $1),
           img AS (DELETE FROM chat_images WHERE member_id = $1),
           s AS (DELETE FROM member_sessions WHERE member_id = $1),
           k AS (DELETE FROM member_search_keys WHERE member_id = $1),
           mn AS (DELETE FROM member_notes WHERE member_id = $1),
           tk AS (DELETE FROM tasks WHERE member_id = $1),
           h AS (DELETE FROM holds WHERE member_id = $1), -- 4/8 part C
           hr AS (DELETE FROM hold_requests WHERE member_id = $1),
           ci AS (DELETE FROM checkins WHERE member_id = $1), -- 4/8 part A
           gm AS (DELETE FROM group_messages WHERE author_id = $1), -- 5/8 groups: their messages vanish, in groups they left too
           gmb AS (DELETE FROM group_members WHERE member_id = $1),
           gpc AS (DELETE FROM group_push_counts WHERE member_id = $1),
           gp AS (DELETE FROM group_pushes WHERE member_id = $1),
           ex AS (DELETE FROM expected_visits WHERE member_id = $1), -- 5/8 expected visits
           -- 6/8 live rooms: as SQLite's deleteMember (a lottery's eligible row keeps its ref for the audit, nickname 'erased')
           lq AS (DELETE FROM live_questions WHERE member_id = $1),
           lv AS (DELETE FROM live_votes WHERE member_id = $1),
           lp AS (DELETE FROM live_participants WHERE member_id = $1),
           lm AS (DELETE FROM live_mutes WHERE member_id = $1),
           lr AS (DELETE FROM live_referrals WHERE member_id = $1),
           le AS (UPDATE live_lottery_eligible SET nickname = 'erased', member_id = NULL WHERE member_id = $1),
           -- 7/8 attribution: what their cards showed, the marks on them, their sales' attributions
           -- (the cards' rows by the member's visits: no index by member since step 22; every
           -- sub-statement sees the visits as they were before this statement)
           ass AS (DELETE FROM suggestions_shown WHERE visit_id IN (SELECT id FROM visits WHERE member_id = $1)),
           asm AS (DELETE FROM suggestion_marks WHERE member_id = $1),
           asa AS (DELETE FROM sale_attributions WHERE member_id = $1),
           ho AS (DELETE FROM handovers WHERE member_id = $1) -- 7/8 assistant
         DELETE FROM members WHERE id = $1`,
        [memberId],
      );
      return r.rowCount > 0;
    },
    lastEventMentioning: async (storeId, text) =>
      ((await one('SELECT MAX(seq) AS seq FROM events WHERE store_id = $1 AND strpos(data, $2) > 0', [storeId, text]))?.seq as number | null) ?? null,
  };
}
