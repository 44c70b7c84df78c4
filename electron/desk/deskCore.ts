// The desk core: the cache, the outbox and the HQ link behind the DeskApi the UI calls.
//
// Runs in plain Node (the Electron main process or the web shell hosts it). Everything the clerk
// sees is read from the SQLite cache, so the desk works the same online and offline; the link only
// moves the cache forward (events, snapshots) and drains the outbox.
//
// DeskCore is the façade: it opens the cache, checks every call's arguments against the shared
// DeskCommands schemas and hands the call to the module that does the work — session.ts (the
// protocol; owns the HQ link), inbox.ts (frames in, a change set out), outbox.ts, visits.ts,
// chat/conversations.ts, clerks/, upkeep/ (storage guard, retention), connection.ts and counts.ts,
// put together in wiring.ts.
import type { z } from 'zod';
import type { ClerkPublic, ClerkState, SignInResult } from '../../shared/clerks.ts';
import { DeskCommands, DeskError, type ActionResult, type ChatImage, type ConnectionState, type ConversationPage, type ConversationView } from '../../shared/deskApi.ts';
import type { CheckinResult, PendingCheckinView } from '../../shared/deskApi.ts'; // 4/8 part A
import type { DeskCoreApi, DeskIdentity, MemberSearchHit, MemberView, OutgoingMessage, SendResult, VisitView } from '../../shared/deskApi.ts';
import type { DeskCommandName } from '../../shared/deskApiNames.ts';
import type { MemberPageView } from '../../shared/memberHistory.ts';
import type { TaskView } from '../../shared/deskApi.ts';
import type { ServedOutcome } from '../../shared/domain.ts';
import { Emitter } from '../../shared/emitter.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { ReportArgs, VisitReport, VisitTimeline } from '../../shared/kpis.ts';
import { describeIssues, hasEscapedNul, NUL_REFUSED, type Position } from '../../shared/protocol.ts';
import { openOrRebuild, startCacheCheckpoints } from './cache/db.ts';
import type { PurgeResult } from './cache/privacy.ts';
import type { CacheQueries, OutboxOp } from './cache/queries.ts';
import type { Salvage } from './cache/recover.ts';
import type { AttentionCounts } from './counts.ts';
import type { DeskStats } from './session.ts';
import type { HoldRequestView, HoldView, PlaceHoldArgs, RequestHoldArgs, StyleStockResponse } from '../../shared/holds.ts'; // 4/8 part C
import type { ExpectedVisit } from '../../shared/expected.ts'; // 5/8 expected visits
import type { Handover } from '../../shared/assist.ts'; // 7/8 assistant
import type { GroupInviteView, GroupMemberView, GroupPage, GroupStyleChoice, GroupView } from '../../shared/deskGroups.ts'; // 5/8
import type { LiveConsole, LiveRoomView, LiveSummary } from '../../shared/deskLive.ts'; // 6/8
import type { RestockMatchView } from '../../shared/deskApi.ts'; // 7/8 restock
import type { SuggestionMarkView } from '../../shared/deskApi.ts'; // 7/8 card
import { wireDesk, type DeskCoreEvents, type DeskOptions, type DeskParts } from './wiring.ts';

export { enroll } from './hqHttp.ts';
export type { AttentionCounts, DeskCoreEvents, DeskOptions, DeskStats };

type Args<N extends DeskCommandName> = z.infer<(typeof DeskCommands)[N]>;

export class DeskCore implements DeskCoreApi {
  readonly stats: DeskStats = { applied: 0, duplicates: 0, gaps: 0, resets: 0, commandsSent: 0 };
  private readonly log: (line: string) => void;
  private readonly events: Emitter<DeskCoreEvents>;
  private readonly parts: DeskParts;
  private closed = false;

  private constructor(opts: DeskOptions, private readonly q: CacheQueries, salvage: Salvage | null) {
    const log = (this.log = opts.log ?? (() => {}));
    this.events = new Emitter<DeskCoreEvents>((event, err) => log(`desk: '${String(event)}' listener threw: ${(err as Error).message}`));
    this.parts = wireDesk({ opts, q, salvage, events: this.events, stats: this.stats, log });
  }

  /**
   * Opens (and migrates) the cache synchronously; the desk is usable offline at once. A damaged
   * cache (not a database, corrupt pages) is never used: it is moved aside, a fresh one is started
   * with the identity and outbox salvaged from it, and HQ rebuilds the rest by snapshot
   * (ConnectionState.storage.rebuiltAt / outboxLost tell the UI). A file that cannot be opened at
   * all (permissions, a full disk during migration) throws DeskError('storage').
   */
  static open(opts: DeskOptions): DeskCore {
    if (opts.hqUrls.length === 0) throw new DeskError('invalid_argument', 'the desk needs at least one HQ address');
    const { q, salvage } = openOrRebuild(opts.dbPath);
    const core = new DeskCore(opts, q, salvage);
    // The cache's WAL is copied into its file by a thread of its own, not in an event batch's COMMIT.
    startCacheCheckpoints(q, opts.dbPath, core.log);
    core.parts.retention.start(() => core.purgeExpired());
    if (salvage) core.log(`desk: damaged cache (${salvage.detail}) moved to ${salvage.movedTo}; rebuilding from HQ${salvage.outboxLost ? '; its outbox could not be read' : ''}`);
    return core;
  }

  // --- lifecycle, upkeep and diagnostics -----------------------------------------------------

  /** Connect to HQ and keep connected. */
  start(): void {
    this.assertOpen();
    this.parts.session.start();
  }

  /** Drop the link (after a last ack); the desk stays usable offline. */
  stop(): Promise<void> {
    return this.parts.session.stop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.parts.retention.stop();
    this.parts.pictures.stop();
    this.parts.liveStreams.closeAll(); // 6/8
    await this.parts.session.stop();
    this.parts.session.close();
    this.parts.outbox.close();
    this.parts.chat.close();
    this.parts.counts.stop();
    this.parts.connection.stop();
    this.closed = true;
    await this.q.stopCheckpoints();
    this.q.db.close();
  }

  /** OS network hint (from the Electron shell): reconnect at once when the network is back. */
  networkChanged(online: boolean): void {
    this.parts.session.networkChanged(online);
  }

  get position(): Position {
    return this.q.getPosition();
  }

  /** Diagnostics for tests: what the outbox holds, in order. */
  outbox(): OutboxOp[] {
    return this.parts.outbox.list();
  }

  /** Waiting arrivals and unread messages, for the shell's tray, badge or title (also emitted as `counts` when they change). */
  counts(): AttentionCounts {
    this.assertOpen();
    return this.parts.counts.get();
  }

  /** Drops what is older than the retention period now (it also runs on a schedule). */
  purgeExpired(now: number = Date.now()): PurgeResult {
    this.assertOpen();
    return this.parts.retention.purge(now);
  }

  /** Days of closed visits and chat this desk keeps (default 30). */
  currentRetentionDays(): number {
    return this.parts.retention.days();
  }

  /** A new retention period (the settings screen): used from now on, and the purge runs with it in `soonMs`. */
  setRetentionDays(days: number, soonMs = 2000): void {
    this.assertOpen();
    this.parts.retention.setDays(days, soonMs);
  }

  /** The `counts` event alone (what a shell's tray needs), for hosts typed by DeskApi's events. */
  onCounts(listener: (counts: AttentionCounts) => void): () => void {
    return this.on('counts', listener);
  }

  /** DeskEvents for the UI, and `counts` for the hosting shell (read counts() once when subscribing). */
  on<E extends keyof DeskCoreEvents>(event: E, listener: (payload: DeskCoreEvents[E]) => void): () => void {
    return this.events.on(event, listener);
  }

  // --- DeskApi: reads, and clerk actions (queued in the outbox, shown at once as pending) ------

  async getIdentity(): Promise<DeskIdentity | null> {
    this.check('getIdentity', []);
    return this.q.getIdentity();
  }
  async getConnection(): Promise<ConnectionState> {
    this.check('getConnection', []);
    return this.parts.connection.state;
  }
  async listArrivals(args: Args<'listArrivals'>[0]): Promise<VisitView[]> {
    return this.parts.visits.arrivals(...this.check('listArrivals', [args]));
  }
  async listVisits(args: Args<'listVisits'>[0]): Promise<VisitView[]> {
    return this.parts.visits.list(...this.check('listVisits', [args]));
  }
  async getVisit(visitId: string): Promise<VisitView | null> {
    return this.parts.visits.view(...this.check('getVisit', [visitId]));
  }
  async getMember(memberId: string): Promise<MemberView | null> {
    return this.parts.profiles.member(...this.check('getMember', [memberId]));
  }
  async searchMembers(args: Args<'searchMembers'>[0]): Promise<MemberSearchHit[]> {
    const [a] = this.check('searchMembers', [args]);
    return this.q.search.search(a.query, a.limit ?? 20);
  }
  async searchMembersAtHq(args: Args<'searchMembersAtHq'>[0]): Promise<MemberSearchHit[] | null> {
    const [a] = this.check('searchMembersAtHq', [args]);
    return this.parts.profiles.searchHq(a.query, a.limit ?? 10);
  }
  async claimVisit(visitId: string): Promise<ActionResult> {
    const [id] = this.check('claimVisit', [visitId]);
    return this.parts.visits.act('claim', id, { visitId: id });
  }
  async releaseVisit(visitId: string): Promise<ActionResult> {
    const [id] = this.check('releaseVisit', [visitId]);
    return this.parts.visits.act('release', id, { visitId: id });
  }
  async addNote(visitId: string, text: string): Promise<ActionResult> {
    const [id, note] = this.check('addNote', [visitId, text]);
    // The note's id is made here, so the clerk's note and HQ's confirmed note are the same row.
    return this.parts.visits.act('note', id, { visitId: id, noteId: uuidv7(), text: note });
  }
  async closeVisit(visitId: string, outcome: ServedOutcome, note?: string): Promise<ActionResult> {
    const [id, out, text] = this.check('closeVisit', note === undefined ? [visitId, outcome] : [visitId, outcome, note]);
    return this.parts.visits.act('close', id, text === undefined ? { visitId: id, outcome: out } : { visitId: id, outcome: out, note: text });
  }
  async takeOverVisit(visitId: string): Promise<ActionResult> {
    const [id] = this.check('takeOverVisit', [visitId]);
    return this.parts.visits.act('takeover', id, { visitId: id });
  }
  async markLeft(visitId: string): Promise<ActionResult> {
    const [id] = this.check('markLeft', [visitId]);
    return this.parts.visits.act('left', id, { visitId: id });
  }
  async dismissNotice(visitId: string): Promise<void> {
    const [id] = this.check('dismissNotice', [visitId]);
    this.parts.visits.dismissNotice(id);
  }
  async reconnectNow(): Promise<void> {
    this.check('reconnectNow', []);
    this.parts.session.reconnectNow();
  }

  // --- DeskApi: chat ---------------------------------------------------------------------------

  async listConversations(args: Args<'listConversations'>[0]): Promise<ConversationView[]> {
    return this.parts.chat.list(...this.check('listConversations', [args]));
  }
  async getConversation(memberId: string, page?: Args<'getConversation'>[1]): Promise<ConversationPage> {
    const [id, p] = this.check('getConversation', page === undefined ? [memberId] : [memberId, page]);
    const view = await this.parts.chat.get(id, p);
    this.parts.counts.refresh(); // older history may hold unread messages
    return view;
  }
  async sendMessage(memberId: string, message: OutgoingMessage): Promise<SendResult> {
    return this.parts.chat.send(...this.check('sendMessage', [memberId, message]));
  }
  async retryMessage(clientId: string): Promise<ActionResult> {
    return this.parts.chat.retry(...this.check('retryMessage', [clientId]));
  }
  async recallMessage(memberId: string, messageId: string): Promise<ActionResult> {
    return this.parts.chat.recall(...this.check('recallMessage', [memberId, messageId]));
  }
  async markRead(memberId: string): Promise<ActionResult | null> {
    return this.parts.chat.markRead(...this.check('markRead', [memberId]));
  }
  async setTyping(memberId: string, typing: boolean): Promise<void> {
    this.parts.chat.setTyping(...this.check('setTyping', [memberId, typing]));
  }
  async getImage(imageId: string): Promise<ChatImage | null> {
    return this.parts.chat.image(...this.check('getImage', [imageId]));
  }
  /** A style's picture from the cache (part E); null while missing (then fetched in the background). */
  async getStyleImage(imageId: string): Promise<ChatImage | null> {
    return this.parts.pictures.image(...this.check('getStyleImage', [imageId]));
  }

  // --- DeskApi: clerks and the manager's view --------------------------------------------------

  async signIn(clerkId: string, pin: string): Promise<SignInResult> {
    const [id, p] = this.check('signIn', [clerkId, pin]);
    return this.parts.clerks.signIn(id, p, this.online());
  }
  async signOut(): Promise<ClerkState> {
    this.check('signOut', []);
    return this.parts.clerks.signOut();
  }
  async lock(): Promise<ClerkState> {
    this.check('lock', []);
    return this.parts.clerks.lock();
  }
  async listClerks(): Promise<ClerkPublic[]> {
    this.check('listClerks', []);
    return this.parts.clerks.list();
  }
  async currentClerk(): Promise<ClerkState> {
    this.check('currentClerk', []);
    return this.parts.clerks.state();
  }
  async managerReport(args: ReportArgs): Promise<VisitReport> {
    return this.parts.manager.report(...this.check('managerReport', [args]));
  }
  async managerTimeline(visitId: string): Promise<VisitTimeline | null> {
    return this.parts.manager.timeline(...this.check('managerTimeline', [visitId]));
  }

  // --- DeskApi: the member page (4/8) ----------------------------------------------------------

  async getMemberPage(memberId: string): Promise<MemberPageView | null> {
    return this.parts.histories.page(...this.check('getMemberPage', [memberId]));
  }
  async addMemberNote(memberId: string, text: string): Promise<ActionResult> {
    return this.parts.histories.addNote(...this.check('addMemberNote', [memberId, text]));
  }

  // --- DeskApi: follow-up tasks (part D) ---------------------------------------------------------

  async listTasks(args: Args<'listTasks'>[0]): Promise<TaskView[]> {
    return this.parts.tasks.list(...this.check('listTasks', [args]));
  }
  async createTask(task: Args<'createTask'>[0]): Promise<ActionResult & { taskId: string }> {
    return this.parts.tasks.create(...this.check('createTask', [task]));
  }
  async completeTask(taskId: string): Promise<ActionResult> {
    return this.parts.tasks.done(...this.check('completeTask', [taskId]));
  }
  async snoozeTask(taskId: string, until: number): Promise<ActionResult> {
    return this.parts.tasks.snooze(...this.check('snoozeTask', [taskId, until]));
  }
  async dismissTaskRejection(taskId: string): Promise<void> {
    this.parts.tasks.dismissRejection(...this.check('dismissTaskRejection', [taskId]));
  }

  // --- DeskApi: holds (4/8 part C) -------------------------------------------------------------

  async listHolds(): Promise<HoldView[]> {
    this.check('listHolds', []);
    return this.parts.holds.list();
  }
  async listHoldRequests(): Promise<HoldRequestView[]> {
    this.check('listHoldRequests', []);
    return this.parts.holds.requests();
  }
  async placeHold(args: PlaceHoldArgs): Promise<ActionResult & { holdId: string }> {
    return this.parts.holds.place(...this.check('placeHold', [args]));
  }
  async releaseHold(holdId: string, reason: Args<'releaseHold'>[1]): Promise<ActionResult> {
    return this.parts.holds.release(...this.check('releaseHold', [holdId, reason]));
  }
  async requestHold(args: RequestHoldArgs): Promise<ActionResult & { requestId: string }> {
    return this.parts.holds.request(...this.check('requestHold', [args]));
  }
  async answerHoldRequest(requestId: string, accept: boolean): Promise<ActionResult> {
    return this.parts.holds.answer(...this.check('answerHoldRequest', [requestId, accept]));
  }
  async dismissHold(id: string): Promise<void> {
    this.parts.holds.dismiss(...this.check('dismissHold', [id]));
  }
  async getStyleStock(styleId: string): Promise<StyleStockResponse | null> {
    return this.parts.holds.stock(...this.check('getStyleStock', [styleId]));
  }

  // --- DeskApi: groups (5/8) ----------------------------------------------------------------

  async listGroups(): Promise<GroupView[]> {
    this.check('listGroups', []);
    return this.parts.groups.list();
  }
  async getGroup(groupId: string, page?: Args<'getGroup'>[1]): Promise<GroupPage> {
    return this.parts.groups.page(...this.check('getGroup', [groupId, page]));
  }
  async listGroupMembers(groupId: string): Promise<GroupMemberView[]> {
    return this.parts.groups.members(...this.check('listGroupMembers', [groupId]));
  }
  async listGroupInvites(groupId: string): Promise<GroupInviteView[]> {
    return this.parts.groups.invites(...this.check('listGroupInvites', [groupId]));
  }
  async createGroup(args: Args<'createGroup'>[0]): Promise<ActionResult & { groupId: string }> {
    return this.parts.groups.create(...this.check('createGroup', [args]));
  }
  async updateGroup(groupId: string, patch: Args<'updateGroup'>[1]): Promise<ActionResult> {
    return this.parts.groups.update(...this.check('updateGroup', [groupId, patch]));
  }
  async setGroupHost(groupId: string, clerkId: string, host: boolean): Promise<ActionResult> {
    return this.parts.groups.host(...this.check('setGroupHost', [groupId, clerkId, host]));
  }
  async closeGroup(groupId: string): Promise<ActionResult> {
    return this.parts.groups.close(...this.check('closeGroup', [groupId]));
  }
  async sendGroupMessage(groupId: string, message: Args<'sendGroupMessage'>[1]): Promise<ActionResult & { clientId: string }> {
    return this.parts.groups.send(...this.check('sendGroupMessage', [groupId, message]));
  }
  async readGroup(groupId: string): Promise<ActionResult | null> {
    return this.parts.groups.read(...this.check('readGroup', [groupId]));
  }
  async recallGroupMessage(groupId: string, messageId: string): Promise<ActionResult> {
    return this.parts.groups.recall(...this.check('recallGroupMessage', [groupId, messageId]));
  }
  async deleteGroupMessage(groupId: string, messageId: string): Promise<ActionResult> {
    return this.parts.groups.delete(...this.check('deleteGroupMessage', [groupId, messageId]));
  }
  async muteGroupMember(groupId: string, memberId: string, minutes: number): Promise<ActionResult> {
    return this.parts.groups.mute(...this.check('muteGroupMember', [groupId, memberId, minutes]));
  }
  async removeGroupMember(groupId: string, memberId: string): Promise<ActionResult> {
    return this.parts.groups.remove(...this.check('removeGroupMember', [groupId, memberId]));
  }
  async createGroupInvite(groupId: string, days?: number): Promise<ActionResult & { inviteId: string }> {
    return this.parts.groups.invite(...this.check('createGroupInvite', [groupId, days]));
  }
  async revokeGroupInvite(groupId: string, inviteId: string): Promise<ActionResult> {
    return this.parts.groups.revokeInvite(...this.check('revokeGroupInvite', [groupId, inviteId]));
  }
  async getGroupInviteQr(inviteId: string): Promise<string | null> {
    return this.parts.groups.inviteQr(...this.check('getGroupInviteQr', [inviteId]));
  }
  async listGroupStyles(memberId: string | null): Promise<GroupStyleChoice[]> {
    return this.parts.groups.styles(...this.check('listGroupStyles', [memberId]));
  }
  async dismissGroupRejection(groupId: string): Promise<void> {
    this.parts.groups.dismiss(...this.check('dismissGroupRejection', [groupId]));
  }

  // --- DeskApi: check-in at the counter (4/8 part A) -------------------------------------------

  async checkIn(args: Args<'checkIn'>[0]): Promise<CheckinResult> {
    return this.parts.checkins.checkIn(...this.check('checkIn', [args]));
  }
  async listCheckins(): Promise<PendingCheckinView[]> {
    this.check('listCheckins', []);
    return this.parts.checkins.list();
  }
  async dismissCheckin(checkinId: string): Promise<void> {
    this.parts.checkins.dismiss(...this.check('dismissCheckin', [checkinId]));
  }

  // --- DeskApi: restock matches (7/8 restock) -----------------------------------------------------
  async listRestockMatches(): Promise<RestockMatchView[]> {
    this.check('listRestockMatches', []);
    return this.parts.restock.list();
  }
  async actOnRestock(action: Args<'actOnRestock'>[0]): Promise<ActionResult> {
    return this.parts.restock.act(...this.check('actOnRestock', [action]));
  }

  // --- DeskApi: the assistant's hand-overs (7/8) --------------------------------------------------
  async listHandovers(): Promise<Handover[]> {
    this.check('listHandovers', []);
    return this.q.handovers.waiting();
  }

  // --- DeskApi: expected visits (5/8) ----------------------------------------------------------
  async listExpected(): Promise<ExpectedVisit[]> {
    this.check('listExpected', []);
    // Settled ones since the start of the desk's day (the Today list); HQ's snapshot brings today's too.
    const start = new Date(Date.now());
    start.setHours(0, 0, 0, 0);
    return this.q.expected.list(start.getTime());
  }

  // --- DeskApi: live rooms (6/8) ---------------------------------------------------------------
  async listLiveRooms(): Promise<LiveRoomView[]> {
    this.check('listLiveRooms', []);
    return this.parts.live.list();
  }
  async getLiveConsole(roomId: string): Promise<LiveConsole> {
    return this.parts.live.console(...this.check('getLiveConsole', [roomId]));
  }
  async createLiveRoom(args: Args<'createLiveRoom'>[0]): Promise<ActionResult & { roomId: string }> {
    return this.parts.live.create(...this.check('createLiveRoom', [args]));
  }
  async updateLiveRoom(roomId: string, patch: Args<'updateLiveRoom'>[1]): Promise<ActionResult> {
    return this.parts.live.update(...this.check('updateLiveRoom', [roomId, patch]));
  }
  async setLiveState(roomId: string, state: 'live' | 'ended'): Promise<ActionResult> {
    return this.parts.live.setState(...this.check('setLiveState', [roomId, state]));
  }
  async pinLive(roomId: string, pin: Args<'pinLive'>[1]): Promise<ActionResult> {
    return this.parts.live.pin(...this.check('pinLive', [roomId, pin]));
  }
  async answerLiveQuestion(roomId: string, questionId: string, how: Args<'answerLiveQuestion'>[2]): Promise<ActionResult> {
    return this.parts.live.answer(...this.check('answerLiveQuestion', [roomId, questionId, how]));
  }
  async openLivePoll(roomId: string, poll: Args<'openLivePoll'>[1]): Promise<ActionResult & { pollId: string }> {
    return this.parts.live.openPoll(...this.check('openLivePoll', [roomId, poll]));
  }
  async closeLivePoll(roomId: string, pollId: string): Promise<ActionResult> {
    return this.parts.live.closePoll(...this.check('closeLivePoll', [roomId, pollId]));
  }
  async drawLiveLottery(roomId: string, args: Args<'drawLiveLottery'>[1]): Promise<ActionResult & { lotteryId: string }> {
    return this.parts.live.draw(...this.check('drawLiveLottery', [roomId, args]));
  }
  async muteLiveViewer(roomId: string, who: Args<'muteLiveViewer'>[1], minutes: number): Promise<ActionResult> {
    return this.parts.live.mute(...this.check('muteLiveViewer', [roomId, who, minutes]));
  }
  async dismissLiveRejection(roomId: string): Promise<void> {
    this.parts.live.dismiss(...this.check('dismissLiveRejection', [roomId]));
  }
  async openLiveStream(roomId: string): Promise<void> {
    this.parts.live.openStream(...this.check('openLiveStream', [roomId]));
  }
  async closeLiveStream(roomId: string): Promise<void> {
    this.parts.live.closeStream(...this.check('closeLiveStream', [roomId]));
  }
  async sendLiveComment(roomId: string, text: string): Promise<void> {
    this.parts.live.comment(...this.check('sendLiveComment', [roomId, text]));
  }
  async deleteLiveComment(roomId: string, commentId: string): Promise<void> {
    this.parts.live.deleteComment(...this.check('deleteLiveComment', [roomId, commentId]));
  }
  async getLiveSummary(roomId: string): Promise<LiveSummary | null> {
    return this.parts.live.summary(...this.check('getLiveSummary', [roomId]));
  }
  async getLiveQr(roomId: string): Promise<string | null> {
    return this.parts.live.qr(...this.check('getLiveQr', [roomId]));
  }

  // --- DeskApi: marks on the arrival card's suggestions (7/8 card) -----------------------------
  async markSuggestion(visitId: string, styleId: string, role: Args<'markSuggestion'>[2], verdict: Args<'markSuggestion'>[3]): Promise<ActionResult> {
    return this.parts.marks.mark(...this.check('markSuggestion', [visitId, styleId, role, verdict]));
  }
  async listSuggestionMarks(visitId: string): Promise<SuggestionMarkView[]> {
    return this.parts.marks.list(...this.check('listSuggestionMarks', [visitId]));
  }

  // --- inside --------------------------------------------------------------------------------

  private online(): boolean {
    return this.parts.connection.state.status === 'online';
  }

  /** Validates a DeskApi call's arguments with the shared DeskCommands schema. */
  private check<N extends DeskCommandName>(name: N, args: unknown[]): Args<N> {
    this.assertOpen();
    const parsed = DeskCommands[name].safeParse(args);
    if (!parsed.success) throw new DeskError('invalid_argument', `${name}: ${describeIssues(parsed.error)}`);
    // Refused here, so it never sits in the outbox as a command HQ would refuse on every resend.
    if (hasEscapedNul(JSON.stringify(parsed.data) ?? '')) throw new DeskError('invalid_argument', `${name}: ${NUL_REFUSED}`);
    return parsed.data as Args<N>;
  }

  private assertOpen(): void {
    if (this.closed) throw new DeskError('storage', 'the desk cache is closed');
  }
}
