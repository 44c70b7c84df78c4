// HQ's composition root: `startHq()` picks the adapters (SQLite + in-memory bus for one embedded
// node; PostgreSQL + NATS for a chain's cluster), wires the use cases to them, and starts HTTP + the
// desk and member WebSockets on one port. Every node of a cluster runs this same code; nothing one
// node keeps in memory is needed by another (see docs/architecture.md).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createEnrollmentCode } from './app/devices.ts';
import { ArrivalGroups } from './app/arrivalBatches.ts';
import { EventLog } from './app/eventLog.ts';
import { sweepUnserved } from './app/unserved.ts';
import { createRetentionPurge } from './app/retention.ts';
import { sweepBirthdays } from './app/tasks/system.ts';
import { expireStaleRequests, remindExpiringHolds, sweepExpiredHolds } from './app/holds/expiry.ts'; // 4/8 part C
import { sweepLapsedExpectations } from './app/expected/expectations.ts'; // 5/8 expected visits
import { invalidateCatalog, warmCatalogs } from './app/catalogCache.ts';
import { withRateLimits, type RateLimits } from './edge/http/rateLimit.ts';
import { createRequestHandler } from './edge/http/router.ts';
import { refuseOversizedBody } from './edge/http/respond.ts';
import { openSqliteStore } from './adapters/sqlite/sqliteStore.ts';
import { openPgStore } from './adapters/postgres/pgStore.ts';
import { createMemoryBus } from './adapters/memory/memoryBus.ts';
import { createMemoryPresence } from './adapters/memory/memoryPresence.ts';
import { connectNats, createNatsBus, createNatsPresence } from './adapters/nats/natsBus.ts';
import { type Bus } from './ports/bus.ts';
import { type Presence } from './ports/presence.ts';
import { type HqStore } from './ports/store.ts';
import { secretEquals } from './app/tokens.ts';
import { DeskHub } from './edge/ws/deskHub.ts';
import { StoreFeeds } from './edge/storeFeeds.ts';
import { handleChatHttp } from './edge/http/chatRoutes.ts';
import { handleGroupHttp, isGroupRoute } from './edge/http/groupRoutes.ts';
import { GroupMemberService } from './app/groups/memberSide.ts';
import { handleLiveHttp, isLiveRoute } from './edge/http/liveRoutes.ts';
import { handlePictureHttp } from './edge/http/pictureRoutes.ts';
import { type PictureFetchOptions } from './app/pictures/fetchPicture.ts';
import { MemberAuth } from './app/chat/memberAuth.ts';
import { MemberHub } from './edge/ws/memberHub.ts';
import { MEMBER_SOCKET_PATH } from './edge/ws/memberProtocol.ts';
import { ChatService } from './app/chat/service.ts';
import { ensureMemberSearchKeys } from './app/memberLookup.ts';
import { desksChannel } from './edge/ws/deskHub.ts';
import { HELLO_TIMEOUT_MS } from '../shared/protocol.ts';
import { LiveError, LiveService, participantRef } from './app/live/service.ts';
import { LIVE_SOCKET_PATH, LiveHub } from './edge/ws/liveHub.ts';
import { deviceForToken } from './app/devices.ts';

export type { HqStore } from './ports/store.ts';

export interface HqOptions {
  /** SQLite file (WAL mode): the embedded default, one node. Ignored when `pgUrl` is set. */
  dbPath?: string;
  /** PostgreSQL URL (`--pg`, FOOTFALL_PG_URL): a chain's HQ, any number of nodes. */
  pgUrl?: string;
  /** PostgreSQL schema to use (tests give each HQ its own); default the URL's search_path. */
  pgSchema?: string;
  /** Connections this node keeps to PostgreSQL at most (`--pg-pool`, FOOTFALL_PG_POOL; default 10). */
  pgPoolSize?: number;
  /** NATS server(s) (`--nats`, FOOTFALL_NATS_URL): the doorbell between nodes. Without it, an in-memory bus (one node). */
  natsUrl?: string | string[];
  /** Subject prefix on NATS (tests give each cluster its own); default 'footfall'. */
  natsPrefix?: string;
  /** This node's name in logs and on the bus; default host name + random suffix. */
  nodeId?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Key for /v1/ingest/*; default: read from the DB, or generated and stored there. */
  integrationKey?: string;
  /** WebSocket ping interval (default 25 s); a desk missing a pong by the next tick is dropped (4005). */
  heartbeatMs?: number;
  /** How long a new desk or member socket may take to send `hello` before it is closed (4003); default HELLO_TIMEOUT_MS (10 s). */
  helloTimeoutMs?: number;
  /** Periodic `head` frame to each desk, default 10 s. */
  headEveryMs?: number;
  /** Events kept per store for resume, default 100 000; an older resume position gets `reset`. */
  retainEvents?: number;
  /** 7/8 assistant: false turns the member-side assistant off for every store (default on; each store also has StoreSettings.assistant). */
  assistant?: boolean;
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
  /**
   * How often the node reads the heads of the stores it serves (one query) and catches up any it
   * missed a doorbell for; also picks up revocations made without the bus. Default 3 s.
   */
  sweepMs?: number;
  /** How long presence entries live without a refresh (a dead node's desks drop out after it); default 30 s. */
  presenceTtlMs?: number;
  /** How often the desks' newest acks are written to `devices.acked_seq` (spread over it, and all at close); default 60 s. */
  ackWriteMs?: number;
  /** Per-IP request rates on auth and ingest routes (429 beyond); false turns them off. Per node. */
  httpRateLimits?: RateLimits | false;
  /** Load balancers in front of the node (their X-Forwarded-For names the client); FOOTFALL_TRUSTED_PROXIES. */
  trustedProxies?: string[];
  /** Folder served at GET /updates/<channel>/<file>: the desk app's update feeds. */
  updatesDir?: string;
  /** HQ's clock for chat (message times, the 2-minute recall window) and the unserved sweep; injectable for tests. */
  now?: () => number;
  /** How often visits nobody claimed in time are closed as left unserved (store settings); default 60 s, 0 = never (tests call sweepUnserved). */
  unservedSweepMs?: number;
  /** How often the birthday-week tasks are made (idempotent: one task per member and year); default hourly, 0 = never (tests call sweepBirthdays). */
  birthdaySweepMs?: number;
  /**
   * Load every store's catalog once at start, a store at a time, and again after each catalog
   * change (hq/app/catalogCache.ts), so that no store's first arrival reads it; default true.
   */
  warmCatalogs?: boolean;
  /** How HQ fetches catalog pictures by URL (4/8 part E): private addresses refused unless allowed; timeout. */
  pictureFetch?: PictureFetchOptions;
  /** The member page's public origin for group join links and their QR (e.g. https://hq.example.com); default: the request's Host (FOOTFALL_PUBLIC_ORIGIN). */
  publicOrigin?: string;
}

export interface HqHandle {
  /** e.g. 'http://127.0.0.1:PORT' */
  url: string;
  port: number;
  nodeId: string;
  integrationKey: string;
  store: HqStore;
  eventLog: EventLog;
  /** Single arrivals' group commit, with what it has done (`stats`). */
  arrivals: ArrivalGroups;
  bus: Bus;
  /** Chat between members and stores. */
  chat: ChatService;
  /** Member authentication (sessions and integration-issued tokens). */
  memberAuth: MemberAuth;
  /** The member side of groups (5/8). */
  groups: GroupMemberService;
  /** Live rooms' durable side (6/8): what the room socket and the live routes use. */
  live: LiveService;
  /** This node's sockets of a live room (tests, benchmarks). */
  liveSocketsHere(roomId: string): number;
  /** Members of the store with a live member socket (the chat page, the mini-program) on any node. */
  onlineMembers(storeId: string): Promise<string[]>;
  /** One-time enrollment code for a store; default ttl 24 h. */
  createEnrollmentCode(storeId: string, ttlMs?: number): Promise<string>;
  /** New epoch for the store: connected desks (on every node) and later resumes get `reset`. */
  rotateEpoch(storeId: string): Promise<string>;
  /** Closes visits left unserved as of `at` (default now) at once; answers how many. It also runs every `unservedSweepMs`. */
  sweepUnserved(at?: number): Promise<number>;
  /** Makes the birthday-week follow-up tasks as of `at` (default now); answers how many were new. Also runs every `birthdaySweepMs`. */
  sweepBirthdays(at?: number): Promise<number>;
  /** Releases holds past their date as of `at` (default now); answers how many. It also runs every `unservedSweepMs` (4/8 part C). */
  sweepExpiredHolds(at?: number): Promise<number>;
  /** Makes the "hold expiring" follow-up tasks as of `at` (default now); answers how many were new. Also runs with the expiry sweep. */
  remindExpiringHolds(at?: number): Promise<number>;
  /** Lets cross-store hold requests nobody answered within a day lapse, as of `at`; answers how many. Also runs with the expiry sweep. */
  expireStaleRequests(at?: number): Promise<number>;
  /** Lets expected visits past their day lapse, as of `at` (default now); answers how many. Also runs with the hold expiry sweep (5/8). */
  sweepLapsedExpectations(at?: number): Promise<number>;
  /** Closes this node's sockets with 1001, stops timers, closes the store and the bus. */
  close(): Promise<void>;
}

export { RETENTION_PURGE_MS } from './app/retention.ts';

/**
 * HQ's defaults for the options above. docs/protocol.md states them to client writers, and
 * test/unit/protocol-doc.test.ts holds the page to these values.
 */
export const HQ_DEFAULTS = {
  heartbeatMs: 25_000,
  headEveryMs: 10_000,
  helloTimeoutMs: HELLO_TIMEOUT_MS,
  retainEvents: 100_000,
  slowConsumerBytes: 1024 * 1024,
  slowConsumerMs: 10_000,
  maxFramesPerSecond: 200,
  /** The desk's frame burst, in seconds of the sustained rate. */
  frameBurstSeconds: 10,
  /** Frames per second a member socket may send (no burst): closed with 4029 above it. */
  memberFramesPerSecond: 20,
  sweepMs: 3000,
  presenceTtlMs: 30_000,
  /** How often the desks' newest acks are written to `devices.acked_seq` (deskHub.ts `pendingAcks`). */
  ackWriteMs: 60_000,
  /** How often each node closes the visits nobody claimed in time as left unserved. */
  unservedSweepMs: 60_000,
  /**
   * How long an idle keep-alive HTTP connection stays open: longer than what sits in front of HQ
   * keeps one (nginx's upstream keepalive_timeout defaults to 60 s). Node's own 5 s is shorter than
   * every such client's, so one of them sends a request on a connection just as HQ closes it, and
   * the request dies with a reset — a POST nginx answers 502 and does not retry, an arrival the
   * benches' generator counted as failed. The side that closes idle connections must be the client.
   */
  keepAliveMs: 65_000,
} as const;

export async function openStoreFor(opts: Pick<HqOptions, 'dbPath' | 'pgUrl' | 'pgSchema' | 'pgPoolSize' | 'nodeId' | 'log'>): Promise<HqStore> {
  if (opts.pgUrl) return openPgStore(opts.pgUrl, { schema: opts.pgSchema, poolSize: opts.pgPoolSize, nodeId: opts.nodeId, log: opts.log });
  if (!opts.dbPath) throw new Error('HQ needs a SQLite file (dbPath) or a PostgreSQL URL (pgUrl)');
  return openSqliteStore(opts.dbPath, { log: opts.log });
}

export async function startHq(opts: HqOptions): Promise<HqHandle> {
  const log = opts.log ?? ((line: string) => console.log(`[hq] ${line}`));
  const nodeId = opts.nodeId ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  const store = await openStoreFor({ ...opts, nodeId, log });

  let bus: Bus;
  let presence: Presence;
  let closeNats = async () => undefined as void;
  if (opts.natsUrl) {
    const nc = await connectNats(opts.natsUrl, { name: nodeId, log });
    bus = createNatsBus(nc, { prefix: opts.natsPrefix, log });
    presence = createNatsPresence(nc, { prefix: opts.natsPrefix, ttlMs: opts.presenceTtlMs ?? HQ_DEFAULTS.presenceTtlMs, log });
    closeNats = () => nc.close();
  } else {
    bus = createMemoryBus();
    presence = createMemoryPresence();
  }
  bus.onStatus((s) => log(s.up ? `bus up: ${s.detail}` : `bus DOWN (${s.detail}): serving from the store by polling every ${opts.sweepMs ?? HQ_DEFAULTS.sweepMs} ms`));

  let integrationKey = opts.integrationKey ?? (await store.read((r) => r.getMeta('integration_key')));
  if (!integrationKey) {
    const fresh = randomBytes(24).toString('base64url');
    // Two nodes starting at once on an empty database: the first key written wins for both.
    integrationKey = await store.withTx(async (tx) => {
      const existing = await tx.getMeta('integration_key');
      if (existing) return existing;
      await tx.setMeta('integration_key', fresh);
      return fresh;
    });
  }

  // Members written before search keys existed get theirs (a no-op once done).
  await ensureMemberSearchKeys(store, log);

  const feeds = new StoreFeeds(store, bus, { nodeId, log });
  const eventLog = new EventLog(store, opts.retainEvents ?? HQ_DEFAULTS.retainEvents, (events) => feeds.committed(events));
  const arrivals = new ArrivalGroups(eventLog);
  const presenceTtlMs = opts.presenceTtlMs ?? HQ_DEFAULTS.presenceTtlMs;
  const hub = new DeskHub(
    store,
    eventLog,
    feeds,
    bus,
    presence,
    nodeId,
    {
      heartbeatMs: opts.heartbeatMs ?? HQ_DEFAULTS.heartbeatMs,
      headEveryMs: opts.headEveryMs ?? HQ_DEFAULTS.headEveryMs,
      helloTimeoutMs: opts.helloTimeoutMs ?? HQ_DEFAULTS.helloTimeoutMs,
      slowConsumerBytes: opts.slowConsumerBytes ?? HQ_DEFAULTS.slowConsumerBytes,
      slowConsumerMs: opts.slowConsumerMs ?? HQ_DEFAULTS.slowConsumerMs,
      maxFramesPerSecond: opts.maxFramesPerSecond ?? HQ_DEFAULTS.maxFramesPerSecond,
      maxFrameBurst: opts.maxFrameBurst ?? (opts.maxFramesPerSecond ?? HQ_DEFAULTS.maxFramesPerSecond) * HQ_DEFAULTS.frameBurstSeconds,
      presenceTtlMs,
      ackWriteMs: opts.ackWriteMs ?? HQ_DEFAULTS.ackWriteMs,
    },
    log,
  );

  const now = opts.now ?? Date.now;
  const chat = new ChatService(eventLog, now, { assistant: opts.assistant }); // 7/8 assistant
  const memberAuth = new MemberAuth(store, now);
  const groups = new GroupMemberService(eventLog, now);
  const live = new LiveService(eventLog, now);
  const members = new MemberHub(chat, memberAuth, groups, {
    heartbeatMs: opts.heartbeatMs ?? HQ_DEFAULTS.heartbeatMs,
    helloTimeoutMs: opts.helloTimeoutMs ?? HQ_DEFAULTS.helloTimeoutMs,
    maxFramesPerSecond: HQ_DEFAULTS.memberFramesPerSecond,
    toDesks: (storeId, frame) => hub.signalStore(storeId, frame),
    storeOnline: async (storeId) => (await presence.list(desksChannel(storeId))).length > 0,
    feeds,
    bus,
    presence,
    nodeId,
    presenceTtlMs,
    log,
  });
  // Live rooms (6/8): the room socket, its comments and reactions across nodes on the bus.
  const liveHub = new LiveHub(live, {
    heartbeatMs: opts.heartbeatMs ?? HQ_DEFAULTS.heartbeatMs,
    helloTimeoutMs: opts.helloTimeoutMs ?? HQ_DEFAULTS.helloTimeoutMs,
    feeds,
    bus,
    presence,
    nodeId,
    presenceTtlMs,
    memberSession: async (token) => memberAuth.session(token),
    deviceStore: async (token) => (await deviceForToken(store, token))?.storeId ?? null,
    refusal: (err) => (err instanceof LiveError ? { code: err.code, message: err.message } : null),
    memberRef: async (roomId, memberId) => {
      const salt = await store.read((r) => r.live.roomSalt(roomId));
      return salt === null ? null : participantRef(roomId, memberId, salt);
    },
    now,
    log,
  });
  hub.chat = {
    applyDeskCommand: (device, cmd) => chat.applyDeskCommand(device, cmd),
    onDeskAck: (storeId, seq) => chat.onDeskAck(storeId, seq),
    noteEvents: (storeId, events) => chat.noteEvents(storeId, events),
    onDeskSignal: (from, frame) => {
      if (frame.kind === 'presence' && !frame.memberId) {
        // A desk asking who is in the chat right now (after it connects), on any node.
        members.onlineMembers(from.storeId).then(
          (online) => {
            for (const memberId of online) from.sendText(JSON.stringify({ t: 'signal', kind: 'presence', memberId, data: { online: true } }));
          },
          (err: unknown) => log(`presence: ${(err as Error).message}`),
        );
      } else if (frame.kind === 'typing' && frame.memberId) {
        members.deskTyping(from.storeId, frame.memberId, frame.data?.on === true, from.device.name);
      }
    },
    onDesksChanged: (storeId) => members.storeOnlineChanged(storeId),
    onOtherUpgrade: (path, req, socket, head) => {
      if (path === LIVE_SOCKET_PATH) {
        liveHub.handleUpgrade(req, socket, head);
        return true;
      }
      if (path !== MEMBER_SOCKET_PATH) return false;
      members.handleUpgrade(req, socket, head);
      return true;
    },
  };

  // Catalog changes: this node dropped its cache in the use case; the others hear it here.
  const stopCatalog = bus.onControl((c) => {
    if (c.origin !== nodeId && c.kind === 'catalog.changed') invalidateCatalog(store);
  });
  const catalogChanged = () => bus.publishControl({ origin: nodeId, kind: 'catalog.changed' });
  const warming = opts.warmCatalogs === false ? null : warmCatalogs(store, log);

  // What the protocol promises to remember for 7 days, dropped at start and hourly, paced
  // (app/retention.ts); not awaited: a backlog of a week-old peak takes minutes, and HQ serves meanwhile.
  const purge = createRetentionPurge(store, { now: Date.now, log });
  void purge.run();
  const purgeTimer = setInterval(() => void purge.run(), 60 * 60 * 1000);
  purgeTimer.unref();

  // The sweep: the repair for lost doorbells and control messages, and the whole delivery path
  // while the bus is down. One query for the heads of the served stores, one for new revocations.
  let revokedCheckedAt = Date.now();
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      await feeds.sweep();
      const since = revokedCheckedAt - 60_000; // overlap: clocks of nodes differ a little
      revokedCheckedAt = Date.now();
      for (const d of await store.read((r) => r.revokedSince(since))) hub.dropDevice(d.id);
    } catch (err) {
      log(`sweep: ${(err as Error).message}`);
    } finally {
      sweeping = false;
    }
  };
  const sweepTimer = setInterval(() => void sweep(), opts.sweepMs ?? HQ_DEFAULTS.sweepMs);
  sweepTimer.unref();

  // Arrivals nobody claimed in time leave the queue as unserved; every node runs it, one closes each.
  const unservedMs = opts.unservedSweepMs ?? HQ_DEFAULTS.unservedSweepMs;
  const unservedTimer =
    unservedMs > 0
      ? setInterval(() => {
          sweepUnserved(eventLog, now()).catch((err: unknown) => log(`unserved sweep: ${(err as Error).message}`));
        }, unservedMs)
      : null;
  unservedTimer?.unref();
  // 4/8 part C: holds past their date are released; every node runs it, one releases each.
  const holdTimer =
    unservedMs > 0
      ? setInterval(() => {
          sweepExpiredHolds(eventLog, now()).catch((err: unknown) => log(`hold expiry sweep: ${(err as Error).message}`));
          // …and a day before, a follow-up task to call the member (one per hold, on any number of nodes).
          remindExpiringHolds(eventLog, now()).catch((err: unknown) => log(`hold reminder sweep: ${(err as Error).message}`));
          // …and cross-store requests nobody answered within a day lapse, told to both stores.
          expireStaleRequests(eventLog, now()).catch((err: unknown) => log(`hold request sweep: ${(err as Error).message}`));
          // 5/8: expected visits past their day lapse, told to the store's desks.
          sweepLapsedExpectations(eventLog, now()).catch((err: unknown) => log(`expected visit sweep: ${(err as Error).message}`));
        }, unservedMs)
      : null;
  holdTimer?.unref();

  // Birthday-week follow-ups: a daily job in effect, run hourly so a node started late in the day
  // still makes them; every node runs it, the task id makes each one task.
  const birthdayMs = opts.birthdaySweepMs ?? 60 * 60 * 1000;
  const birthdayTimer =
    birthdayMs > 0
      ? setInterval(() => {
          sweepBirthdays(eventLog, now()).catch((err: unknown) => log(`birthday sweep: ${(err as Error).message}`));
        }, birthdayMs)
      : null;
  birthdayTimer?.unref();

  const health = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) return false;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, node: nodeId }));
      return true;
    }
    const storeUp = await store.ping().catch(() => false);
    const busStatus = bus.status();
    // Ready = the store answers. A node whose bus is down still serves (by polling), so it stays
    // ready and says so; a load balancer may prefer nodes with `bus.up`.
    const body = { ready: storeUp, node: nodeId, store: { kind: store.kind, up: storeUp }, bus: { kind: bus.kind, ...busStatus } };
    res.writeHead(storeUp ? 200 : 503, { 'content-type': 'application/json', ...(storeUp ? {} : { 'retry-after': '2' }) }).end(JSON.stringify(body));
    return true;
  };

  const handler = withRateLimits(
    createRequestHandler({ store, eventLog, arrivals, integrationKey, onCatalogChanged: catalogChanged, pictureFetch: opts.pictureFetch }, log, async (req, res, path, method) =>
      (await handlePictureHttp({ store, auth: memberAuth, integrationKey: integrationKey!, onCatalogChanged: catalogChanged }, req, res, path, method)) || // style pictures (part E)
      (isGroupRoute(path) &&
        (await handleGroupHttp({ groups, auth: memberAuth, store, integrationKey: integrationKey!, onJoined: (memberId) => members.memberJoined(memberId), publicOrigin: opts.publicOrigin, now }, req, res, path, method),
        true)) || // member communities (5/8)
      (isLiveRoute(path) && (await handleLiveHttp({ live, store, publicOrigin: opts.publicOrigin }, req, res, path, method), true)) || // live rooms (6/8)
      handleChatHttp({ chat, auth: memberAuth, integrationKey: integrationKey!, eventLog }, req, res, path, method),
      { updatesDir: opts.updatesDir },
    ),
    opts.httpRateLimits,
    (req) => typeof req.headers['x-integration-key'] === 'string' && secretEquals(req.headers['x-integration-key'], integrationKey!),
    opts.trustedProxies ?? [],
  );
  const server = createServer((req, res) => {
    if (refuseOversizedBody(req, res)) return;
    health(req, res).then(
      (done) => {
        if (!done) handler(req, res);
      },
      () => res.writeHead(500).end(),
    );
  });
  // `Expect: 100-continue`: Node would answer 100 Continue by itself, and a client then uploading
  // 10 MB to a 1 MiB route was cut mid-upload without ever seeing the 413. Refuse first, continue after.
  server.on('checkContinue', (req, res) => {
    if (refuseOversizedBody(req, res)) return;
    res.writeContinue();
    server.emit('request', req, res);
  });
  // headersTimeout runs from a request's first byte (Node 20), so it never cuts an idle keep-alive connection.
  server.keepAliveTimeout = HQ_DEFAULTS.keepAliveMs;
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
    nodeId,
    integrationKey,
    store,
    eventLog,
    arrivals,
    bus,
    chat,
    memberAuth,
    groups,
    live,
    liveSocketsHere: (roomId) => liveHub.socketsHere(roomId),
    onlineMembers: (storeId) => members.onlineMembers(storeId),
    createEnrollmentCode: (storeId, ttlMs) => createEnrollmentCode(store, storeId, ttlMs),
    rotateEpoch: (storeId) => hub.rotateEpoch(storeId),
    sweepUnserved: (at) => sweepUnserved(eventLog, at ?? now()),
    sweepBirthdays: (at) => sweepBirthdays(eventLog, at ?? now()),
    sweepExpiredHolds: (at) => sweepExpiredHolds(eventLog, at ?? now()), // 4/8 part C
    remindExpiringHolds: (at) => remindExpiringHolds(eventLog, at ?? now()),
    expireStaleRequests: (at) => expireStaleRequests(eventLog, at ?? now()),
    sweepLapsedExpectations: (at) => sweepLapsedExpectations(eventLog, at ?? now()),
    close: () =>
      (closing ??= (async () => {
        clearInterval(purgeTimer);
        await purge.stop();
        clearInterval(sweepTimer);
        if (unservedTimer) clearInterval(unservedTimer);
        if (birthdayTimer) clearInterval(birthdayTimer);
        if (holdTimer) clearInterval(holdTimer);
        stopCatalog();
        warming?.stop();
        await liveHub.close();
        await members.close();
        await hub.close();
        feeds.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await presence.close();
        await bus.close();
        await closeNats();
        await store.close();
      })()),
  };
}
