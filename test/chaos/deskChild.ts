// A desk (DeskCore on its own cache file) as a child process for the fault harness, driven over IPC
// so the harness can SIGKILL it at any point and start it again on the same file.
//
// The applied-seq record: before the core starts, two triggers are installed in the cache file that
// log every change of the desk's position (old → new) into `chaos_position_log`. They run inside
// the very transaction that applies an event (or a snapshot), so the record can never disagree with
// the cache, whatever instant the process is killed at. The harness reads it to prove that every
// seq of HQ's log was applied exactly once (by an event, or covered by a snapshot).
import { basename } from 'node:path';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { installPositionLog } from './positionLog.ts';
import { type DeskChildOptions, type DeskRequest } from './types.ts';

// The harness may be gone (or killing us): a failed send is not an error worth a crash.
const send = (msg: unknown) => void (process.connected && process.send!(msg, () => {}));

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2]!) as DeskChildOptions;
  const hqUrls = opts.hqUrls ?? [opts.hqUrl!];
  // The desk's first address is its first draw of `random` (firstIndex); a cluster desk starts at
  // the node the harness gave it, then jitters its backoff with Math.random as usual.
  let firstDraw = opts.first !== undefined;
  const random = () => (firstDraw ? ((firstDraw = false), (opts.first! + 0.5) / hqUrls.length) : Math.random());
  // CHAOS_DEBUG=1: the desk's own log on stderr, stamped, named by its cache file.
  const name = basename(opts.dbPath, '.db');
  const log = process.env.CHAOS_DEBUG ? (line: string) => process.stderr.write(`DEBUG ${new Date().toISOString().slice(11, 23)} ${name} ${line}\n`) : undefined;
  const desk = DeskCore.open({ dbPath: opts.dbPath, hqUrls, token: opts.token, reconnect: { minMs: 50, maxMs: 500 }, silenceMs: 1500, ackEveryMs: 100, random, log });
  installPositionLog(opts.dbPath);

  process.on('message', (raw) => {
    const msg = raw as DeskRequest;
    const reply = (result: unknown) => send({ id: msg.id, result });
    const fail = (err: unknown) => send({ id: msg.id, error: String((err as Error)?.message ?? err) });
    const run = async (): Promise<unknown> => {
      switch (msg.cmd) {
        case 'start':
          desk.start();
          return null;
        case 'stop':
          await desk.close();
          return null;
        case 'conn':
          return { position: desk.position, connection: await desk.getConnection() };
        case 'state':
          return {
            position: desk.position,
            connection: await desk.getConnection(),
            outbox: desk.outbox().map((o) => ({ opId: o.opId, state: o.state, type: o.type, ...(o.type === 'chat.send' ? { clientId: String(o.data.clientId), memberId: String(o.data.memberId) } : {}) })),
            stats: desk.stats,
            visits: await desk.listVisits({ limit: 10_000 }),
          };
        case 'act':
          switch (msg.action) {
            case 'claim':
              return desk.claimVisit(msg.visitId);
            case 'release':
              return desk.releaseVisit(msg.visitId);
            case 'note':
              return desk.addNote(msg.visitId, msg.text ?? 'note');
            case 'close':
              return desk.closeVisit(msg.visitId, msg.outcome ?? 'tried');
          }
          break;
        case 'chat':
          return desk.sendMessage(msg.memberId, { kind: 'text', text: msg.text });
      }
    };
    run().then(reply, fail);
  });
  // An orphan (the harness died) must not keep a desk running.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}

void main();
