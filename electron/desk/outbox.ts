// The outbox: the clerk's actions, queued durably and sent to HQ in the order the clerk made them.
//
// Invariant: an op is on disk (its commit fsynced) before the clerk sees it pending, and leaves the
// outbox only when HQ settled it (inbox.ts). Ops go out in ordinal order, each at most once per
// connection: a new connection resends whatever is still pending, and HQ answers `duplicate` for an
// op it already has. An image message waits for its upload, and so does every op after it.
import { uuidv7 } from '../../shared/ids.ts';
import type { CmdFrame, CommandPayload, CommandType } from '../../shared/protocol.ts';
import type { CacheQueries, NewOp, OpData, OpOf, OutboxOp, QueuedChatSend } from './cache/queries.ts';
import { uploadImage } from './chat/hqChatHttp.ts';
import type { HqHttp } from './hqAddresses.ts';
import { HttpStatusError } from './hqHttp.ts';
import type { StorageGuard } from './upkeep/storageGuard.ts';

export interface OutboxOptions {
  hq: HqHttp;
  token: string;
  log: (line: string) => void;
  stats: { commandsSent: number };
  /** The signed-in clerk, recorded with the op: HQ credits who acted even if it is sent later. */
  clerkId(): string | null;
  /** The session is live: commands may go out. */
  live(): boolean;
  /** Sends on the current link; false when it is not open. */
  send(frame: CmdFrame): boolean;
  /** A queued message was refused before reaching HQ (its image is gone or was not accepted). */
  refused(memberId: string): void;
}

export class Outbox {
  /** opIds sent on the current connection (a new connection resends whatever is still pending). */
  private readonly sent = new Set<string>();
  /** Image uploads in flight, by opId. */
  private readonly uploading = new Set<string>();
  private uploadRetry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly q: CacheQueries,
    private readonly guard: StorageGuard,
    private readonly opts: OutboxOptions,
  ) {}

  /** Queues an action durably (with the signed-in clerk); answers its opId. `subject`: a visit id or chat:<memberId>. */
  enqueue<T extends CommandType>(type: T, subject: string, data: OpData<T>): string {
    const opId = uuidv7();
    const clerkId = this.opts.clerkId();
    // A NewOp of type T: TypeScript does not narrow the union from a generic T.
    const op = { opId, type, visitId: subject, data: clerkId ? { ...data, clerkId } : data, createdAt: Date.now() } as NewOp;
    this.guard.write(() => this.q.insertOp(op), true);
    return opId;
  }

  /** What the outbox holds, in order. */
  list(): OutboxOp[] {
    return this.q.listOps();
  }

  /** A new connection: nothing is in flight on it. */
  linkOpened(): void {
    this.sent.clear();
  }

  /** HQ settled or refused these: they are no longer in flight. */
  answered(opIds: readonly string[]): void {
    for (const id of opIds) this.sent.delete(id);
  }

  flushIfLive(): void {
    if (this.opts.live()) this.flush();
  }

  /** Sends every pending op not yet sent on this connection, in the order the clerk acted. */
  flush(): void {
    for (const op of this.q.listOps()) {
      if (op.state !== 'pending' || this.sent.has(op.opId)) continue;
      // An image message waits for its upload, and so does everything after it: order is kept.
      if (op.type === 'chat.send' && op.data.kind === 'image' && !op.data.imageId) return this.startUpload(op, op.data);
      if (!this.opts.send(wireCommand(op))) return;
      this.sent.add(op.opId);
      this.opts.stats.commandsSent++;
    }
  }

  close(): void {
    this.closed = true;
    if (this.uploadRetry) clearTimeout(this.uploadRetry);
  }

  /** Uploads the image of a queued message, then lets the flush go on; failures retry or reject. */
  private startUpload(op: OpOf<'chat.send'>, data: Extract<QueuedChatSend, { kind: 'image' }>): void {
    if (this.uploading.has(op.opId)) return;
    this.uploading.add(op.opId);
    const local = this.q.chat.getUpload(data.uploadId);
    const done = () => this.uploading.delete(op.opId);
    if (!local) {
      done();
      this.q.tx(() => this.q.markRejected(op.opId, { code: 'invalid', message: 'the image of this message is gone' }));
      this.opts.refused(data.memberId);
      return;
    }
    const finish = (remoteId: string) => {
      this.q.tx(() => {
        this.q.chat.setUploaded(data.uploadId, remoteId);
        this.q.chat.setOpData(op.opId, { ...op.data, imageId: remoteId });
        this.q.chat.putImage(remoteId, local.mime, local.bytes, Date.now());
      });
      done();
      this.flushIfLive();
    };
    if (local.remoteId) return finish(local.remoteId);
    uploadImage(this.opts.hq, this.opts.token, local.bytes, local.mime).then(
      (ref) => {
        if (!this.closed) finish(ref.id);
      },
      (err: unknown) => {
        done();
        if (this.closed) return;
        if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429) {
          this.q.tx(() => this.q.markRejected(op.opId, { code: 'invalid', message: (err as Error).message }));
          this.opts.refused(data.memberId);
          this.flushIfLive();
          return;
        }
        this.opts.log(`desk: image upload: ${(err as Error).message}; retrying`);
        this.uploadRetry ??= setTimeout(() => {
          this.uploadRetry = null;
          this.flushIfLive();
        }, 2000);
      },
    );
  }
}

/**
 * The `cmd` frame of a queued op: its payload as the protocol has it, the clerk and the action time
 * beside it, and a chat.send without the desk's own bookkeeping (an image goes by HQ's imageId, once uploaded). Pure.
 */
export function wireCommand(op: OutboxOp): CmdFrame {
  const { clerkId, ...payload } = op.data;
  const data = op.type === 'chat.send' ? chatSendPayload(op.data) : payload;
  // `data` is op.type's payload (OpData<T> without clerkId); TypeScript cannot follow the pairing across the union.
  // `at`: when the clerk acted, by this desk's clock; HQ corrects it by the offset learned at hello.
  return { t: 'cmd', opId: op.opId, type: op.type, data, ...(typeof clerkId === 'string' ? { clerkId } : {}), at: op.createdAt } as CmdFrame;
}

function chatSendPayload(d: QueuedChatSend): CommandPayload<'chat.send'> {
  const base = { memberId: d.memberId, clientId: d.clientId };
  if (d.kind === 'text') return { ...base, kind: 'text', text: d.text };
  if (d.kind === 'product') return { ...base, kind: 'product', styleId: d.styleId };
  return { ...base, kind: 'image', imageId: d.imageId! };
}
