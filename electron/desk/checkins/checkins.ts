// Check-in at the counter, on the desk (4/8 part A). A check-in is a clerk action like any other:
// queued durably in the outbox (subject `checkin:<checkinId>`), shown at once as pending, sent in
// order when online, settled by HQ's `arrival` or `visit.updated` event naming its opId (sync.ts),
// shown as refused when HQ answers `member_not_found` until the clerk dismisses it.
//
// Phone numbers: desks never keep a member's full phone (PIPL; HQ sends only a masked form). A
// check-in by phone must carry the number to HQ, so it lives in the outbox op — and only there —
// until HQ settles the op (then the op and the number are gone) or refuses it (then the number is
// cut to its first digits at once, the hint the clerk sees). Nothing else stores it.
import { DeskError, type CheckinArgs, type CheckinResult, type PendingCheckinView, type VisitView } from '../../../shared/deskApi.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { phoneHint } from '../../../shared/memberScan.ts';
import type { CommandPayload, Rejection } from '../../../shared/protocol.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import { memberSummary } from '../overlay.ts';
import type { CheckinQueries } from './checkinQueries.ts';

export const CHECKIN_SUBJECT = 'checkin:';
export const checkinSubject = (checkinId: string) => `${CHECKIN_SUBJECT}${checkinId}`;
export const isCheckinSubject = (subject: string) => subject.startsWith(CHECKIN_SUBJECT);

export interface CheckinsOptions {
  /** Queues the op durably (outbox.ts); answers its opId. */
  enqueue(subject: string, data: OpData<'checkin'>): string;
  /** An action was queued and shown: connection state, counts and flush follow. */
  queued(): void;
  /** The pending check-ins changed. */
  changed(checkins: PendingCheckinView[]): void;
}

/** The payload of a check-in from what the clerk gave. Pure. */
export function checkinPayload(checkinId: string, args: CheckinArgs): CommandPayload<'checkin'> {
  if ('memberId' in args) return { checkinId, memberId: args.memberId };
  if ('memberCode' in args) return { checkinId, memberCode: args.memberCode.trim().toUpperCase() };
  return { checkinId, phone: args.phone.replace(/\D/g, '') };
}

export class Checkins {
  /** What was last told to listeners, so an unchanged list is not sent again. */
  private lastShown = '';

  constructor(
    private readonly q: CacheQueries,
    private readonly cq: CheckinQueries,
    private readonly opts: CheckinsOptions,
  ) {}

  checkIn(args: CheckinArgs): CheckinResult {
    const checkinId = uuidv7();
    const data = checkinPayload(checkinId, args);
    // HQ's frame schema takes 5–20 digits: anything else would be refused on every resend, so it is never queued.
    if (data.phone !== undefined && (data.phone.length < 5 || data.phone.length > 20)) throw new DeskError('invalid_argument', 'checkIn: a phone number has 5 to 20 digits');
    if (data.memberId !== undefined && !this.q.getMember(data.memberId)) throw new DeskError('not_found', `no member ${data.memberId} in this desk's cache`);
    const opId = this.opts.enqueue(checkinSubject(checkinId), data);
    this.refresh();
    this.opts.queued();
    return { opId, checkinId };
  }

  list(): PendingCheckinView[] {
    return this.cq.ops().flatMap((row): PendingCheckinView[] => {
      const data = JSON.parse(row.data) as OpData<'checkin'>;
      const member = data.memberId !== undefined ? this.q.getMember(data.memberId) : data.memberCode !== undefined ? this.cq.memberByCode(data.memberCode) : null;
      return [
        {
          checkinId: data.checkinId,
          opId: row.op_id,
          member: member ? (memberSummary(member, member.id) as VisitView['member']) : null,
          memberCode: data.memberCode ?? null,
          phoneHint: data.phone !== undefined ? phoneHint(data.phone) : null,
          createdAt: row.created_at,
          sync: row.state === 'rejected' ? 'rejected' : 'pending',
          rejection: row.rejection ? (JSON.parse(row.rejection) as Rejection) : null,
        },
      ];
    });
  }

  /** The clerk has read why HQ refused the check-in: it leaves the outbox. */
  dismiss(checkinId: string): void {
    if (this.q.tx(() => this.cq.dismiss(checkinSubject(checkinId)))) this.refresh();
  }

  /**
   * After a batch from HQ (or any outbox change): a refused check-in by phone keeps only its hint;
   * listeners hear the list when it changed.
   */
  refresh(): void {
    const rows = this.cq.ops();
    const refusedPhones = rows.filter((r) => r.state === 'rejected' && /"phone":"\d{5,}"/.test(r.data));
    if (refusedPhones.length) {
      this.q.tx(() => {
        for (const r of refusedPhones) {
          const data = JSON.parse(r.data) as OpData<'checkin'>;
          this.cq.setData(r.op_id, { ...data, phone: phoneHint(data.phone ?? '') });
        }
      });
    }
    const list = this.list();
    const shown = JSON.stringify(list);
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.opts.changed(list);
  }
}
