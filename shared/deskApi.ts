// DeskApi: the one contract between the desk core and the UI, whatever carries it
// (Electron IPC through the preload, or the web shell's local WebSocket bridge).
//
// Every command is listed in `DeskCommands` with a schema for its arguments, so each transport
// validates what it receives before the desk core sees it (IPC arguments are untrusted input).
import { z } from 'zod';
import { type Category, Id, type Member, type MemberProfile, Millis, type Note, Outcome, type Tier, type Visit } from './domain.ts';
import type { Rejection } from './protocol.ts';

/** Where HQ stands with a local change: sent and waiting, applied, or refused (with why). */
export type SyncState = 'pending' | 'confirmed' | 'rejected';

export type ConnectionStatus = 'online' | 'connecting' | 'offline';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Commands in the outbox that HQ has not answered yet. */
  queued: number;
  /** When the status last changed (epoch ms). */
  since: number;
  /** Next reconnect attempt (epoch ms) while offline. */
  retryAt: number | null;
  lastError: string | null;
  /** The store's head seq as last heard from HQ, and ours: lag = head - position. */
  head: number;
  position: number;
}

/** A note as the desk shows it: confirmed notes from HQ plus local ones still pending. */
export interface NoteView extends Note {
  sync: SyncState;
}

/** A visit as the desk shows it, with the local optimistic overlay applied. */
export interface VisitView extends Omit<Visit, 'notes'> {
  notes: NoteView[];
  member: Pick<Member, 'id' | 'code' | 'name' | 'nameEn' | 'tier' | 'sizes' | 'preferences' | 'phoneMasked'>;
  /** State of the last local action on this visit. Null when nothing local is outstanding. */
  sync: SyncState | null;
  /** The local action that is pending or was rejected, e.g. "claim". */
  pendingAction: 'claim' | 'release' | 'close' | 'note' | null;
  rejection: Rejection | null;
}

export interface MemberSearchHit {
  id: string;
  code: string;
  name: string;
  nameEn: string;
  tier: Tier;
  phoneMasked: string;
  lastVisitAt: number | null;
}

export interface DeskIdentity {
  storeId: string;
  storeName: string;
  deviceId: string;
  deviceName: string;
  /** URL of the HQ this desk is enrolled with. */
  hqUrl: string;
}

export const ListArrivalsArgs = z
  .object({
    limit: z.number().int().min(1).max(10_000).optional(),
    /** Only visits that arrived at or after this time. */
    since: Millis.optional(),
  })
  .strict();
export const ListVisitsArgs = z
  .object({
    from: Millis.optional(),
    to: Millis.optional(),
    status: z.enum(['open', 'claimed', 'closed']).optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();
export const SearchArgs = z.object({ query: z.string().max(60), limit: z.number().int().min(1).max(100).optional() }).strict();
export const NoteText = z.string().trim().min(1).max(2000);

/** Command name → schema of its argument tuple. The IPC and web bridges validate against these. */
export const DeskCommands = {
  getIdentity: z.tuple([]),
  getConnection: z.tuple([]),
  listArrivals: z.tuple([ListArrivalsArgs]),
  listVisits: z.tuple([ListVisitsArgs]),
  getVisit: z.tuple([Id]),
  getMember: z.tuple([Id]),
  searchMembers: z.tuple([SearchArgs]),
  claimVisit: z.tuple([Id]),
  releaseVisit: z.tuple([Id]),
  addNote: z.tuple([Id, NoteText]),
  closeVisit: z.tuple([Id, Outcome, NoteText.optional()]),
  /** Ask the link to try HQ now instead of waiting for the backoff timer. */
  reconnectNow: z.tuple([]),
} as const;
export type DeskCommandName = keyof typeof DeskCommands;
export const DESK_COMMAND_NAMES = Object.keys(DeskCommands) as DeskCommandName[];

/** Result of a local action: the opId it was queued under. */
export interface ActionResult {
  opId: string;
}

/** Events pushed from the desk core to the UI. */
export interface DeskEvents {
  /** Connection state changed (status, queued count, lag). */
  connection: ConnectionState;
  /** A new member arrived (not a repeat within 30 minutes): raise an alert. */
  arrival: { visit: VisitView };
  /** One or more visits changed (HQ event, local action, or a rejection). */
  visits: { visits: VisitView[] };
  /** A member profile changed. */
  member: { memberId: string };
  /** The cache was rebuilt from a snapshot: reload everything. */
  reset: { at: number };
}
export type DeskEventName = keyof DeskEvents;
export const DESK_EVENT_NAMES: DeskEventName[] = ['connection', 'arrival', 'visits', 'member', 'reset'];

export interface MemberView extends MemberProfile {
  /** Visits of this member at this store, newest first (cache only). */
  visits: VisitView[];
  notes: NoteView[];
}

/** The API the renderer calls. All methods are async because they cross a process boundary. */
export interface DeskApi {
  getIdentity(): Promise<DeskIdentity | null>;
  getConnection(): Promise<ConnectionState>;
  listArrivals(args: z.infer<typeof ListArrivalsArgs>): Promise<VisitView[]>;
  listVisits(args: z.infer<typeof ListVisitsArgs>): Promise<VisitView[]>;
  getVisit(visitId: string): Promise<VisitView | null>;
  getMember(memberId: string): Promise<MemberView | null>;
  searchMembers(args: z.infer<typeof SearchArgs>): Promise<MemberSearchHit[]>;
  claimVisit(visitId: string): Promise<ActionResult>;
  releaseVisit(visitId: string): Promise<ActionResult>;
  addNote(visitId: string, text: string): Promise<ActionResult>;
  closeVisit(visitId: string, outcome: Outcome, note?: string): Promise<ActionResult>;
  reconnectNow(): Promise<void>;
  on<E extends DeskEventName>(event: E, listener: (payload: DeskEvents[E]) => void): () => void;
}

/** Errors crossing the bridge carry a stable code the UI can translate. */
export interface DeskErrorShape {
  code: 'invalid_argument' | 'not_found' | 'not_allowed' | 'storage' | 'internal';
  message: string;
}

export class DeskError extends Error implements DeskErrorShape {
  constructor(
    public code: DeskErrorShape['code'],
    message: string,
  ) {
    super(message);
    this.name = 'DeskError';
  }
}

export type { Category };
