// The preload exposes exactly DeskApi to the page as `window.footfall` — nothing of ipcRenderer
// itself, so a compromised page can call only the desk's commands with schema-checked arguments.
// Channel names come from the allowlists in electron/host/ipcChannels.ts (the names in
// shared/deskApiNames.ts): nothing here builds a schema, as the preload runs before the page at
// every load (the main process checks every argument, ipcValidation.ts).
// Bundled to CJS with its imports inlined: a sandboxed preload can require only 'electron'.
import { contextBridge, ipcRenderer } from 'electron';
import type { DeskErrorShape } from '../../shared/deskApi.ts';
import { DESK_COMMAND_NAMES } from '../../shared/deskApiNames.ts';
import { COMMAND_CHANNEL_PREFIX, EVENT_CHANNEL_PREFIX, isEventName } from '../host/ipcChannels.ts';

type Reply = { ok: true; result: unknown } | { ok: false; error: DeskErrorShape };

const api: Record<string, unknown> = {};

for (const name of DESK_COMMAND_NAMES) {
  api[name] = async (...args: unknown[]) => {
    const reply = (await ipcRenderer.invoke(COMMAND_CHANNEL_PREFIX + name, ...args)) as Reply;
    if (reply.ok) return reply.result;
    // Errors lose custom properties crossing the context bridge; keep the code in the message.
    throw new Error(`${reply.error.code}: ${reply.error.message}`);
  };
}

api.on = (event: unknown, listener: unknown): (() => void) => {
  if (!isEventName(event) || typeof listener !== 'function') throw new Error('invalid_argument: unknown event');
  const channel = EVENT_CHANNEL_PREFIX + event;
  // Never hand the IpcRendererEvent (which carries `sender`) to the page: payload only.
  const handler = (_event: unknown, payload: unknown) => (listener as (p: unknown) => void)(payload);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
};

contextBridge.exposeInMainWorld('footfall', api);
