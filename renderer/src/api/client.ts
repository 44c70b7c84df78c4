// The one DeskClient of the page, chosen here and nowhere else: the Electron preload's
// window.footfall when present, else the web bridge to the web shell that served the page.
// main.tsx creates it once and hands it to the stores (state/stores.ts).
import type { ShellEvents } from '../../../shared/bridge.ts';
import type { DeskClient } from './types.ts';
import { bridgeUrlFromLocation, createWebBridge } from './webBridge.ts';

export function createDeskClient(): DeskClient {
  const ipc = window.footfall;
  if (ipc) {
    // The preload's `on` also carries the shell's own events (ShellEvents), on the same channel scheme.
    const on = ipc.on as unknown as (event: string, listener: (payload: unknown) => void) => () => void;
    const client: DeskClient = Object.assign(Object.create(null) as object, ipc, {
      onShell<E extends keyof ShellEvents>(event: E, listener: (payload: ShellEvents[E]) => void) {
        return on(event, listener as (payload: unknown) => void);
      },
    });
    return client;
  }
  return createWebBridge({ url: bridgeUrlFromLocation(window.location) });
}
