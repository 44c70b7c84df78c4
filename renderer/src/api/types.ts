// What the renderer talks to: DeskApi, plus the events a shell sends on its own (ShellEvents,
// declared with the bridge frames in shared/bridge.ts) and, in a browser, the bridge's own state.
import type { DeskApi } from '../../../shared/deskApi.ts';
import type { ShellEvents } from '../../../shared/bridge.ts';

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
