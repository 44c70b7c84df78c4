// Style pictures on the desk (4/8 part E): the pictures suggestions and product cards name, cached
// in the SQLite file so they show offline.
//
// Invariants:
//  - a picture is fetched in the background, at most FETCH_CONCURRENCY at a time, never on the path
//    of an arrival or of a UI read: `image()` answers from the cache at once (null when missing,
//    and asks for it); `styleImage` tells the UI when one arrived;
//  - a fetched picture is kept only when its bytes hash to its id and are PNG/JPEG/WebP, so a
//    cached picture is exactly the one HQ named, whatever answered;
//  - a picture that failed is not asked again before RETRY_AFTER_MS (offline, nothing is asked).
import { createHash } from 'node:crypto';
import { sniffImage } from '../../../shared/chatImages.ts';
import type { ChatImage } from '../../../shared/deskApi.ts';
import { StyleImageRef } from '../../../shared/domain.ts';
import type { HqHttp } from '../hqAddresses.ts';
import type { PictureQueries } from './pictureQueries.ts';

export const FETCH_CONCURRENCY = 3;
const RETRY_AFTER_MS = 60_000;
const FETCH_TIMEOUT_MS = 15_000;
/** How long after a change the cache is read for pictures it lacks (changes come in bursts). */
const SWEEP_DELAY_MS = 300;
const SWEEP_BATCH = 200;
const TOUCH_EVERY_MS = 60 * 60 * 1000;

export interface PicturesOptions {
  hq: HqHttp;
  token: string;
  log: (line: string) => void;
  online: () => boolean;
  /** Runs `fn` as a cache write (the storage guard). */
  write: (fn: () => void) => void;
  /** A picture arrived in the cache. */
  arrived: (imageId: string) => void;
  now?: () => number;
}

export class Pictures {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private running = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepAll = false;
  private moreAfter = false;
  private storedSince = 0;
  private readonly sweepMembers = new Set<string>();
  private stopped = false;

  constructor(
    private readonly pq: PictureQueries,
    private readonly opts: PicturesOptions,
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** A cached picture as the UI shows it, or null (then fetched in the background, when online). */
  image(imageId: string): ChatImage | null {
    if (!StyleImageRef.shape.id.safeParse(imageId).success) return null;
    const img = this.pq.get(imageId);
    if (img) {
      // Counted as used for retention; at most one write an hour per picture, not one per render.
      if (this.now() - img.used_at > TOUCH_EVERY_MS) this.opts.write(() => this.pq.touch(imageId, this.now()));
      return { mime: img.mime, dataBase64: img.data.toString('base64') };
    }
    this.want([imageId]);
    return null;
  }

  /**
   * Cards may name pictures the cache lacks: every card (`all`: after a welcome, which may have
   * brought a snapshot — one read of every profile, about 0.1 s for 2,000) or those of some members
   * (an arrival's profile, a chat's product card: a read of their rows only). Looked at soon, once
   * for a burst of changes.
   */
  sweepSoon(members: Iterable<string> | 'all' = 'all'): void {
    if (this.stopped) return;
    if (members === 'all') this.sweepAll = true;
    else for (const m of members) this.sweepMembers.add(m);
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      this.sweep();
    }, SWEEP_DELAY_MS);
    this.sweepTimer.unref?.();
  }

  /** Asks for the pictures the cards noted by sweepSoon name and the cache lacks. */
  sweep(): void {
    if (!this.opts.online() || this.stopped) return; // the welcome after reconnecting sweeps everything
    const all = this.sweepAll;
    const members = [...this.sweepMembers];
    this.sweepAll = false;
    this.sweepMembers.clear();
    if (!all && members.length === 0) return;
    try {
      const ids = all ? this.pq.missing(SWEEP_BATCH) : this.pq.missingFor(members);
      // More than a batch lacking: look again once these are in (if any came: failures wait their turn).
      this.moreAfter = all && ids.length === SWEEP_BATCH;
      this.storedSince = 0;
      this.want(ids);
    } catch (err) {
      this.opts.log(`desk: pictures: ${(err as Error).message}`);
    }
  }

  /** Queues pictures the cache lacks (each once). */
  want(ids: readonly string[]): void {
    const now = this.now();
    for (const id of ids) {
      if (this.queued.has(id) || now - (this.failedAt.get(id) ?? -Infinity) < RETRY_AFTER_MS) continue;
      if (this.pq.has(id)) continue;
      this.queued.add(id);
      this.queue.push(id);
    }
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
  }

  /** Pictures being fetched or waiting (tests, diagnostics). */
  get pending(): number {
    return this.queue.length + this.running;
  }

  private pump(): void {
    while (!this.stopped && this.running < FETCH_CONCURRENCY && this.queue.length > 0 && this.opts.online()) {
      const id = this.queue.shift()!;
      this.running++;
      void this.fetchOne(id).finally(() => {
        this.running--;
        this.queued.delete(id);
        this.pump();
        if (this.running === 0 && this.queue.length === 0 && this.moreAfter && this.storedSince > 0) this.sweepSoon('all');
      });
    }
  }

  private async fetchOne(id: string): Promise<void> {
    try {
      const res = await this.opts.hq.fetch(`/v1/style-images/${id}`, { headers: { authorization: `Bearer ${this.opts.token}` } }, FETCH_TIMEOUT_MS);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = Buffer.from(await res.arrayBuffer());
      const mime = sniffImage(data);
      if (!mime || createHash('sha256').update(data).digest('hex') !== id) throw new Error('the bytes are not the picture named');
      if (this.stopped) return;
      this.opts.write(() => this.pq.put(id, mime, data, this.now()));
      this.failedAt.delete(id);
      this.storedSince++;
      this.opts.arrived(id);
    } catch (err) {
      this.failedAt.set(id, this.now());
      this.opts.log(`desk: picture ${id.slice(0, 12)}…: ${(err as Error).message}`);
    }
  }
}
