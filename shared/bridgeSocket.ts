// The web shell's bridge socket as both ends see it: where it listens, how large a frame may be and
// the codes it closes with. Apart from bridge.ts's frame schema so the page opens it without loading
// the schema library (limits.ts says why).

export const BRIDGE_PATH = '/bridge';

/** Room for a chat image (≤ 2 MiB, base64 in sendMessage) plus framing. */
export const MAX_BRIDGE_FRAME_BYTES = 4 * 1024 * 1024;

/** Close codes of the bridge socket. */
export const BridgeClose = {
  /** Missing or wrong token: the page must be reloaded from the URL the desk printed. */
  unauthorized: 4001,
  /** Not JSON, or not a request frame. */
  badFrame: 4000,
  /** The web shell is shutting down. */
  goingAway: 1001,
} as const;
