// `npm run hq:admin -- <command> [--db .footfall/hq.db]` — administration on HQ's database file.
//   enroll-code --store <id> [--ttl-hours 24]   print a one-time enrollment code for a desk
//   stores                                       list stores with epoch and head seq
//   add-store --id <id> --name <name> [--city <city>]
//   devices --store <id>                         list the store's devices
//   revoke --device <id>                         revoke a device token (it can no longer connect)
//   rotate-epoch --store <id>                    start a new epoch: desks reload a snapshot
//   add-clerk --store <id> --name <n> --role clerk|manager --pin <1234> [--id <id>]   add or update a clerk
//   clerks [--store <id>]                        list clerks (never their PINs)
//   disable-clerk --clerk <id> | enable-clerk --clerk <id>
//   set-pin --clerk <id> --pin <1234>            give a clerk a new PIN
//   admin-key                                    print the chain admin key (X-Admin-Key, cross-store reports)
//   erase-member --member <id>                   erase a member (privacy request): the same erasure as
//                                                DELETE /v1/ingest/members/:id (hq/app/memberDeletion.ts)
//   migrate-to-pg --db PATH --pg URL [--pg-schema S]
//                                                copy an embedded HQ's SQLite file into an EMPTY PostgreSQL
//                                                (schema) so the chain moves to a cluster: one transaction,
//                                                all or nothing; tokens, positions, logs and keys carry over
//                                                (hq/adapters/postgres/copyFromSqlite.ts). Stop HQ first:
//                                                what it writes after the copy's read is not copied.
//
// Where: `--db PATH` (the embedded SQLite file, default .footfall/hq.db), or a chain's PostgreSQL
// with `--pg URL` (or FOOTFALL_PG_URL; `--pg-schema S` or FOOTFALL_PG_SCHEMA to pick a schema). With `--nats URL` (or
// FOOTFALL_NATS_URL; `--nats-prefix P` or FOOTFALL_NATS_PREFIX when the nodes use one) the CLI publishes like a node: the
// events it appends (erase-member's `member.deleted`, the clerk commands' `clerks.updated`) ring the
// nodes' doorbells, a revocation closes the device's socket and a new epoch resets the desks at
// once. Without a bus (the embedded HQ), the running node's periodic sweep picks the same changes
// up from the database within a few seconds (HqOptions.sweepMs).
import { existsSync } from 'node:fs';
import { DEFAULT_DB, parseArgs, stringFlag } from './cli.ts';
import { createEnrollmentCode } from './app/devices.ts';
import { EventLog } from './app/eventLog.ts';
import { deleteMember } from './app/memberDeletion.ts';
import { openStoreFor } from './server.ts';
import { CopyRefused, copySqliteFileToPg } from './adapters/postgres/copyFromSqlite.ts';
import { type PgStore } from './adapters/postgres/pgStore.ts';
import { connectNats, createNatsBus } from './adapters/nats/natsBus.ts';
import { type Bus } from './ports/bus.ts';
import { type HqStore, type StoredEvent } from './ports/store.ts';
import { newEpoch } from './app/tokens.ts';
import { ClerkRole, Pin } from '../shared/clerks.ts';
import { adminKey, saveClerk, setClerkEnabled } from './app/clerks/service.ts';

const USAGE = `usage: npm run hq:admin -- <enroll-code --store ID [--ttl-hours H] | stores | add-store --id ID --name NAME [--city C] | devices --store ID | revoke --device ID | rotate-epoch --store ID | add-clerk --store ID --name N --role clerk|manager --pin PIN | clerks [--store ID] | disable-clerk --clerk ID | enable-clerk --clerk ID | set-pin --clerk ID --pin PIN | admin-key | erase-member --member ID | migrate-to-pg --db PATH --pg URL [--pg-schema S]> [--db PATH | --pg URL [--pg-schema S]] [--nats URL [--nats-prefix P]]`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { positional, flags } = parseArgs(process.argv.slice(2));
const command = positional[0];
if (!command) fail(USAGE);
const dbPath = stringFlag(flags, 'db') ?? DEFAULT_DB;

const pgUrl = stringFlag(flags, 'pg') ?? process.env.FOOTFALL_PG_URL;
const natsUrl = stringFlag(flags, 'nats') ?? process.env.FOOTFALL_NATS_URL;
const origin = `hq-admin-${process.pid}`;

/** The one place the CLI opens HQ's store. */
async function openStore(): Promise<HqStore> {
  // migrate-to-pg reads the SQLite file itself, read-only; the store opened here is its target.
  if (command === 'migrate-to-pg') {
    if (!pgUrl) fail(`migrate-to-pg copies into PostgreSQL: pass --pg URL (or set FOOTFALL_PG_URL)\n${USAGE}`);
    if (!existsSync(dbPath)) fail(`no HQ database at ${dbPath} (pass --db)`);
  }
  // Named in pg_stat_activity as the CLI (footfall-hq/admin), beside the nodes.
  if (pgUrl) return openStoreFor({ pgUrl, pgSchema: stringFlag(flags, 'pg-schema') ?? process.env.FOOTFALL_PG_SCHEMA, nodeId: 'admin', log: (l) => console.error(l) });
  if (!existsSync(dbPath) && command !== 'add-store') fail(`no HQ database at ${dbPath} (start HQ once, or pass --db)`);
  return openStoreFor({ dbPath });
}

/** The cluster's bus, when there is one: the CLI then tells the nodes what it changed. */
async function openBus(): Promise<{ bus: Bus; close(): Promise<void> } | null> {
  if (!natsUrl) return null;
  const link = await connectNats(natsUrl, { name: origin, log: (l) => console.error(l) });
  const bus = createNatsBus(link, { prefix: stringFlag(flags, 'nats-prefix') ?? process.env.FOOTFALL_NATS_PREFIX, log: (l) => console.error(l) });
  if (!bus.status().up) console.error('warning: NATS is not reachable; running nodes will see this change at their next sweep');
  return {
    bus,
    close: async () => {
      await bus.close();
      await link.close();
    },
  };
}

const store = await openStore();
const bus = await openBus();

/** The events this process committed ring the nodes' doorbells, like a node's commits do. */
function published(events: StoredEvent[]): void {
  const heads = new Map<string, StoredEvent>();
  for (const ev of events) heads.set(ev.storeId, ev);
  for (const ev of heads.values()) bus?.bus.publishDoorbell({ origin, storeId: ev.storeId, epoch: ev.epoch, head: ev.seq });
}

// HQ's default log retention.
const eventLog = new EventLog(store, 100_000, published);
const need = (name: string) => stringFlag(flags, name) ?? fail(`missing --${name}\n${USAGE}`);
const needStore = async () => {
  const id = need('store');
  const known = await store.read(async (r) => ((await r.getStore(id)) ? null : await r.listStores()));
  if (known) fail(`unknown store ${id}; known: ${known.map((s) => s.id).join(', ') || '(none)'}`);
  return id;
};

try {
  switch (command) {
    case 'enroll-code': {
      const storeId = await needStore();
      const hours = Number(stringFlag(flags, 'ttl-hours') ?? 24);
      if (!(hours > 0)) fail('--ttl-hours must be positive');
      console.log(await createEnrollmentCode(store, storeId, hours * 60 * 60 * 1000));
      break;
    }
    case 'stores':
      for (const s of await store.read((r) => r.listStores())) console.log(`${s.id}\t${s.name}\t${s.city}\tepoch ${s.epoch}\thead ${s.head}`);
      break;
    case 'add-store': {
      const id = need('id');
      const name = need('name');
      await store.withTx((tx) => tx.upsertStore({ id, name, city: stringFlag(flags, 'city') ?? '' }, newEpoch()));
      console.log(`store ${id} saved`);
      break;
    }
    case 'devices': {
      const storeId = await needStore();
      for (const d of await store.read((r) => r.listDevices(storeId))) {
        const state = d.revokedAt ? `revoked ${new Date(d.revokedAt).toISOString()}` : 'active';
        console.log(`${d.id}\t${d.name}\tenrolled ${new Date(d.createdAt).toISOString()}\tacked ${d.ackedSeq}\t${state}`);
      }
      break;
    }
    case 'revoke': {
      const id = need('device');
      const device = await store.withTx(async (tx) => ((await tx.revokeDevice(id, Date.now())) ? tx.getDevice(id) : null));
      if (!device) fail(`no active device ${id}`);
      bus?.bus.publishControl({ origin, kind: 'device.revoked', deviceId: id, storeId: device.storeId });
      console.log(`device ${id} revoked`);
      break;
    }
    case 'rotate-epoch': {
      const storeId = await needStore();
      const epoch = newEpoch();
      const rotated = await store.withTx(async (tx) => {
        await tx.rotateEpoch(storeId, epoch);
        return tx.getStore(storeId);
      });
      if (rotated) bus?.bus.publishControl({ origin, kind: 'epoch.rotated', storeId, epoch: rotated.epoch, head: rotated.head });
      console.log(`store ${storeId} is now at epoch ${epoch}`);
      break;
    }
    case 'add-clerk': {
      const role = ClerkRole.safeParse(stringFlag(flags, 'role') ?? 'clerk');
      if (!role.success) fail('--role must be clerk or manager');
      const pin = Pin.safeParse(need('pin'));
      if (!pin.success) fail('--pin must be 4 to 8 digits');
      const storeId = await needStore();
      const c = await saveClerk(eventLog, { id: stringFlag(flags, 'id'), storeId, name: need('name'), role: role.data, pin: pin.data }, Date.now());
      console.log(`clerk ${c.id}\t${c.name}\t${c.role}\tstore ${c.storeId}`);
      break;
    }
    case 'clerks': {
      const storeId = flags.has('store') ? await needStore() : null;
      for (const c of await store.read((r) => r.clerks.listClerks(storeId))) {
        console.log(`${c.id}\t${c.storeId}\t${c.name}\t${c.role}\t${c.enabled ? 'enabled' : 'disabled'}`);
      }
      break;
    }
    case 'disable-clerk':
    case 'enable-clerk': {
      const c = await setClerkEnabled(eventLog, need('clerk'), command === 'enable-clerk', Date.now());
      if (!c) fail(`no clerk ${need('clerk')}`);
      console.log(`clerk ${c.id} (${c.name}) ${c.enabled ? 'enabled' : 'disabled'}`);
      break;
    }
    case 'set-pin': {
      const id = need('clerk');
      const c = (await store.read((r) => r.clerks.getClerk(id))) ?? fail(`no clerk ${id}`);
      const pin = Pin.safeParse(need('pin'));
      if (!pin.success) fail('--pin must be 4 to 8 digits');
      await saveClerk(eventLog, { ...c, pin: pin.data }, Date.now());
      console.log(`clerk ${c.id} (${c.name}) has a new PIN`);
      break;
    }
    case 'admin-key':
      console.log(await adminKey(store));
      break;
    case 'erase-member': {
      const result = await deleteMember(eventLog, need('member'));
      if (!result) fail(`no member ${need('member')}`);
      console.log(`member ${result.memberId} erased: member.deleted in ${result.events.length} stores, ${result.trimmed} log entries trimmed`);
      break;
    }
    case 'migrate-to-pg': {
      const schema = stringFlag(flags, 'pg-schema') ?? process.env.FOOTFALL_PG_SCHEMA;
      try {
        const report = await copySqliteFileToPg(dbPath, store as PgStore, { log: (l) => console.error(l) });
        for (const t of report.tables) console.log(`${t.table}\t${t.rows}`);
        console.log(`copied ${report.total} rows (schema v${report.version}) from ${dbPath} into PostgreSQL${schema ? ` schema ${schema}` : ''}`);
        console.log(`start the nodes with --pg URL${schema ? ` --pg-schema ${schema}` : ''}: desks keep their tokens and positions`);
      } catch (err) {
        if (err instanceof CopyRefused) fail(`migrate-to-pg refused: ${err.message}`);
        fail(`migrate-to-pg failed, nothing was copied (one transaction): ${(err as Error).message}`);
      }
      break;
    }
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
} finally {
  await bus?.close();
  await store.close();
}
