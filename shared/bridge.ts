// The contract between a shell and the renderer beyond DeskApi itself, declared once for both
// sides: the events a shell sends on its own (not the desk core's), and the frames of the web
// shell's local bridge (browser ⇄ desk host). The Electron main process, the web shell and the
// renderer's client all import them from here, so a change to one side fails to compile on the other.
//
// The bridge: JSON text frames over one WebSocket at BRIDGE_PATH?token=…
//
//   browser → desk   {id, method, args}               a DeskApi command, args as an array
//   desk → browser   {id, ok: true, result}           its answer
//                    {id, ok: false, error: {code, message}}
//                    {event, payload}                 a DeskEvents push
import { z } from 'zod';
import type { DeskErrorShape, DeskEventName } from './deskApi.ts';

/**
 * Events a shell sends by itself, besides DeskEvents. `openVisit` comes when the clerk clicks an
 * arrival notification (with its visit) or a chat notification (`visitId` null), so the renderer
 * opens that member; `openSettings` from the tray menu's "Settings…". Only the Electron shell
 * sends them today; the preload lets them through on the same `on` as the desk's events.
 */
export interface ShellEvents {
  openVisit: { visitId: string | null; memberId: string };
  openSettings: Record<string, never>;
}
export type ShellEventName = keyof ShellEvents;
// Their names, for the preload and the IPC allowlists: deskApiNames.ts (no schemas there).


/** browser → desk: a command. The method and its arguments are checked against DeskCommands after this. */
export const BridgeRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  args: z.array(z.unknown()).max(8),
});
export type BridgeRequest = z.infer<typeof BridgeRequest>;

/** desk → browser: the answer to request `id`. */
export type BridgeReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: DeskErrorShape };

/** desk → browser: a DeskEvents push. */
export interface BridgeEventFrame {
  event: DeskEventName;
  payload: unknown;
}

/** Every frame the desk sends the browser. */
export type BridgeServerFrame = BridgeReply | BridgeEventFrame;
