// How the desk core's modules are put together. Each module gets what it needs of the others as
// callbacks made here, so none imports another in a circle: results go down as values (a change
// set, a view, an opId), events come up to these callbacks, and the ones the UI hears are emitted
// here on the core's one emitter. The façade (deskCore.ts) only checks arguments and delegates.
import type { DeskEvents } from '../../shared/deskApi.ts';
import { DEFAULT_LOCK_AFTER_MS } from '../../shared/clerks.ts';
import type { Actor } from '../../shared/domain.ts';
import type { Emitter } from '../../shared/emitter.ts';
import type { CacheQueries } from './cache/queries.ts';
import type { Salvage } from './cache/recover.ts';
import { Conversations } from './chat/conversations.ts';
import { chatSubject } from './chat/views.ts';
import { ClerkDesk } from './clerks/clerkDesk.ts';
import { ManagerReports } from './clerks/managerReports.ts';
import { ManagerView } from './clerks/managerView.ts';
import { ConnectionTracker } from './connection.ts';
import { Counts, type AttentionCounts } from './counts.ts';
import { firstIndex, HqAddresses } from './hqAddresses.ts';
import type { InboxChange } from './inbox.ts';
import { MemberProfiles } from './memberProfiles.ts';
import { Outbox } from './outbox.ts';
import { PictureQueries } from './pictures/pictureQueries.ts';
import { Pictures } from './pictures/pictures.ts';
import { Session, type DeskStats } from './session.ts';
import { Retention } from './upkeep/retention.ts';
import { StorageGuard } from './upkeep/storageGuard.ts';
import { Visits } from './visits.ts';
import { MemberHistories } from './history/memberHistory.ts';
import { memberNoteSubject } from './history/historyQueries.ts';
import { DeskTasks } from './tasks/deskTasks.ts';
import { DeskRestock } from './restock/deskRestock.ts'; // 7/8 restock
import { uuidv7 } from '../../shared/ids.ts'; // 7/8 restock
import { HoldDesk } from './holds/holdDesk.ts'; // 4/8 part C
import { GroupDesk } from './groups/groupDesk.ts'; // 5/8 groups
import { LiveDesk } from './live/liveDesk.ts'; // 6/8 live rooms
import { LiveStreams } from './live/liveStream.ts'; // 6/8 live rooms
import { MarkDesk } from './assist/markDesk.ts'; // 7/8 card: suggestion marks
import { CheckinQueries } from './checkins/checkinQueries.ts'; // 4/8 part A
import { Checkins } from './checkins/checkins.ts'; // 4/8 part A

export interface DeskOptions {
  dbPath: string;
  /**
   * HQ's addresses (its nodes, or a load balancer; at least one). The link starts at a random one
   * and fails over round-robin; HTTP calls go to the address of the last good link.
   */
  hqUrls: readonly string[];
  token: string;
  reconnect?: { minMs: number; maxMs: number };
  /** Jitter source (reconnect backoff, the first address); injectable for tests. */
  random?: () => number;
  silenceMs?: number;
  ackEveryMs?: number;
  /** Visits, notes and chat older than this many days are purged from the cache (default 30). */
  retentionDays?: number;
  /** How often the purge runs (default hourly; the first run is a minute after open, or sooner). */
  purgeEveryMs?: number;
  log?: (line: string) => void;
  /** Inactivity before the UI locks the desk (default 5 min; 0 = never). */
  lockAfterMs?: number;
}

/** DeskEvents plus what only the hosting shell listens to: the counts for its tray, badge or title. */
export interface DeskCoreEvents extends DeskEvents {
  counts: AttentionCounts;
}

export interface DeskParts {
  guard: StorageGuard;
  retention: Retention;
  session: Session;
  outbox: Outbox;
  visits: Visits;
  profiles: MemberProfiles;
  chat: Conversations;
  clerks: ClerkDesk;
  manager: ManagerView;
  counts: Counts;
  connection: ConnectionTracker;
  /** 4/8 member page */
  histories: MemberHistories;
  /** Follow-up tasks (part D). */
  tasks: DeskTasks;
  /** 4/8 part C: holds and cross-store hold requests. */
  holds: HoldDesk;
  /** 4/8 part A: check-in at the counter. */
  checkins: Checkins;
  /** Style pictures (part E). */
  pictures: Pictures;
  /** 5/8: the store's groups. */
  groups: GroupDesk;
  /** 6/8: the store's live rooms, and the open console's room socket. */
  live: LiveDesk;
  liveStreams: LiveStreams;
  /** 7/8 restock: the restock list and the clerk's acts on it. */
  restock: DeskRestock;
  /** 7/8 card: the clerks' marks on the arrival card's suggestions. */
  marks: MarkDesk;
}

export interface WireInput {
  opts: DeskOptions;
  q: CacheQueries;
  salvage: Salvage | null;
  events: Emitter<DeskCoreEvents>;
  stats: DeskStats;
  log: (line: string) => void;
}

export function wireDesk({ opts, q, salvage, events, stats, log }: WireInput): DeskParts {
  const { token } = opts;
  const hq = new HqAddresses(opts.hqUrls, firstIndex(opts.hqUrls.length, opts.random));
  const self = (): Actor => {
    const identity = q.getIdentity(); // read once: each read is a query and a JSON.parse (every visit view asks)
    return { deviceId: identity?.deviceId ?? 'this-desk', deviceName: identity?.deviceName ?? 'This desk' };
  };
  const live = () => session.live;
  /** A clerk action was queued and shown: the queued count, the counts and (when live) HQ follow. */
  const queued = () => {
    connection.refresh();
    counts.refresh();
    outbox.flushIfLive();
  };

  const guard = new StorageGuard(q, { log, changed: () => connection.refresh() });
  if (salvage) guard.rebuilt(salvage.outboxLost);
  const retention = new Retention(q, { ...opts, log, failed: (err) => guard.failed(err), purged: () => counts.refresh() });
  const clerks = new ClerkDesk(q.db, {
    hq,
    token,
    lockAfterMs: opts.lockAfterMs ?? DEFAULT_LOCK_AFTER_MS,
    log,
    onState: (state) => events.emit('clerk', state),
    onClerks: (list) => events.emit('clerks', { clerks: list }),
  });
  const manager = new ManagerView(clerks, new ManagerReports(q.db, () => q.getIdentity()), { hq, log, online: () => connection.state.status === 'online' });
  const session = new Session(q, hq, guard, stats, { ...opts, log }, {
    opened: () => outbox.linkOpened(),
    applied: (change) => absorb(change),
    flush: () => outbox.flush(),
    welcomed: () => {
      void clerks.refresh(); // the store's clerks, for offline sign-in
      void clerks.verifyAtHq(); // a clerk signed in offline is verified now
      pictures.sweepSoon(); // pictures the cards name that came while offline, or with a snapshot (part E)
    },
    reset: () => {
      events.emit('reset', { at: Date.now() });
      counts.refresh();
      checkins.refresh(); // 4/8 part A
    },
    down: () => chat.offline(),
    signal: (frame) => chat.signal(frame),
    hqError: (message) => connection.noteError(message),
    changed: () => connection.refresh(),
  });
  const outbox = new Outbox(q, guard, {
    hq,
    token,
    log,
    stats,
    clerkId: () => clerks.active()?.id ?? null,
    live,
    send: (frame) => session.send(frame),
    refused: (memberId) => chat.show(memberId, null),
  });
  const visits = new Visits(q, {
    self,
    clerkName: (id) => clerks.nameOf(id),
    enqueue: (type, visitId, data) => outbox.enqueue(type, visitId, data),
    queued,
    changed: (list) => events.emit('visits', { visits: list }),
    arrived: (visit) => events.emit('arrival', { visit }),
  });
  const profiles = new MemberProfiles(q, guard, { hq, token, log, online: () => connection.state.status === 'online', view: (id) => visits.member(id) });
  const chat = new Conversations(q, {
    hq,
    token,
    log,
    self,
    live,
    signal: (frame) => void session.send(frame),
    enqueue: (type, memberId, data) => outbox.enqueue(type, chatSubject(memberId), data),
    queued,
    chat: (payload) => events.emit('chat', payload),
    typing: (payload) => events.emit('chatTyping', payload),
    presence: (payload) => events.emit('chatPresence', payload),
  });
  // 4/8 member page
  const histories = new MemberHistories(q, guard, {
    hq,
    token,
    log,
    online: () => connection.state.status === 'online',
    self,
    clerkName: (id) => clerks.nameOf(id),
    enqueue: (memberId, data) => outbox.enqueue('member.note', memberNoteSubject(memberId), data),
    queued: (memberId) => {
      queued();
      events.emit('member', { memberId });
    },
  });
  const tasks = new DeskTasks(q, {
    self,
    clerkId: () => clerks.active()?.id ?? null,
    clerkName: (id) => clerks.nameOf(id) ?? null,
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: () => events.emit('tasks', { at: Date.now() }),
  });
  // 4/8 part C: holds
  const holds = new HoldDesk(q, {
    hq,
    token,
    log,
    online: () => connection.state.status === 'online',
    write: (fn, durable) => guard.write(fn, durable),
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: () => events.emit('holds', { at: Date.now() }),
  });
  // 5/8: groups
  const groups = new GroupDesk(q, {
    hq,
    token,
    log,
    online: () => connection.state.status === 'online',
    self,
    clerkName: (id) => clerks.nameOf(id),
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: (groupId) => events.emit('groups', { groupId, at: Date.now() }),
  });
  // 6/8: live rooms; the console's room socket goes to the address the desk link uses now.
  const liveStreams = new LiveStreams({ hqUrl: () => hq.current, token, log, emit: (e) => events.emit('liveStream', e), reconnect: opts.reconnect, random: opts.random });
  const liveDesk = new LiveDesk(q, {
    hq,
    token,
    log,
    online: () => connection.state.status === 'online',
    self,
    streams: liveStreams,
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: (roomId) => events.emit('live', { roomId, reserved: false, at: Date.now() }),
  });
  // 7/8 restock: a card goes by the chat's own send path (a member not in the cache, straight to the
  // outbox: HQ knows them), a task by the tasks' own create.
  const restock = new DeskRestock(q, {
    sendCard: (memberId, styleId) => {
      if (q.getMember(memberId)) chat.send(memberId, { kind: 'product', styleId });
      else outbox.enqueue('chat.send', chatSubject(memberId), { memberId, clientId: uuidv7(), kind: 'product', styleId });
    },
    createTask: (memberId, text, want) => void tasks.create({ memberId, kind: 'call_back', text, dueAt: Date.now(), assignee: clerks.active()?.id ?? null, want }),
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: () => events.emit('restock', { at: Date.now() }),
  });
  // 7/8 card: marks on the arrival card's suggestions
  const marks = new MarkDesk(q, {
    self,
    write: (fn, durable) => guard.write(fn, durable),
    enqueue: (type, subject, data) => outbox.enqueue(type, subject, data),
    queued,
    changed: (visitId) => events.emit('marks', { visitId, at: Date.now() }),
  });
  // 4/8 part A: check-in at the counter.
  const checkins = new Checkins(q, new CheckinQueries(q.db), {
    enqueue: (subject, data) => outbox.enqueue('checkin', subject, data),
    queued,
    changed: (list) => events.emit('checkins', { checkins: list }),
  });
  // 4/8 part E: style pictures
  const pictures = new Pictures(new PictureQueries(q.db), {
    hq,
    token,
    log,
    online: () => connection.state.status === 'online',
    write: (fn) => q.tx(fn),
    arrived: (imageId) => events.emit('styleImage', { imageId }),
  });
  const counts = new Counts(q, { listened: () => events.has('counts'), changed: (c) => events.emit('counts', c) });
  const seq = q.getPosition().seq;
  const connection = new ConnectionTracker(
    { status: 'offline', queued: q.countQueued(), since: Date.now(), retryAt: null, lastError: null, head: seq, position: seq, storage: guard.health },
    () => ({ phase: session.phase, live: session.live, retryAt: session.retryAt, linkError: session.linkError, head: session.head, position: q.getPosition().seq, queued: q.countQueued(), storage: guard.health }),
    (state) => events.emit('connection', state),
  );

  /** What an event batch changed, told to the views in the order HQ said it, then to the counts. */
  function absorb(c: InboxChange): void {
    outbox.answered(c.answered);
    for (const r of c.rejected) log(`desk: ${r.type} on ${r.subject} rejected: ${r.message}`);
    // The batch's end state is what the UI needs: its visits' views are read once (one statement
    // per table, not five queries per visit) for one `visits` event, and the alerts of its arrivals
    // that still need the clerk are raised from them after it (visits.alert): a 10,000-event resume
    // spent a sixth of its time building a view per arrival (docs/benchmarks.md, 8/8).
    const arrivals: string[] = [];
    for (const n of c.notices) {
      if (n.t === 'answered') visits.answered(n.visitId, n.confirmed);
      else if (n.t === 'arrival') arrivals.push(n.visitId);
      else if (n.t === 'member') events.emit('member', { memberId: n.memberId });
      else chat.show(n.memberId, n.messageId);
    }
    const shown = visits.show(c.visits, c.written);
    if (arrivals.length) visits.alert(arrivals, shown, c.catchingUp === true);
    for (const memberId of c.chats) chat.show(memberId, null);
    // A clerk was added, disabled or got a new PIN at HQ: refetch the list (signs out a disabled clerk).
    if (c.clerks) void clerks.refresh();
    if (c.tasks) events.emit('tasks', { at: Date.now() });
    if (c.holds) events.emit('holds', { at: Date.now() }); // 4/8 part C
    if (c.expected) events.emit('expected', { at: Date.now() }); // 5/8
    if (c.live) events.emit('live', { roomId: c.live.length === 1 ? c.live[0]! : null, reserved: c.reserved === true, at: Date.now() }); // 6/8
    if (c.restock) events.emit('restock', { at: Date.now() }); // 7/8 restock
    if (c.marks) events.emit('marks', { visitId: c.marks.length === 1 ? c.marks[0]! : null, at: Date.now() }); // 7/8 card
    if (c.groups) events.emit('groups', { groupId: c.groups.length === 1 ? c.groups[0]! : null, at: Date.now() }); // 5/8
    checkins.refresh(); // 4/8 part A: settled or refused check-ins
    // Part E: the members whose suggestions or product cards changed may name pictures the cache lacks.
    pictures.sweepSoon([...c.notices.flatMap((n) => (n.t === 'member' || n.t === 'chat' ? [n.memberId] : [])), ...c.chats]);
    counts.refresh();
  }

  return { guard, retention, session, outbox, visits, profiles, chat, clerks, manager, counts, connection, histories, tasks, holds, checkins, pictures, groups, live: liveDesk, liveStreams, restock, marks };
}
