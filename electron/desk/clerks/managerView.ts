// The store manager's view on the desk: only for a signed-in manager; built by HQ when the desk is
// online with a manager session (every message, even ones this desk never cached), else from the
// cache (managerReports.ts, the same definitions).
import { DeskError } from '../../../shared/deskApi.ts';
import type { ReportArgs, VisitReport, VisitTimeline } from '../../../shared/kpis.ts';
import type { HqHttp } from '../hqAddresses.ts';
import type { ClerkDesk } from './clerkDesk.ts';
import type { ManagerReports } from './managerReports.ts';

export interface ManagerViewOptions {
  hq: HqHttp;
  /** The desk is online (live with HQ). */
  online(): boolean;
  log: (line: string) => void;
}

export class ManagerView {
  constructor(
    private readonly clerks: ClerkDesk,
    private readonly reports: ManagerReports,
    private readonly opts: ManagerViewOptions,
  ) {}

  async report(args: ReportArgs): Promise<VisitReport> {
    this.requireManager();
    const auth = this.hqAuth();
    if (auth) {
      try {
        return await this.reports.fromHq(this.opts.hq, auth, args);
      } catch (err) {
        this.opts.log(`desk: report from HQ failed, using the cache: ${(err as Error).message}`);
      }
    }
    return this.reports.fromCache(args, this.clerks.list());
  }

  async timeline(visitId: string): Promise<VisitTimeline | null> {
    this.requireManager();
    const auth = this.hqAuth();
    if (auth) {
      try {
        const fromHq = await this.reports.timelineFromHq(this.opts.hq, auth, visitId);
        if (fromHq) return fromHq;
      } catch (err) {
        this.opts.log(`desk: timeline from HQ failed, using the cache: ${(err as Error).message}`);
      }
    }
    return this.reports.timeline(visitId);
  }

  private requireManager(): void {
    if (this.clerks.active()?.role !== 'manager') throw new DeskError('not_allowed', 'the manager view is for a signed-in store manager');
  }

  /** Headers for HQ when online with a manager session; null means use the cache. */
  private hqAuth(): Record<string, string> | null {
    const session = this.clerks.activeSession();
    return session && this.opts.online() ? { ...this.clerks.auth(), 'x-clerk-session': session } : null;
  }
}
