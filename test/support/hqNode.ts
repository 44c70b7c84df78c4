// One HQ node as a child process, so a test can kill -9 it like a crashed machine. Started with
// `node --import tsx test/support/hqNode.ts '<HqOptions as JSON>'`; talks over IPC:
//   → {ready: true, url, nodeId, integrationKey}
//   ← {id, cmd: 'code', storeId} → {id, result: code} | {id, error}
import { startHq, type HqOptions } from '../../hq/server.ts';

const opts = JSON.parse(process.argv[2]!) as HqOptions & { quiet?: boolean };
const hq = await startHq({ ...opts, log: opts.quiet === false ? (l) => console.log(`[${opts.nodeId}] ${l}`) : () => {} });

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
send({ ready: true, url: hq.url, nodeId: hq.nodeId, integrationKey: hq.integrationKey });
