// Pick the transport: the Electron preload's window.footfall when present, else the web bridge.
import type { DeskClient, ShellEvents } from './types.ts';
import { bridgeUrlFromLocation, createWebBridge } from './webBridge.ts';

export function createDeskClient(): DeskClient {
  const ipc = window.footfall;
  if (ipc) {
    // The preload's `on` also carries the shell's own events (see electron/shell/ipcValidation.ts).
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
