// `npm run hq -- [--port 8080] [--host 127.0.0.1] [--db .footfall/hq.db] [--demo] [--updates-dir ./dist]`
//               `[--pg URL [--pg-schema S] [--pg-pool N]] [--nats URL[,URL…] [--nats-prefix P]] [--node-id NAME] [--trusted-proxies IP,…]`
//               `[--picture-fetch-private]`
// Starts one HQ node. Alone it keeps its data in an embedded SQLite file; with --pg (or
// FOOTFALL_PG_URL) on a chain's PostgreSQL, and with --nats (or FOOTFALL_NATS_URL) it is one of
// several nodes that tell each other about changes over NATS (docs/architecture.md). With --demo
// it seeds the demo chain, runs the arrival simulator and prints one enrollment code per store so a
// desk can be enrolled at once.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_DB, parseArgs, stringFlag } from './cli.ts';
import { seedDemo } from './demo/seed.ts';
import { startSimulator } from './demo/simulator.ts';
import { demoMemberLogin } from './demo/chatSimulator.ts';
import { demoClerks } from './demo/clerks.ts';
import { adminKey } from './app/clerks/service.ts';
import { startHq } from './server.ts';
import { DEFAULT_POOL_SIZE, isPoolSize, MAX_POOL_SIZE } from './adapters/postgres/pgStore.ts';

const { flags } = parseArgs(process.argv.slice(2));
const dbPath = stringFlag(flags, 'db') ?? DEFAULT_DB;
const port = Number(stringFlag(flags, 'port') ?? 8080);
const host = stringFlag(flags, 'host') ?? '127.0.0.1';
const demo = flags.has('demo');
const pgUrl = stringFlag(flags, 'pg') ?? process.env.FOOTFALL_PG_URL;
const pgSchema = stringFlag(flags, 'pg-schema') ?? process.env.FOOTFALL_PG_SCHEMA;
// Connections this node may hold: the chain's nodes share PostgreSQL's max_connections (README).
const pgPool = stringFlag(flags, 'pg-pool') ?? process.env.FOOTFALL_PG_POOL;
const natsUrl = stringFlag(flags, 'nats') ?? process.env.FOOTFALL_NATS_URL;
const natsPrefix = stringFlag(flags, 'nats-prefix') ?? process.env.FOOTFALL_NATS_PREFIX;
const nodeId = stringFlag(flags, 'node-id') ?? process.env.FOOTFALL_NODE_ID;
// The load balancer(s) in front of the nodes, e.g. --trusted-proxies 127.0.0.1 (their X-Forwarded-For names the client).
const trustedProxies = (stringFlag(flags, 'trusted-proxies') ?? process.env.FOOTFALL_TRUSTED_PROXIES ?? '').split(',').map((a) => a.trim()).filter(Boolean);
// Catalog pictures by URL come from the internet by default; a chain whose picture server is on its
// own network allows private and loopback addresses explicitly (hq/app/pictures/fetchPicture.ts).
const pictureFetchPrivate = flags.get('picture-fetch-private') === true || process.env.FOOTFALL_PICTURE_FETCH_PRIVATE === '1';
// Desk-app update feeds: <dir>/<channel>/latest.yml + installers, served at /updates/<channel>/.
const updatesDir = stringFlag(flags, 'updates-dir');
// Where phones reach the member page (group join links and their QR), e.g. https://hq.example.com; default: the Host a request came by.
const publicOrigin = stringFlag(flags, 'public-origin') ?? process.env.FOOTFALL_PUBLIC_ORIGIN;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`bad --port ${stringFlag(flags, 'port')}`);
  process.exit(2);
}
const pgPoolSize = pgPool === undefined ? undefined : Number(pgPool);
if (pgPoolSize !== undefined && !isPoolSize(pgPoolSize)) {
  console.error(`bad --pg-pool ${pgPool}: connections per node, a whole number from 1 to ${MAX_POOL_SIZE}`);
  process.exit(2);
}

if (!pgUrl) mkdirSync(dirname(dbPath), { recursive: true });
if (natsUrl && !pgUrl) console.warn('warning: --nats without --pg: the nodes of a cluster must share one PostgreSQL; this node keeps a SQLite file of its own');
const hq = await startHq({
  ...(pgUrl ? { pgUrl, pgSchema, ...(pgPoolSize !== undefined ? { pgPoolSize } : {}) } : { dbPath }),
  ...(natsUrl ? { natsUrl, natsPrefix } : {}),
  ...(nodeId ? { nodeId } : {}),
  trustedProxies,
  ...(pictureFetchPrivate ? { pictureFetch: { allowPrivate: true } } : {}),
  port,
  host,
  ...(updatesDir ? { updatesDir: resolve(updatesDir) } : {}),
  ...(publicOrigin ? { publicOrigin } : {}),
});
if (updatesDir) console.log(`Serving desk updates from ${resolve(updatesDir)} at ${hq.url}/updates/<channel>/`);
const where = pgUrl ? `PostgreSQL ${redact(pgUrl)}${pgSchema ? ` schema ${pgSchema}` : ''}, ≤ ${pgPoolSize ?? DEFAULT_POOL_SIZE} connections` : `db ${dbPath}`;
console.log(`Footfall HQ node ${hq.nodeId} listening on ${hq.url}  (${where}; bus: ${natsUrl ? `NATS ${natsUrl}` : 'in-memory, one node'})`);
console.log(`Integration key (X-Integration-Key): ${hq.integrationKey}`);
console.log(`Chain admin key for cross-store reports (X-Admin-Key): ${await adminKey(hq.store)}`);

let simulator: { stop(): void } | null = null;
if (demo) {
  const seeded = await seedDemo(hq);
  console.log(seeded.seeded ? `Seeded demo chain: ${seeded.members} members, ${seeded.styles} styles` : 'Demo chain already seeded');
  const stores = await hq.store.read((r) => r.listStores());
  for (const store of stores) {
    console.log(`Enrollment code for ${store.id} (${store.name}): ${await hq.createEnrollmentCode(store.id)}`);
  }
  console.log('Demo clerks (sign in at the desk with the PIN):');
  for (const c of demoClerks(seeded.stores)) console.log(`  ${c.storeId}\t${c.role === 'manager' ? 'manager' : 'clerk  '}\t${c.name}\tPIN ${c.pin}`);
  for (const store of stores) {
    const login = await demoMemberLogin(hq, store.id);
    if (login) console.log(`Member chat page for ${store.id}: ${login.url}  (card ${login.code}, phone last 4 ${login.phoneLast4})`);
  }
  simulator = await startSimulator(hq, { log: (l) => console.log(`[hq] ${l}`) });
  console.log('Simulated arrivals every ~4 s');
}

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  simulator?.stop();
  await hq.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

/** A connection URL without its password, for the log. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}
