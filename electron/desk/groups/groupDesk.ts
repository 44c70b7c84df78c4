// Groups on the desk (5/8): the store's clerks host their groups, offline as well as online — every
// host action is queued durably in the outbox (subject `group:<groupId>`), shown at once as pending
// over HQ's confirmed state (groupViews.ts), settled by the `group.*` event naming its op, and kept
// as refused (with HQ's reason) until the clerk dismisses it. Ids the desk makes (group, message
// clientId, invite) are UUIDv7s made once when the clerk acts, so a resend is the same thing at HQ.
// The invite QR is HQ's to draw: asked online only.
import type { ActionResult } from '../../../shared/deskApi.ts';
import { DeskError } from '../../../shared/deskApi.ts';
import {
  CreateGroupArgs,
  GroupOutgoing,
  UpdateGroupArgs,
  type GroupInviteView,
  type GroupMemberView,
  type GroupPage,
  type GroupPageArgs,
  type GroupStyleChoice,
  type GroupView,
} from '../../../shared/deskGroups.ts';
import type { Actor, Recommendation } from '../../../shared/domain.ts';
import { INVITE_DAYS_DEFAULT } from '../../../shared/limits.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import type { HqHttp } from '../hqAddresses.ts';
import { groupSubject, groupView, groupViews, inviteViews, memberViews, messageViews, type GroupViewInputs } from './groupViews.ts';

/** How long the QR read may take before the desk says HQ cannot tell now. */
const QR_TIMEOUT_MS = 4000;
const PAGE_DEFAULT = 50;
/** Profiles whose suggestions make the store's picker list (the newest first). */
const PICKER_PROFILES = 200;
const SVG_MAX = 200_000;

export interface GroupDeskOptions {
  hq: HqHttp & { readonly current?: string };
  token: string;
  log: (line: string) => void;
  online(): boolean;
  self(): Actor;
  clerkName(clerkId: string): string | undefined;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  /** A clerk action was queued: counts, connection and the flush follow. */
  queued(): void;
  /** A group changed here (shown again by the UI). */
  changed(groupId: string | null): void;
}

export class GroupDesk {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: GroupDeskOptions,
  ) {}

  private inputs(): GroupViewInputs {
    return { storeId: this.q.getIdentity()?.storeId ?? '', self: this.opts.self(), ops: this.q.listOps(), clerkName: (id) => this.opts.clerkName(id) };
  }

  list(): GroupView[] {
    return groupViews(this.q.groups.groups(), this.inputs());
  }

  /** The total the top bar shows. */
  unread(): number {
    return this.list().reduce((n, g) => n + (g.closedAt === null ? g.unread : 0), 0);
  }

  page(groupId: string, args: GroupPageArgs = {}): GroupPage {
    const i = this.inputs();
    const group = this.known(groupId, i);
    const limit = args.limit ?? PAGE_DEFAULT;
    const before = args.before ?? Number.MAX_SAFE_INTEGER;
    const rows = this.q.groups.page(groupId, before, limit + 1);
    const hasMore = rows.length > limit;
    const confirmed = hasMore ? rows.slice(1) : rows;
    const styles = new Map<string, string>();
    const messages = messageViews(confirmed, args.before === undefined, {
      ...i,
      groupId,
      hasClientId: (c) => this.q.groups.hasClientId(groupId, c),
      messageAt: (n) => this.q.groups.messageAt(groupId, n),
      styleName: (styleId) => {
        if (!styles.size) for (const s of this.styles(null)) styles.set(s.styleId, s.name);
        return styles.get(styleId) ?? null;
      },
    });
    return { group, messages, hasMore };
  }

  members(groupId: string): GroupMemberView[] {
    const i = this.inputs();
    this.known(groupId, i);
    return memberViews(this.q.groups.members(groupId), groupId, i.ops);
  }

  invites(groupId: string): GroupInviteView[] {
    const i = this.inputs();
    this.known(groupId, i);
    return inviteViews(this.q.groups.invites(groupId), groupId, { ...i, linkOf: (token) => this.linkOf(token) });
  }

  create(input: CreateGroupArgs): ActionResult & { groupId: string } {
    const a = CreateGroupArgs.parse(input);
    const groupId = uuidv7();
    const opId = this.opts.enqueue('group.create', groupSubject(groupId), { groupId, scope: a.scope, name: a.name, topic: a.topic ?? '', welcome: a.welcome ?? '' });
    this.done(groupId);
    return { opId, groupId };
  }

  update(groupId: string, patch: UpdateGroupArgs): ActionResult {
    const p = UpdateGroupArgs.parse(patch);
    this.open(groupId);
    return this.queue('group.update', groupId, { groupId, ...p });
  }

  host(groupId: string, clerkId: string, host: boolean): ActionResult {
    this.open(groupId);
    return this.queue('group.host', groupId, { groupId, clerkId, host });
  }

  close(groupId: string): ActionResult {
    this.known(groupId);
    return this.queue('group.close', groupId, { groupId });
  }

  send(groupId: string, message: GroupOutgoing): ActionResult & { clientId: string } {
    const m = GroupOutgoing.parse(message);
    this.open(groupId);
    const clientId = uuidv7();
    if (m.kind === 'product' && m.forMemberId && !this.q.groups.members(groupId).some((x) => x.memberId === m.forMemberId)) {
      throw new DeskError('not_found', 'that member is not in this group');
    }
    const { opId } = this.queue('group.send', groupId, { groupId, clientId, ...m });
    return { opId, clientId };
  }

  /** The store has read the group to its newest message; null when nothing was unread (or a read is queued). */
  read(groupId: string): ActionResult | null {
    const g = this.known(groupId);
    if (g.unread === 0 || g.lastN === 0) return null;
    return this.queue('group.read', groupId, { groupId, upTo: g.lastN });
  }

  recall(groupId: string, messageId: string): ActionResult {
    this.known(groupId);
    const m = this.q.groups.getMessage(messageId);
    if (!m || m.groupId !== groupId) throw new DeskError('not_found', 'no such message in this group');
    if (m.from !== 'host' || m.by?.deviceId !== this.opts.self().deviceId) throw new DeskError('not_allowed', 'only this counter’s own messages can be recalled here');
    return this.queue('group.recall', groupId, { groupId, messageId });
  }

  delete(groupId: string, messageId: string): ActionResult {
    this.known(groupId);
    const m = this.q.groups.getMessage(messageId);
    if (!m || m.groupId !== groupId) throw new DeskError('not_found', 'no such message in this group');
    return this.queue('group.delete', groupId, { groupId, messageId });
  }

  mute(groupId: string, memberId: string, minutes: number): ActionResult {
    this.member(groupId, memberId);
    return this.queue('group.mute', groupId, { groupId, memberId, minutes });
  }

  remove(groupId: string, memberId: string): ActionResult {
    this.member(groupId, memberId);
    return this.queue('group.remove', groupId, { groupId, memberId });
  }

  invite(groupId: string, days: number = INVITE_DAYS_DEFAULT): ActionResult & { inviteId: string } {
    this.open(groupId);
    const inviteId = uuidv7();
    const { opId } = this.queue('group.invite', groupId, { groupId, inviteId, days });
    return { opId, inviteId };
  }

  revokeInvite(groupId: string, inviteId: string): ActionResult {
    this.known(groupId);
    if (!this.invites(groupId).some((x) => x.id === inviteId)) throw new DeskError('not_found', 'no such invite link in this group');
    return this.queue('group.revokeInvite', groupId, { groupId, inviteId });
  }

  /** The clerk has read HQ's refusals of actions on this group: stop showing them. */
  dismiss(groupId: string): number {
    const n = this.q.tx(() => this.q.deleteRejectedOfVisit(groupSubject(groupId)));
    if (n > 0) this.opts.changed(groupId);
    return n;
  }

  /** The invite link's QR code (SVG text) from HQ; null when HQ cannot be asked now, has no token yet, or the link is dead. */
  async inviteQr(inviteId: string): Promise<string | null> {
    const invite = this.q.groups.getInvite(inviteId);
    if (!invite) return null; // queued: HQ has not made the link yet
    if (!this.opts.online()) return null;
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/groups/invites/${encodeURIComponent(inviteId)}/qr.svg`, { headers: { authorization: `Bearer ${this.opts.token}` } }, QR_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: invite QR from HQ failed: ${(err as Error).message}`);
      return null;
    }
    if (res.status === 404) throw new DeskError('not_found', 'HQ has no such invite link');
    if (res.status === 410) return null; // revoked or expired meanwhile: the list shows it so after the event
    if (!res.ok) {
      this.opts.log(`desk: invite QR refused: HTTP ${res.status}`);
      return null;
    }
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text().catch(() => '');
    // The renderer shows it as an <img> data: URL (never inline markup), so a script in it cannot run; still, only an SVG of sane size is passed on.
    if (!type.startsWith('image/svg+xml') || text.length > SVG_MAX || !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(text)) {
      this.opts.log('desk: HQ sent something other than an SVG for an invite QR');
      return null;
    }
    return text;
  }

  /**
   * Styles the product picker offers: the asker's own suggestions when this desk has their profile
   * (sizes in stock in their size), else the store's styles as the cached suggestions know them.
   * HQ makes the card itself (filtered to the asker's sizes), so a stale list only offers a choice.
   */
  styles(memberId: string | null): GroupStyleChoice[] {
    const toChoice = (r: Recommendation, size: number | null): GroupStyleChoice => ({
      styleId: r.styleId,
      name: r.name,
      category: r.category,
      price: r.price,
      image: r.image ?? null,
      sizes: r.stockBySize.filter((s) => s.qty > 0 && (size === null || s.size === size)).map((s) => s.size),
    });
    if (memberId) {
      const profile = this.q.getProfile(memberId);
      const size = this.q.getMember(memberId)?.sizes.eu ?? null;
      if (profile && profile.recommendations.length > 0) return profile.recommendations.map((r) => toChoice(r, size));
    }
    const seen = new Map<string, GroupStyleChoice>();
    const rows = this.q.db.prepare<[number], { recommendations: string }>('SELECT recommendations FROM profiles ORDER BY received_at DESC LIMIT +?').all(PICKER_PROFILES);
    for (const row of rows) {
      for (const r of this.q.recommendationsOf(row.recommendations)) if (!seen.has(r.styleId)) seen.set(r.styleId, toChoice(r, null));
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }

  /** The member link of an invite token, at the HQ address the desk uses (as HQ makes it: hq/edge/http/groupRoutes.ts joinLink). */
  private linkOf(token: string): string {
    const base = (this.opts.hq.current ?? '').replace(/\/+$/, '');
    const storeId = this.q.getIdentity()?.storeId ?? '';
    return `${base}/m/?store=${encodeURIComponent(storeId)}&join=${encodeURIComponent(token)}`;
  }

  private queue<T extends CommandType>(type: T, groupId: string, data: OpData<T>): ActionResult {
    const opId = this.opts.enqueue(type, groupSubject(groupId), data);
    this.done(groupId);
    return { opId };
  }

  private known(groupId: string, i: GroupViewInputs = this.inputs()): GroupView {
    const g = groupView(this.q.groups.getGroup(groupId), groupId, i);
    if (!g) throw new DeskError('not_found', 'no such group at this store');
    return g;
  }

  private open(groupId: string): GroupView {
    const g = this.known(groupId);
    if (g.closedAt !== null) throw new DeskError('not_allowed', 'this group is closed');
    return g;
  }

  private member(groupId: string, memberId: string): void {
    this.known(groupId);
    if (!this.q.groups.members(groupId).some((m) => m.memberId === memberId && m.status === 'active')) throw new DeskError('not_found', 'that member is not in this group');
  }

  private done(groupId: string): void {
    this.opts.queued();
    this.opts.changed(groupId);
  }
}
