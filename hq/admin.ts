// `npm run hq:admin -- <command> [--db .footfall/hq.db]` — administration on HQ's database file.
//   enroll-code --store <id> [--ttl-hours 24]   print a one-time enrollment code for a desk
//   stores                                       list stores with epoch and head seq
//   add-store --id <id> --name <name> [--city <city>]
//   devices --store <id>                         list the store's devices
//   revoke --device <id>                         revoke a device token (it can no longer connect)
//   rotate-epoch --store <id>                    start a new epoch: desks reload a snapshot
// Safe while HQ runs (SQLite WAL). A running HQ sees revocations and new epochs at the next
// connect/resume of each desk; HqHandle.rotateEpoch() also resets desks that are connected.
import { existsSync } from 'node:fs';
import { DEFAULT_DB, parseArgs, stringFlag } from './cli.ts';
import { createEnrollmentCode } from './core/devices.ts';
import { openSqliteStorage } from './storage/sqlite/sqliteStorage.ts';
import { newEpoch } from './tokens.ts';

const USAGE = `usage: npm run hq:admin -- <enroll-code --store ID [--ttl-hours H] | stores | add-store --id ID --name NAME [--city C] | devices --store ID | revoke --device ID | rotate-epoch --store ID> [--db PATH]`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const { positional, flags } = parseArgs(process.argv.slice(2));
const command = positional[0];
if (!command) fail(USAGE);
const dbPath = stringFlag(flags, 'db') ?? DEFAULT_DB;
if (!existsSync(dbPath) && command !== 'add-store') fail(`no HQ database at ${dbPath} (start HQ once, or pass --db)`);
const storage = openSqliteStorage(dbPath);
const need = (name: string) => stringFlag(flags, name) ?? fail(`missing --${name}\n${USAGE}`);
const needStore = () => {
  const id = need('store');
  if (!storage.getStore(id)) fail(`unknown store ${id}; known: ${storage.listStores().map((s) => s.id).join(', ') || '(none)'}`);
  return id;
};

try {
  switch (command) {
    case 'enroll-code': {
      const storeId = needStore();
      const hours = Number(stringFlag(flags, 'ttl-hours') ?? 24);
      if (!(hours > 0)) fail('--ttl-hours must be positive');
      console.log(createEnrollmentCode(storage, storeId, hours * 60 * 60 * 1000));
      break;
    }
    case 'stores':
      for (const s of storage.listStores()) console.log(`${s.id}\t${s.name}\t${s.city}\tepoch ${s.epoch}\thead ${s.head}`);
      break;
    case 'add-store':
      storage.upsertStore({ id: need('id'), name: need('name'), city: stringFlag(flags, 'city') ?? '' }, newEpoch());
      console.log(`store ${need('id')} saved`);
      break;
    case 'devices':
      for (const d of storage.listDevices(needStore())) {
        const state = d.revokedAt ? `revoked ${new Date(d.revokedAt).toISOString()}` : 'active';
        console.log(`${d.id}\t${d.name}\tenrolled ${new Date(d.createdAt).toISOString()}\tacked ${d.ackedSeq}\t${state}`);
      }
      break;
    case 'revoke':
      if (!storage.revokeDevice(need('device'), Date.now())) fail(`no active device ${need('device')}`);
      console.log(`device ${need('device')} revoked`);
      break;
    case 'rotate-epoch': {
      const storeId = needStore();
      const epoch = newEpoch();
      storage.rotateEpoch(storeId, epoch);
      console.log(`store ${storeId} is now at epoch ${epoch}`);
      break;
    }
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
} finally {
  storage.close();
}
