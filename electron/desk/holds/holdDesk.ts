// Holds on the desk: the clerk places, releases and answers holds and asks other stores to hold,
// offline as well as online — each action is queued durably in the outbox (subject `hold:<id>`),
// shown at once as pending over HQ's confirmed state (holdViews.ts), settled by the event naming
// its op, and kept as refused (with HQ's reason: another counter held the last pair first) until
// the clerk dismisses it. Other stores' stock is HQ's to tell: asked online only.
import { uuidv7 } from '../../../shared/ids.ts';
import {
  DAY_MS,
  HOLD_REQUESTS_SHOWN_DAYS,
  type HoldEnd,
  type HoldRequestView,
  type HoldView,
  PlaceHoldArgs,
  RequestHoldArgs,
  StyleStockResponse,
  type PlaceHoldArgs as PlaceHoldInput,
  type RequestHoldArgs as RequestHoldInput,
} from '../../../shared/holds.ts';
import { describeIssues } from '../../../shared/protocol.ts';
import type { CommandType } from '../../../shared/protocol.ts';
import { DeskError } from '../../../shared/deskApi.ts';
import type { CacheQueries, OpData } from '../cache/queries.ts';
import type { HqHttp } from '../hqAddresses.ts';
import { holdSubject, holdViews, requestViews } from './holdViews.ts';

/** How long the stock read may take before the desk says HQ cannot tell now. */
const STOCK_TIMEOUT_MS = 4000;

export interface HoldDeskOptions {
  hq: HqHttp;
  token: string;
  log: (line: string) => void;
  online(): boolean;
  /** A cache write through the storage guard (durable: its commit fsynced, as an outbox op's is). */
  write<T>(fn: () => T, durable?: boolean): T;
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string;
  /** A clerk action was queued: counts, connection and the flush follow. */
  queued(): void;
  /** Holds or requests changed (shown again by the UI). */
  changed(): void;
}

export class HoldDesk {
  constructor(
    private readonly q: CacheQueries,
    private readonly opts: HoldDeskOptions,
  ) {}

  private inputs() {
    const id = this.q.getIdentity();
    return {
      storeId: id?.storeId ?? '',
      storeName: id?.storeName ?? '',
      deviceId: id?.deviceId ?? '',
      deviceName: id?.deviceName ?? '',
      now: Date.now(),
      ops: this.q.listOps(),
      label: (x: string) => this.q.holds.label(x),
    };
  }

  list(): HoldView[] {
    return holdViews({ ...this.inputs(), active: this.q.holds.activeHolds() });
  }

  requests(): HoldRequestView[] {
    return requestViews({ ...this.inputs(), requests: this.q.holds.requests(Date.now() - HOLD_REQUESTS_SHOWN_DAYS * DAY_MS) });
  }

  place(input: PlaceHoldInput): { opId: string; holdId: string } {
    const a = PlaceHoldArgs.parse(input);
    const holdId = uuidv7();
    const member = this.memberLabel(a.memberId);
    const opId = this.opts.write(() => {
      this.q.holds.putLabel(holdId, { member, styleId: a.styleId, styleName: a.styleName, color: a.color, colorName: a.colorName, size: a.size, days: a.days }, Date.now());
      return this.opts.enqueue('hold.place', holdSubject(holdId), { holdId, memberId: a.memberId, styleId: a.styleId, color: a.color, size: a.size, days: a.days });
    }, true);
    this.done();
    return { opId, holdId };
  }

  release(holdId: string, reason: HoldEnd): { opId: string } {
    const known = this.list().find((h) => h.id === holdId);
    if (!known) throw new DeskError('not_found', 'no such hold at this store');
    const opId = this.opts.enqueue('hold.release', holdSubject(holdId), { holdId, reason });
    this.done();
    return { opId };
  }

  request(input: RequestHoldInput): { opId: string; requestId: string } {
    const a = RequestHoldArgs.parse(input);
    if (a.toStoreId === this.q.getIdentity()?.storeId) throw new DeskError('invalid_argument', 'place a hold at this store instead');
    const requestId = uuidv7();
    const member = this.memberLabel(a.memberId);
    const opId = this.opts.write(() => {
      this.q.holds.putLabel(
        requestId,
        { member, styleId: a.styleId, styleName: a.styleName, color: a.color, colorName: a.colorName, size: a.size, days: a.days, toStoreId: a.toStoreId, toStoreName: a.toStoreName },
        Date.now(),
      );
      return this.opts.enqueue('hold.request', holdSubject(requestId), {
        requestId,
        toStoreId: a.toStoreId,
        memberId: a.memberId,
        styleId: a.styleId,
        color: a.color,
        size: a.size,
        days: a.days,
      });
    }, true);
    this.done();
    return { opId, requestId };
  }

  answer(requestId: string, accept: boolean): { opId: string } {
    const r = this.requests().find((x) => x.id === requestId && x.direction === 'in');
    if (!r) throw new DeskError('not_found', 'no such request to this store');
    const opId = this.opts.enqueue('hold.answer', holdSubject(requestId), { requestId, accept });
    this.done();
    return { opId };
  }

  /** The clerk has read a refusal: stop showing the refused action. */
  dismiss(id: string): void {
    if (this.opts.write(() => this.q.deleteRejectedOfVisit(holdSubject(id))) > 0) this.opts.changed();
  }

  /** The style's stock at every store from HQ, held pairs subtracted; null when HQ cannot be asked now. */
  async stock(styleId: string): Promise<StyleStockResponse | null> {
    if (!this.opts.online()) return null;
    let res: Response;
    try {
      res = await this.opts.hq.fetch(`/v1/desk/stock/${encodeURIComponent(styleId)}`, { headers: { authorization: `Bearer ${this.opts.token}` } }, STOCK_TIMEOUT_MS);
    } catch (err) {
      this.opts.log(`desk: stock of ${styleId} from HQ failed: ${(err as Error).message}`);
      return null;
    }
    if (res.status === 404) throw new DeskError('not_found', `no style ${styleId}`);
    if (!res.ok) {
      this.opts.log(`desk: stock of ${styleId} refused: HTTP ${res.status}`);
      return null;
    }
    const parsed = StyleStockResponse.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      this.opts.log(`desk: HQ sent malformed stock: ${describeIssues(parsed.error)}`);
      return null;
    }
    return parsed.data;
  }

  private memberLabel(memberId: string) {
    const m = this.q.getMember(memberId);
    if (!m) throw new DeskError('not_found', 'open the member first: this desk does not know them');
    return { id: m.id, name: m.name, tier: m.tier };
  }

  private done(): void {
    this.opts.queued();
    this.opts.changed();
  }
}
