// IPC messages between the fault harness and its desk children.
import { type Outcome } from '../../shared/domain.ts';

export interface DeskChildOptions {
  dbPath: string;
  hqUrl: string;
  token: string;
}

export type DeskRequest =
  | { id: number; cmd: 'start' | 'state' | 'stop' }
  | { id: number; cmd: 'act'; action: 'claim' | 'release' | 'note' | 'close'; visitId: string; text?: string; outcome?: Outcome }
  | { id: number; cmd: 'chat'; memberId: string; text: string };
