// Retention: visits, notes and chat older than the retention period leave the cache on a schedule,
// online or not (privacy: docs/security.md). What goes is decided by purgeOlderThan (cache/privacy.ts);
// this decides when.
import { DeskError } from '../../../shared/deskApi.ts';
import { purgeOlderThan, type PurgeResult } from '../cache/privacy.ts';
import type { CacheQueries } from '../cache/queries.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  /** Days kept (default 30). */
  retentionDays?: number;
  /** How often the purge runs (default hourly; the first run is a minute after open, or sooner). */
  purgeEveryMs?: number;
  log: (line: string) => void;
  /** A scheduled purge threw (the disk, usually): report it; the next round tries again. */
  failed(err: unknown): void;
  /** A purge removed something. */
  purged(result: PurgeResult): void;
}

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private soonTimer: NodeJS.Timeout | null = null;
  /** Set live by setDays (the settings screen); until then the option given at open. */
  private daysSet: number | null = null;
  private stopped = false;
  /** What a scheduled round calls (the desk's public purgeExpired, so it is the one entry point). */
  private round: () => unknown = () => this.purge();

  constructor(
    private readonly q: CacheQueries,
    private readonly opts: RetentionOptions,
  ) {}

  /**
   * Schedules `round` (default: purge): first a minute after open (not during it: opening must stay
   * fast and side-effect free), then every purgeEveryMs, and soon after a change of period.
   */
  start(round?: () => unknown): void {
    if (round) this.round = round;
    const every = this.opts.purgeEveryMs ?? 60 * 60 * 1000;
    this.timer = setTimeout(() => {
      this.run();
      this.timer = setInterval(() => this.run(), every);
      this.timer.unref();
    }, Math.min(every, 60_000));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer); // also clears an interval
    if (this.soonTimer) clearTimeout(this.soonTimer);
  }

  /** Days of closed visits and chat this desk keeps (default 30). */
  days(): number {
    return this.daysSet ?? this.opts.retentionDays ?? 30;
  }

  /**
   * Drops visits (with notes) and chat messages older than the retention period, and members of
   * other stores nothing refers to any more. Visits with an unsettled outbox op are kept.
   */
  purge(now: number = Date.now()): PurgeResult {
    const out = purgeOlderThan(this.q.db, now - this.days() * DAY_MS, this.q.getIdentity()?.storeId ?? null);
    if (out.visits || out.messages || out.members) {
      this.opts.log(`desk: purged ${out.visits} visits, ${out.messages} messages, ${out.members} members older than the retention period`);
      this.opts.purged(out);
    }
    return out;
  }

  /**
   * Change the retention period while the desk runs (the settings screen): the purge uses it from
   * now on, and runs once with it shortly (`soonMs`) rather than at the next hourly round — so a
   * shorter period removes the older data the same minute, not after a restart.
   */
  setDays(days: number, soonMs: number): void {
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new DeskError('invalid_argument', `retention must be 1 to 365 whole days, not ${days}`);
    if (days === this.days()) return;
    this.daysSet = days;
    this.opts.log(`desk: retention set to ${days} days`);
    if (this.soonTimer) clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => {
      this.soonTimer = null;
      if (!this.stopped) this.run();
    }, Math.max(0, soonMs));
    this.soonTimer.unref();
  }

  private run(): void {
    try {
      this.round();
    } catch (err) {
      this.opts.failed(err);
      this.opts.log(`desk: retention purge failed: ${(err as Error).message}`);
    }
  }
}
