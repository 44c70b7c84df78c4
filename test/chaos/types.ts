// IPC messages between the fault harness and its desk children.
import { type ServedOutcome as Outcome } from '../../shared/domain.ts';

export interface DeskChildOptions {
  dbPath: string;
  /** One HQ (the single-node run) … */
  hqUrl?: string;
  /** … or every node of a cluster (through their proxies); the desk starts at `first` and fails over. */
  hqUrls?: string[];
  first?: number;
  token: string;
}

export type DeskRequest =
  | { id: number; cmd: 'start' | 'state' | 'stop' | 'conn' }
  | { id: number; cmd: 'act'; action: 'claim' | 'release' | 'note' | 'close'; visitId: string; text?: string; outcome?: Outcome }
  | { id: number; cmd: 'chat'; memberId: string; text: string };
