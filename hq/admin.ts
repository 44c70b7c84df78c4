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
//                                                DELETE /v1/ingest/members/:id (hq/core/memberDeletion.ts)
// Safe while HQ runs (SQLite WAL). A running HQ closes a revoked device's socket within ~1 s (it
// polls the devices table, HqOptions.revokePollMs) and sees new epochs at the next
// connect/resume of each desk; HqHandle.rotateEpoch() also resets desks that are connected.
// erase-member appends `member.deleted` to every store's log from this process: a running HQ's desks
// get it at their next resume (the HTTP route also pushes it to connected desks at once).
import { existsSync } from 'node:fs';
import { DEFAULT_DB, parseArgs, stringFlag } from './cli.ts';
import { createEnrollmentCode } from './app/devices.ts';
import { EventLog } from './app/eventLog.ts';
import { deleteMember } from './app/memberDeletion.ts';
import { openSqliteStorage } from './adapters/sqlite/sqliteStorage.ts';
import { newEpoch } from './app/tokens.ts';
import { ClerkRole, Pin } from '../shared/clerks.ts';
import { adminKey, saveClerk, setClerkEnabled } from './app/clerks/service.ts';

const USAGE = `usage: npm run hq:admin -- <enroll-code --store ID [--ttl-hours H] | stores | add-store --id ID --name NAME [--city C] | devices --store ID | revoke --device ID | rotate-epoch --store ID | add-clerk --store ID --name N --role clerk|manager --pin PIN | clerks [--store ID] | disable-clerk --clerk ID | enable-clerk --clerk ID | set-pin --clerk ID --pin PIN | admin-key | erase-member --member ID> [--db PATH]`;

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
    case 'add-clerk': {
      const role = ClerkRole.safeParse(stringFlag(flags, 'role') ?? 'clerk');
      if (!role.success) fail('--role must be clerk or manager');
      const pin = Pin.safeParse(need('pin'));
      if (!pin.success) fail('--pin must be 4 to 8 digits');
      const c = saveClerk(storage, { id: stringFlag(flags, 'id'), storeId: needStore(), name: need('name'), role: role.data, pin: pin.data });
      console.log(`clerk ${c.id}\t${c.name}\t${c.role}\tstore ${c.storeId}`);
      break;
    }
    case 'clerks':
      for (const c of storage.clerks.listClerks(flags.has('store') ? needStore() : null)) {
        console.log(`${c.id}\t${c.storeId}\t${c.name}\t${c.role}\t${c.enabled ? 'enabled' : 'disabled'}`);
      }
      break;
    case 'disable-clerk':
    case 'enable-clerk': {
      const c = setClerkEnabled(storage, need('clerk'), command === 'enable-clerk');
      if (!c) fail(`no clerk ${need('clerk')}`);
      console.log(`clerk ${c.id} (${c.name}) ${c.enabled ? 'enabled' : 'disabled'}`);
      break;
    }
    case 'set-pin': {
      const c = storage.clerks.getClerk(need('clerk')) ?? fail(`no clerk ${need('clerk')}`);
      const pin = Pin.safeParse(need('pin'));
      if (!pin.success) fail('--pin must be 4 to 8 digits');
      saveClerk(storage, { ...c, pin: pin.data });
      console.log(`clerk ${c.id} (${c.name}) has a new PIN`);
      break;
    }
    case 'admin-key':
      console.log(adminKey(storage));
      break;
    case 'erase-member': {
      // HQ's default log retention; nothing is published (no desks are connected to this process).
      const result = deleteMember(storage, new EventLog(storage, 100_000, () => {}), need('member'));
      if (!result) fail(`no member ${need('member')}`);
      console.log(`member ${result.memberId} erased: member.deleted in ${result.events.length} stores, ${result.trimmed} log entries trimmed`);
      break;
    }
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
} finally {
  storage.close();
}
