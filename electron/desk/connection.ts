// ConnectionState as the UI sees it: derived from the link (phase, retry, error), the session
// (live, head), the cache (position, queued ops) and the disk (storage health).
//
// Invariant: `connection` is emitted only when something in it changed, and `since` moves only
// when the status does.
import type { ConnectionState, StorageHealth } from '../../shared/deskApi.ts';
import type { LinkPhase } from './link.ts';

/** What the state is derived from, read fresh at each refresh. */
export interface ConnectionInputs {
  /** The link's phase; 'idle' before start. */
  phase: LinkPhase;
  /** The session is caught up and sending commands. */
  live: boolean;
  /** The link's next attempt while it waits. */
  retryAt: number | null;
  /** The link's last error; null keeps the one noted earlier (an HQ error frame, a refused snapshot). */
  linkError: string | null;
  head: number;
  position: number;
  queued: number;
  storage: StorageHealth;
}

/** The next state, or null when nothing the UI shows changed. Pure. */
export function nextConnection(prev: ConnectionState, i: ConnectionInputs, now: number): ConnectionState | null {
  const status: ConnectionState['status'] = i.phase === 'open' && i.live ? 'online' : i.phase === 'open' || i.phase === 'connecting' ? 'connecting' : 'offline';
  const next: ConnectionState = {
    status,
    queued: i.queued,
    since: status === prev.status ? prev.since : now,
    retryAt: i.phase === 'waiting' ? i.retryAt : null,
    lastError: i.linkError ?? prev.lastError,
    head: Math.max(i.head, i.position),
    position: i.position,
    storage: i.storage,
  };
  const same =
    prev.status === next.status &&
    prev.queued === next.queued &&
    prev.retryAt === next.retryAt &&
    prev.lastError === next.lastError &&
    prev.head === next.head &&
    prev.position === next.position &&
    prev.storage === next.storage;
  return same ? null : next;
}

export class ConnectionTracker {
  private current: ConnectionState;
  private stopped = false;

  constructor(
    initial: ConnectionState,
    private readonly read: () => ConnectionInputs,
    private readonly changed: (state: ConnectionState) => void,
  ) {
    this.current = initial;
  }

  /** A copy of the current state. */
  get state(): ConnectionState {
    return { ...this.current };
  }

  /** Recompute from the inputs; emits when the state changed. */
  refresh(): void {
    if (this.stopped) return;
    const next = nextConnection(this.current, this.read(), Date.now());
    if (!next) return;
    this.current = next;
    this.changed({ ...next });
  }

  /** HQ said what went wrong (an error frame, a refused snapshot): shown until the link has its own error. */
  noteError(message: string): void {
    this.current.lastError = message;
  }

  /** The desk closed: nothing more is emitted. */
  stop(): void {
    this.stopped = true;
  }
}
