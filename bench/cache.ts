// Cache: member search over 200,000 cached members (p99 ≤ 5 ms) and an arrival plus its profile
// lookup (≤ 1 ms), on a real desk cache file (migrations, WAL, synchronous=FULL) on disk.
//
// Search: 2,000 queries mixing what a clerk types — Chinese name fragments, pinyin prefixes,
// member-code prefixes, phone last-4 — through MemberSearch.search (what DeskCore.searchMembers runs).
// Arrival: an `ev` frame's bytes for a new visit of a cached member are schema-parsed as the link
// does (parseEventFrame: the compiled check, zod when it bails), applied with applyEvent (one
// committed transaction), and the profile read back as the UI asks for it (getProfile +
// visitsOfMember); the figure is the whole sequence, per arrival. (Until round 22 the bench parsed
// with zod alone, which the desk has not done since its compiled check came — docs/benchmarks.md,
// "Resume against its floor": a tenth of a millisecond more per arrival, and zod's garbage.)
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openCache, startCacheCheckpoints } from '../electron/desk/cache/db.ts';
import { applyEvent } from '../electron/desk/sync.ts';
import { parseEventFrame } from '../electron/desk/link.ts';
import { toDeskMember } from '../hq/app/profiles.ts';
import { Prng } from '../shared/prng.ts';
import { type Member } from '../shared/domain.ts';
import { cacheDir, num } from './lib/env.ts';
import { benchMember } from './lib/seed.ts';
import { fmtMs, printResult, summarize } from './lib/stats.ts';

const MEMBERS = num('CACHE_MEMBERS', 200_000);
const QUERIES = num('CACHE_QUERIES', 2000);
const ARRIVALS = num('CACHE_ARRIVALS', 1000);
const TARGET = { searchP99Ms: 5, arrivalP99Ms: 1 };

const dir = mkdtempSync(join(cacheDir(), 'footfall-bench-cache-'));
try {
  const q = openCache(join(dir, 'desk.db'));
  // As DeskCore.open does: the WAL is copied into the file by a thread of its own (docs/benchmarks.md, round 41).
  // CACHE_CHECKPOINT_THREAD=0: without it, as before round 41 (for a side-by-side run).
  if (num('CACHE_CHECKPOINT_THREAD', 1)) startCacheCheckpoints(q, join(dir, 'desk.db'), (line) => console.error(line));
  const rng = new Prng(7);
  const now = Date.now();
  const members: Member[] = [];
  const t0 = performance.now();
  for (let start = 0; start < MEMBERS; start += 10_000) {
    q.tx(() => {
      for (let i = start; i < Math.min(MEMBERS, start + 10_000); i++) {
        const m = toDeskMember(benchMember(rng, `cm-${i}`, `C${String(i).padStart(7, '0')}`, 'bs-0000', now));
        members.push(m);
        q.upsertMember(m);
      }
    });
    await new Promise((resolve) => setImmediate(resolve)); // the event loop turns between batches, as a desk's does
  }
  q.setPosition({ epoch: 'E', seq: 0 });
  console.log(`cache: ${MEMBERS} members written and indexed in ${fmtMs(performance.now() - t0)}`);

  // Queries a clerk types: 2 Chinese characters of a name, 1–2 chars, a pinyin prefix, a code
  // prefix, a phone's last 4 digits, a full name.
  const queries: string[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const m = members[rng.int(0, members.length - 1)]!;
    const kind = i % 6;
    queries.push(
      kind === 0 ? [...m.name].slice(-2).join('') :
      kind === 1 ? [...m.name][0]! :
      kind === 2 ? m.nameEn.split(' ')[1]!.slice(0, 3).toLowerCase() :
      kind === 3 ? m.code.slice(0, 6) :
      kind === 4 ? m.phoneLast4 :
      m.name,
    );
  }
  for (const query of queries.slice(0, 100)) q.search.search(query, 20); // warm
  const searchMs: number[] = [];
  const KINDS = ['name tail (2 chars)', 'surname (1 char)', 'pinyin prefix', 'code prefix', 'phone last 4', 'full name'];
  const byKind: number[][] = KINDS.map(() => []);
  for (const [i, query] of queries.entries()) {
    const s = performance.now();
    q.search.search(query, 20);
    const ms = performance.now() - s;
    searchMs.push(ms);
    byKind[i % 6]!.push(ms);
  }
  const search = summarize(searchMs);
  console.log(`cache: search p50 ${fmtMs(search.p50)} p99 ${fmtMs(search.p99)} max ${fmtMs(search.max)} (n=${search.n})`);
  const kinds: Record<string, { p50: number; p99: number }> = {};
  for (const [k, samples] of byKind.entries()) {
    const s = summarize(samples);
    kinds[KINDS[k]!] = { p50: s.p50, p99: s.p99 };
    console.log(`cache:   ${KINDS[k]!.padEnd(20)} p50 ${fmtMs(s.p50)} p99 ${fmtMs(s.p99)}`);
  }

  // Arrivals of cached members.
  const arrivalMs: number[] = [];
  for (let i = 0; i < ARRIVALS; i++) {
    // Each live arrival is a task of its own on a desk's event loop, its timers run between them (the
    // checkpoint thread's passes are started from one); not timed.
    await new Promise((resolve) => setImmediate(resolve));
    const member = members[rng.int(0, members.length - 1)]!;
    const at = Date.now();
    const visit = { id: `v-${i}`, storeId: 'bs-0000', memberId: member.id, source: 'door', status: 'open', arrivedAt: at, lastSeenAt: at, arrivals: 1, claimedBy: null, claimedAt: null, closedAt: null, outcome: null, notes: [] };
    const recommendations = Array.from({ length: 6 }, (_, k) => ({
      styleId: `bst-${k}`, name: `Bench Runner ${k}`, category: 'running', price: 89900, colors: [{ code: 'BLK', name: '黑色' }],
      stockBySize: Array.from({ length: 12 }, (_, z) => ({ size: 35 + z, qty: 2 })), score: 3.5, reasons: [{ code: 'size_in_stock', size: 40, qty: 2 }],
    }));
    const bytes = Buffer.from(JSON.stringify({ t: 'ev', epoch: 'E', seq: i + 1, id: `e-${i}`, type: 'arrival', at, data: { visit, profile: { member, purchases: [], recommendations } } }));
    const s = performance.now();
    // As the desk's session does before a batch: once the WAL is due to restart, the arrival waits for a pass (timed: it is the arrival's wait).
    const wait = q.beforeBatch();
    if (wait) await wait;
    const parsed = parseEventFrame(bytes);
    if (!parsed.ok) throw new Error(parsed.error);
    const out = applyEvent(q, parsed.frame);
    if (out.kind !== 'applied') throw new Error(`not applied: ${out.kind}`);
    const profile = q.getProfile(member.id);
    q.visitsOfMember(member.id);
    arrivalMs.push(performance.now() - s);
    if (!profile) throw new Error('no profile');
  }
  const arrival = summarize(arrivalMs);
  console.log(`cache: arrival (parse + apply + commit + profile read) p50 ${fmtMs(arrival.p50)} p99 ${fmtMs(arrival.p99)} max ${fmtMs(arrival.max)} (n=${arrival.n})`);
  await q.stopCheckpoints();
  q.db.close();
  printResult('cache', {
    members: MEMBERS,
    searchP50Ms: search.p50,
    searchP99Ms: search.p99,
    searchByKind: kinds,
    arrivalP50Ms: arrival.p50,
    arrivalP99Ms: arrival.p99,
    targets: TARGET,
    pass: search.p99 <= TARGET.searchP99Ms && arrival.p99 <= TARGET.arrivalP99Ms,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
