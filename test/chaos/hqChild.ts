// HQ as a child process for the fault harness: a fixed port and SQLite file, so a SIGKILL followed
// by a restart is exactly what a crashed HQ server looks like to the desks. Controlled over IPC:
//   {id, cmd: 'code', storeId}  → a one-time enrollment code
// Run with `node --import tsx test/chaos/hqChild.ts '{"dbPath":…,"port":…}'`.
import { startHq } from '../../hq/server.ts';
import { type Style } from '../../shared/domain.ts';

const opts = JSON.parse(process.argv[2]!) as { dbPath: string; port: number; stores: string[]; members: number; heartbeatMs?: number };
const hq = await startHq({ dbPath: opts.dbPath, port: opts.port, heartbeatMs: opts.heartbeatMs ?? 500, headEveryMs: 400, log: () => {} });

// Seed once (the file survives restarts): stores, members (home store round-robin), one style.
if (!(await hq.store.read((r) => r.getStore(opts.stores[0]!)))) {
  const now = Date.now();
  await hq.store.withTx(async (s) => {
    for (const [i, id] of opts.stores.entries()) await s.upsertStore({ id, name: `Chaos store ${i + 1}`, city: 'Test' }, `epoch-${id}-1`);
    for (let i = 1; i <= opts.members; i++) {
      await s.upsertMember({
        id: `cm${i}`,
        code: `C${String(i).padStart(6, '0')}`,
        name: `会员${i}`,
        nameEn: `Member ${i}`,
        tier: 'silver',
        phone: `1390000${String(1000 + i)}`,
        homeStoreId: opts.stores[i % opts.stores.length]!,
        sizes: { eu: 40, cn: 250 },
        preferences: ['running'],
        points: i,
        joinedAt: now - 86_400_000,
        updatedAt: now,
      });
    }
    const style: Style = { id: 'cs1', name: 'Chaos Runner', category: 'running', price: 49900, colors: [{ code: 'BLK', name: 'Black' }], sizes: [40], releasedAt: now - 86_400_000 };
    await s.upsertStyle(style);
    for (const store of opts.stores) await s.setStock({ storeId: store, styleId: 'cs1', color: 'BLK', size: 40, qty: 5 });
  });
}

// The harness may be gone (or killing us): a failed send is not an error worth a crash.
const send = (msg: unknown) => void (process.connected && process.send!(msg, () => {}));

process.on('message', (raw) => {
  const msg = raw as { id: number; cmd: 'code'; storeId: string };
  if (msg.cmd === 'code') {
    hq.createEnrollmentCode(msg.storeId).then(
      (result) => send({ id: msg.id, result }),
      (err: unknown) => send({ id: msg.id, error: String(err) }),
    );
  }
});
const stop = () => void hq.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
send({ ready: true, url: hq.url, integrationKey: hq.integrationKey });
