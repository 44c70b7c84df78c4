// What the renderer talks to: DeskApi, plus the one shell event the Electron shell may send
// (`openVisit`, when the clerk clicks an arrival notification). The Electron shell declares the
// same name in electron/shell/ipcValidation.ts; the folders may not import each other.
import type { DeskApi } from '../../../shared/deskApi.ts';

export interface ShellEvents {
  /** An arrival notification clicked (with its visit), or a chat notification (`visitId` null). */
  openVisit: { visitId: string | null; memberId: string };
  /** The tray menu's "Settings…" (issue 8). */
  openSettings: Record<string, never>;
}

/** Bridge-level state of the web shell transport (Electron IPC is always "up"). */
export type BridgeState = 'connecting' | 'up' | 'down' | 'unauthorized';

export interface DeskClient extends DeskApi {
  onShell?<E extends keyof ShellEvents>(event: E, listener: (payload: ShellEvents[E]) => void): () => void;
  onBridge?(listener: (state: BridgeState) => void): () => void;
}

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a plain browser (the web shell). */
    footfall?: DeskApi;
  }
}
