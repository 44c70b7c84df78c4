// The statements an arrival batch sends per batch on PostgreSQL must find their rows through the
// indexes whatever the tables' statistics say. As set operations (`(store, member) IN (unnest …)`,
// `id = ANY($1)`) the planner scanned every visit and every store per batch while the tables were
// small or not yet analyzed — a bench, a chain's first weeks — and a prepared statement's generic
// plan kept that plan as the table grew (docs/benchmarks.md, round 24). Written key by key
// (LATERAL), the plan is an index look-up per key. Checked here on a migrated schema holding 500
// stores and 8,000 visits that were never analyzed, both as a custom and as a generic plan; and the
// answers are the set form's. A single arrival's open visit likewise (step 23's visits_of_member),
// a batch's open expectations (expected_visits_member), and the unserved sweep's read of each
// store's waiting visits (visits_waiting) — both round 51; the birthday sweep's read of a store's
// members born in the week (members_home_birthday, round 52).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { FIND_OPEN_VISIT, HOME_MEMBERS_BORN_ON, OPEN_VISITS_SEEN, WAITING_SEEN_BEFORE } from '../../hq/adapters/postgres/pgOps.ts';
import { OPEN_EXPECTED_AT_STORES } from '../../hq/adapters/postgres/pgExpected.ts';
import { LOCK_STORES } from '../../hq/adapters/postgres/pgStore.ts';
import { freshPgStore, pgClient } from '../support/pg.ts';

/** What `openVisitsSeen` asked before: the same answer, as one semi join. */
const OPEN_VISITS_SEEN_AS_A_SET = `SELECT store_id, member_id, MAX(last_seen_at) AS last_seen_at FROM visits
  WHERE status <> 'closed' AND last_seen_at >= $3 AND (store_id, member_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  GROUP BY store_id, member_id`;

/** What `expected.openAtStores` asked before: the same answer, as one semi join. */
const OPEN_EXPECTED_AS_A_SET = `SELECT data FROM expected_visits
  WHERE status = 'expected' AND (store_id, member_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
  ORDER BY updated_at, id`;

/** What `waitingSeenBefore` asked before: the same answer, as one join of the stores with visits. */
const WAITING_SEEN_BEFORE_AS_A_JOIN = `SELECT v.* FROM unnest($1::text[], $2::bigint[]) AS c(store_id, before)
  JOIN visits v ON v.store_id = c.store_id AND v.status = 'open' AND v.last_seen_at < c.before
  ORDER BY v.last_seen_at, v.id LIMIT $3`;

const NOW = 1_800_000_000_000;
const storeId = (i: number) => `st-${String(i).padStart(4, '0')}`;
const memberId = (i: number) => `m-${String(i).padStart(5, '0')}`;

let c: pg.Client;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const fresh = await freshPgStore();
  cleanup = fresh.cleanup;
  c = await pgClient(fresh.schema.url, fresh.schema.schema);
  await c.query(`INSERT INTO stores (id, name, city, epoch, head) SELECT 'st-' || lpad(i::text, 4, '0'), 'S', '', 'e', 0 FROM generate_series(0, 499) i`);
  // 8,000 visits: member m-i at store i % 500, seen every 7 s back from NOW; every fifth closed.
  await c.query(`INSERT INTO visits (id, store_id, member_id, source, status, arrived_at, last_seen_at, arrivals)
    SELECT 'v-' || i, 'st-' || lpad((i % 500)::text, 4, '0'), 'm-' || lpad((i % 2000)::text, 5, '0'), 'door',
           CASE WHEN i % 5 = 0 THEN 'closed' ELSE 'open' END, ${NOW} - i * 7000, ${NOW} - i * 7000, 1
    FROM generate_series(0, 7999) i`);
  // 4,000 expectations: member m-i at store i % 500, one in four still expected, the rest lapsed.
  await c.query(`INSERT INTO expected_visits (id, store_id, member_id, status, until, updated_at, data)
    SELECT 'e-' || i, 'st-' || lpad((i % 500)::text, 4, '0'), 'm-' || lpad((i % 2000)::text, 5, '0'),
           CASE WHEN i % 4 = 0 THEN 'expected' ELSE 'lapsed' END, ${NOW} + i, ${NOW} - i, '{"id":"e-' || i || '"}'
    FROM generate_series(0, 3999) i`);
  // 20,000 members: m-i at store i % 500, born on day (i % 28) + 1 of month (i % 12) + 1, every seventh with none.
  await c.query(`INSERT INTO members (id, code, name, tier, home_store_id, size_eu, size_cn, joined_at, updated_at, birthday)
    SELECT 'bm-' || lpad(i::text, 5, '0'), 'BC' || i, 'M', 'basic', 'st-' || lpad((i % 500)::text, 4, '0'), 42, 260, 0, 0,
           CASE WHEN i % 7 = 0 THEN NULL ELSE lpad(((i % 12) + 1)::text, 2, '0') || '-' || lpad(((i % 28) + 1)::text, 2, '0') END
    FROM generate_series(0, 19999) i`);
}, 60_000);

afterAll(async () => {
  await c?.end();
  await cleanup?.();
});

/** The plan's text; `generic` as a prepared statement's generic plan (what a named statement may settle on). */
async function planOf(sql: string, values: unknown[], generic: boolean): Promise<string> {
  await c.query(`SET plan_cache_mode = ${generic ? 'force_generic_plan' : 'force_custom_plan'}`);
  const name = `p_${Math.random().toString(36).slice(2)}`;
  await c.query(`PREPARE ${name} AS ${sql}`);
  const literal = values.map((v) => (Array.isArray(v) ? `ARRAY[${v.map((x) => `'${String(x)}'`).join(',')}]` : String(v)));
  const rows = (await c.query(`EXPLAIN EXECUTE ${name}(${literal.join(', ')})`)).rows as { 'QUERY PLAN': string }[];
  await c.query(`DEALLOCATE ${name}`);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

/** 60 pairs of a batch: 40 with visits (some closed, some too old), 10 asked twice, 10 of nobody. */
function pairs(): [string[], string[]] {
  const s: string[] = [];
  const m: string[] = [];
  for (let i = 0; i < 40; i++) {
    const v = i * 97;
    s.push(storeId(v % 500));
    m.push(memberId(v % 2000));
  }
  for (let i = 0; i < 10; i++) {
    s.push(s[i]!);
    m.push(m[i]!);
  }
  for (let i = 0; i < 10; i++) {
    s.push(storeId(i));
    m.push(`nobody-${i}`);
  }
  return [s, m];
}

describe('an arrival batch’s statements on PostgreSQL', () => {
  it('look up the open visits of the batch’s pairs through visits_of_member, and answer what the set form answers', async () => {
    const [s, m] = pairs();
    const since = NOW - 6 * 3_600_000;
    for (const generic of [false, true]) {
      const plan = await planOf(OPEN_VISITS_SEEN, [s, m, since], generic);
      expect(plan, plan).toMatch(/Index (Only )?Scan using visits_of_member on visits/);
      expect(plan, plan).not.toMatch(/Seq Scan on visits/);
    }
    const key = (r: { store_id: string; member_id: string; last_seen_at: string }) => `${r.store_id} ${r.member_id} ${r.last_seen_at}`;
    const now = (await c.query(OPEN_VISITS_SEEN, [s, m, since])).rows.map(key).sort();
    const before = (await c.query(OPEN_VISITS_SEEN_AS_A_SET, [s, m, since])).rows.map(key).sort();
    expect(now).toEqual(before);
    // Some pairs have an open visit in the window, some only a closed or an older one, some none.
    expect(now.length).toBeGreaterThan(5);
    expect(now.length).toBeLessThan(40);
  });

  it('look up a single arrival’s open visit through visits_of_member, not the store’s visits', async () => {
    const since = NOW - 6 * 3_600_000;
    for (const generic of [false, true]) {
      const plan = await planOf(FIND_OPEN_VISIT, [`'${storeId(7)}'`, `'${memberId(7)}'`, since], generic);
      expect(plan, plan).toMatch(/Index (Only )?Scan using visits_of_member on visits/);
      expect(plan, plan).not.toMatch(/Seq Scan on visits|visits_store_time/);
    }
    const open = (await c.query(FIND_OPEN_VISIT, [storeId(7), memberId(7), since])).rows as { id: string }[];
    expect(open.map((r) => r.id)).toEqual(['v-7']);
  });

  it('look up the open expectations of the batch’s pairs through expected_visits_member, and answer what the set form answers', async () => {
    const [s, m] = pairs();
    for (const generic of [false, true]) {
      const plan = await planOf(OPEN_EXPECTED_AT_STORES, [s, m], generic);
      expect(plan, plan).toMatch(/Index Scan using expected_visits_member on expected_visits/);
      expect(plan, plan).toMatch(/Index Cond: \(\(member_id = u\.m\) AND \(store_id = u\.s\)\)/);
      expect(plan, plan).not.toMatch(/Seq Scan on expected_visits|expected_visits_due/);
    }
    const ids = async (sql: string) => ((await c.query(sql, [s, m])).rows as { data: string }[]).map((r) => (JSON.parse(r.data) as { id: string }).id);
    const now = await ids(OPEN_EXPECTED_AT_STORES);
    expect(now).toEqual(await ids(OPEN_EXPECTED_AS_A_SET));
    // Pairs asked twice give their expectations once; some pairs have open ones, most none.
    expect(new Set(now).size).toBe(now.length);
    expect(now.length).toBeGreaterThan(3);
    expect(now.length).toBeLessThan(40);
  });

  it('lock the batch’s stores one by one through the primary key, each once, in id order', async () => {
    const ids = [storeId(7), storeId(3), storeId(3), storeId(499), 'no-such-store', storeId(100)];
    for (const generic of [false, true]) {
      const plan = await planOf(LOCK_STORES, [ids], generic);
      expect(plan, plan).toContain('Index Scan using stores_pkey on stores');
      expect(plan, plan).not.toMatch(/Seq Scan on stores/);
    }
    await c.query('BEGIN');
    try {
      const rows = (await c.query(LOCK_STORES, [ids])).rows as { id: string }[];
      expect(rows.map((r) => r.id)).toEqual([storeId(3), storeId(7), storeId(100), storeId(499)]);
      // Held: another connection cannot take them.
      const other = await pgClient(undefined, (await c.query('SELECT current_schema() AS s')).rows[0].s as string);
      try {
        await expect(other.query(`SELECT 1 FROM stores WHERE id = '${storeId(499)}' FOR UPDATE NOWAIT`)).rejects.toThrow(/could not obtain lock/);
        await expect(other.query(`SELECT 1 FROM stores WHERE id = '${storeId(498)}' FOR UPDATE NOWAIT`)).resolves.toBeDefined();
      } finally {
        await other.end();
      }
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

describe('the unserved sweep’s read on PostgreSQL', () => {
  // A slice of 50 stores (st-0000 … st-0049), each with its own cutoff: the even ones 2 h back, the
  // odd ones 10 h back (a store that waits longer), so some of each store's open visits are due.
  const stores = Array.from({ length: 50 }, (_, i) => storeId(i));
  const cutoffs = stores.map((_, i) => NOW - (i % 2 ? 10 : 2) * 3_600_000);

  it('looks up each store’s waiting visits through visits_waiting up to its cutoff, not every open visit per store', async () => {
    for (const generic of [false, true]) {
      const plan = await planOf(WAITING_SEEN_BEFORE, [stores, `ARRAY[${cutoffs.join(',')}]::bigint[]`, 500], generic);
      expect(plan, plan).toMatch(/Index Scan using visits_waiting on visits/);
      expect(plan, plan).toMatch(/Index Cond: \(\(store_id = c\.store_id\) AND \(last_seen_at < c\.before\)\)/);
      expect(plan, plan).not.toMatch(/Seq Scan on visits/);
    }
  });

  it('answers what the join answered: the oldest due open visits of the slice, up to the limit', async () => {
    const ids = async (sql: string, limit: number) =>
      ((await c.query(sql, [stores, cutoffs, limit])).rows as { id: string; store_id: string; status: string; last_seen_at: string }[]).map((r) => {
        const i = stores.indexOf(r.store_id);
        // Only the slice's stores, only open visits, each past its own store's cutoff.
        expect(i).toBeGreaterThanOrEqual(0);
        expect(r.status).toBe('open');
        expect(Number(r.last_seen_at)).toBeLessThan(cutoffs[i]!);
        return r.id;
      });
    const all = await ids(WAITING_SEEN_BEFORE, 500);
    expect(all).toEqual(await ids(WAITING_SEEN_BEFORE_AS_A_JOIN, 500));
    // 50 stores × 16 visits, every fifth closed; the even stores' recent ones and the odd stores' more are not due yet.
    expect(all.length).toBeGreaterThan(300);
    expect(all.length).toBeLessThan(640);
    // A limit smaller than one store's due visits: the oldest of all stores, the join's order.
    const few = await ids(WAITING_SEEN_BEFORE, 7);
    expect(few).toEqual(await ids(WAITING_SEEN_BEFORE_AS_A_JOIN, 7));
    expect(few).toEqual(all.slice(0, 7));
  });
});

describe('the birthday sweep’s read on PostgreSQL', () => {
  const week = ['07-14', '07-15', '07-16', '07-17', '07-18', '07-19', '07-20'];

  it('looks up a store’s members born in the week through members_home_birthday, not every member of the store', async () => {
    for (const generic of [false, true]) {
      const plan = await planOf(HOME_MEMBERS_BORN_ON, [`'${storeId(7)}'`, week], generic);
      expect(plan, plan).toMatch(/Index Scan using members_home_birthday on members|Bitmap Index Scan on members_home_birthday/);
      expect(plan, plan).toMatch(/Index Cond: \(\(home_store_id = .*\) AND \(birthday = ANY/);
      expect(plan, plan).not.toMatch(/Seq Scan on members/);
    }
  });

  it('answers the store’s members born on those days, by id', async () => {
    for (const store of [storeId(7), storeId(300)]) {
      const born = (await c.query(HOME_MEMBERS_BORN_ON, [store, week])).rows as { id: string; home_store_id: string; birthday: string }[];
      const all = (await c.query('SELECT id, birthday FROM members WHERE home_store_id = $1 ORDER BY id', [store])).rows as { id: string; birthday: string | null }[];
      expect(born.map((m) => m.id)).toEqual(all.filter((m) => m.birthday !== null && week.includes(m.birthday)).map((m) => m.id));
      expect(born.every((m) => m.home_store_id === store)).toBe(true);
    }
    expect((await c.query(HOME_MEMBERS_BORN_ON, [storeId(7), []])).rows).toEqual([]);
  });
});
