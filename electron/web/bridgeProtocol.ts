// Frames of the web shell's local bridge (browser ⇄ desk core), shared by the server here and the
// renderer's client (renderer/src/api/webBridge.ts keeps a structural copy: renderer/ may not
// import electron/). JSON text frames over one WebSocket at /bridge?token=…
//
//   browser → desk   {id, method, args}               a DeskApi command, args as an array
//   desk → browser   {id, ok: true, result}           its answer
//                    {id, ok: false, error: {code, message}}
//                    {event, payload}                 a DeskEvents push
import { z } from 'zod';

export const BridgeRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  args: z.array(z.unknown()).max(8),
});
export type BridgeRequest = z.infer<typeof BridgeRequest>;

/** Close codes of the bridge socket. */
export const BridgeClose = {
  /** Missing or wrong token: the page must be reloaded from the URL the desk printed. */
  unauthorized: 4001,
  /** Not JSON, or not a request frame. */
  badFrame: 4000,
  /** The web shell is shutting down. */
  goingAway: 1001,
} as const;

export const BRIDGE_PATH = '/bridge';
/** Room for a chat image (≤ 2 MiB, base64 in sendMessage) plus framing. */
export const MAX_BRIDGE_FRAME_BYTES = 4 * 1024 * 1024;
