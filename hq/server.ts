// HQ server library entry: `startHq()` opens the SQLite file, starts HTTP + the desk WebSocket on
// one port, and returns a handle for tests, the demo and hq/main.ts.
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createEnrollmentCode } from './app/devices.ts';
import { EventLog } from './app/eventLog.ts';
import { withRateLimits, type RateLimits } from './edge/http/rateLimit.ts';
import { createRequestHandler } from './edge/http/router.ts';
import { openSqliteStorage } from './adapters/sqlite/sqliteStorage.ts';
import { type HqStorage } from './ports/store.ts';
import { secretEquals } from './app/tokens.ts';
import { DeskHub } from './edge/ws/deskHub.ts';
import { handleChatHttp } from './edge/http/chatRoutes.ts';
import { MemberAuth } from './app/chat/memberAuth.ts';
import { MemberHub } from './edge/ws/memberHub.ts';
import { MEMBER_SOCKET_PATH } from './edge/ws/memberProtocol.ts';
import { ChatService } from './app/chat/service.ts';
import { ClerkWatch } from './app/clerks/watch.ts';

export type { HqStorage } from './ports/store.ts';

export interface HqOptions {
  /** SQLite file (WAL mode). */
  dbPath: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Key for /v1/ingest/*; default: read from the DB, or generated and stored there. */
  integrationKey?: string;
  /** WebSocket ping interval (default 25 s); a desk missing a pong by the next tick is dropped (4005). */
  heartbeatMs?: number;
  /** Periodic `head` frame to each desk, default 10 s. */
  headEveryMs?: number;
  /** Events kept per store for resume, default 100 000; an older resume position gets `reset`. */
  retainEvents?: number;
  /** Send backlog (ws.bufferedAmount) above which a desk is closed with 4004; default 1 MiB. */
  slowConsumerBytes?: number;
  /**
   * How long a desk's send buffer may stay over `slowConsumerBytes` before it is closed with 4004
   * (default 10 s). Until then it is fed from the log at its own pace, so a burst (a bulk member
   * import) does not drop every desk of the store.
   */
  slowConsumerMs?: number;
  /** Frames per second a desk may send, sustained, before it is closed with 4029; default 200. */
  maxFramesPerSecond?: number;
  /** Frames a desk may send at once on top of that (token bucket), e.g. an outbox flush; default 10 s worth. */
  maxFrameBurst?: number;
  log?: (line: string) => void;
  /** How often HQ checks the database for revoked devices and closes their sockets (4001); default 1 s. */
  revokePollMs?: number;
  /** How often HQ checks the database for clerk changes made by another process (`clerks.updated`); default 1 s. */
  clerkPollMs?: number;
  /** Per-IP request rates on auth and ingest routes (429 beyond); false turns them off. */
  httpRateLimits?: RateLimits | false;
  /** Folder served at GET /updates/<channel>/<file>: the desk app's update feeds (issue 8). */
  updatesDir?: string;
  /** HQ's clock for chat (message times, the 2-minute recall window); injectable for tests. */
  now?: () => number;
}

export interface HqHandle {
  /** e.g. 'http://127.0.0.1:PORT' */
  url: string;
  port: number;
  integrationKey: string;
  storage: HqStorage;
  /** Chat between members and stores (issue 3). */
  chat: ChatService;
  /** Member authentication (sessions and integration-issued tokens). */
  memberAuth: MemberAuth;
  /** One-time enrollment code for a store; default ttl 24 h. */
  createEnrollmentCode(storeId: string, ttlMs?: number): string;
  /** New epoch for the store: connected desks and later resumes get `reset`. */
  rotateEpoch(storeId: string): string;
  /** Close sockets with 1001, stop timers, close the DB. */
  close(): Promise<void>;
}

const RETENTION_PURGE_MS = 7 * 24 * 60 * 60 * 1000;

export async function startHq(opts: HqOptions): Promise<HqHandle> {
  const log = opts.log ?? ((line: string) => console.log(`[hq] ${line}`));
  const storage = openSqliteStorage(opts.dbPath);

  let integrationKey = opts.integrationKey ?? storage.getMeta('integration_key');
  if (!integrationKey) {
    integrationKey = randomBytes(24).toString('base64url');
    storage.setMeta('integration_key', integrationKey);
  }

  const hub = new DeskHub(
    storage,
    {
      heartbeatMs: opts.heartbeatMs ?? 25_000,
      headEveryMs: opts.headEveryMs ?? 10_000,
      slowConsumerBytes: opts.slowConsumerBytes ?? 1024 * 1024,
      slowConsumerMs: opts.slowConsumerMs ?? 10_000,
      maxFramesPerSecond: opts.maxFramesPerSecond ?? 200,
      maxFrameBurst: opts.maxFrameBurst ?? (opts.maxFramesPerSecond ?? 200) * 10,
    },
    log,
  );
  let memberHub: MemberHub | null = null;
  const eventLog = new EventLog(storage, opts.retainEvents ?? 100_000, (ev) => {
    hub.publish(ev);
    memberHub?.publish(ev);
  });
  hub.eventLog = eventLog;

  const now = opts.now ?? Date.now;
  const chat = new ChatService(storage, eventLog, now);
  const memberAuth = new MemberAuth(storage, now);
  const members = new MemberHub(chat, memberAuth, {
    heartbeatMs: opts.heartbeatMs ?? 25_000,
    maxFramesPerSecond: 20,
    toDesks: (storeId, frame) => hub.signalStore(storeId, frame),
    storeOnline: (storeId) => hub.connectedDevices(storeId).length > 0,
    log,
  });
  memberHub = members;
  hub.chat = {
    applyDeskCommand: (device, cmd) => chat.applyDeskCommand(device, cmd),
    onDeskAck: (storeId, seq) => chat.onDeskAck(storeId, seq),
    onDeskSignal: (from, frame) => {
      if (frame.kind === 'presence' && !frame.memberId) {
        // A desk asking who is in the chat right now (after it connects).
        for (const memberId of members.onlineMembers(from.storeId)) from.sendText(JSON.stringify({ t: 'signal', kind: 'presence', memberId, data: { online: true } }));
      } else if (frame.kind === 'typing' && frame.memberId) {
        members.deskTyping(from.storeId, frame.memberId, frame.data?.on === true, from.device.name);
      }
    },
    onDesksChanged: (storeId) => members.storeOnlineChanged(storeId),
    onOtherUpgrade: (path, req, socket, head) => {
      if (path !== MEMBER_SOCKET_PATH) return false;
      members.handleUpgrade(req, socket, head);
      return true;
    },
  };

  // Ops and ingest idempotency keys are remembered for 7 days (the protocol's promise).
  const purge = () => {
    try {
      storage.purgeOlderThan(Date.now() - RETENTION_PURGE_MS);
      storage.chat.purgeMemberSessions(Date.now());
    } catch (err) {
      log(`purge: ${(err as Error).message}`);
    }
  };
  purge();
  const purgeTimer = setInterval(purge, 60 * 60 * 1000);
  purgeTimer.unref();
  const revokeTimer = setInterval(() => {
    try {
      hub.dropRevoked();
    } catch (err) {
      log(`revocation check: ${(err as Error).message}`);
    }
  }, opts.revokePollMs ?? 1000);
  revokeTimer.unref();
  const clerkWatch = new ClerkWatch(storage, eventLog);
  const checkClerks = () => {
    try {
      clerkWatch.check();
    } catch (err) {
      log(`clerk check: ${(err as Error).message}`);
    }
  };
  const clerkTimer = setInterval(checkClerks, opts.clerkPollMs ?? 1000);
  clerkTimer.unref();

  const server = createServer(
    withRateLimits(
      createRequestHandler({ storage, eventLog, integrationKey, clerksChanged: checkClerks }, log, (req, res, path, method) =>
        handleChatHttp({ chat, auth: memberAuth, integrationKey: integrationKey! }, req, res, path, method),
        { updatesDir: opts.updatesDir },
      ),
      opts.httpRateLimits,
      (req) => typeof req.headers['x-integration-key'] === 'string' && secretEquals(req.headers['x-integration-key'], integrationKey!),
    ),
  );
  server.headersTimeout = 30_000;
  server.requestTimeout = 120_000;
  hub.attach(server);

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    integrationKey,
    storage,
    chat,
    memberAuth,
    createEnrollmentCode: (storeId, ttlMs) => createEnrollmentCode(storage, storeId, ttlMs),
    rotateEpoch: (storeId) => {
      if (!storage.getStore(storeId)) throw new Error(`unknown store ${storeId}`);
      return hub.rotateEpoch(storeId);
    },
    close: () =>
      (closing ??= (async () => {
        clearInterval(purgeTimer);
        clearInterval(revokeTimer);
        clearInterval(clerkTimer);
        await members.close();
        await hub.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        storage.close();
      })()),
  };
}
