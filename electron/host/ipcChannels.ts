// The IPC channels and the names allowed on them, apart from ipcValidation.ts's schema checks: the
// sandboxed preload needs only these, and runs before the page at every load, so it must not build
// DeskCommands' schemas (the page builds none at start: shared/limits.ts says why). No `electron`
// import: the web shell and unit tests use this module in plain Node.
import type { ShellEventName } from '../../shared/bridge.ts';
import type { DeskEventName } from '../../shared/deskApi.ts';
import { DESK_COMMAND_NAMES, DESK_EVENT_NAMES, type DeskCommandName, SHELL_EVENT_NAMES } from '../../shared/deskApiNames.ts';

/** IPC channel names. Commands are invoked on `footfall:cmd:<name>`, events arrive on `footfall:ev:<name>`. */
export const COMMAND_CHANNEL_PREFIX = 'footfall:cmd:';
export const EVENT_CHANNEL_PREFIX = 'footfall:ev:';

// The event channels carry DeskEvents and the shell's own events (ShellEvents, shared/bridge.ts).
export const COMMAND_CHANNELS: readonly string[] = DESK_COMMAND_NAMES.map((n) => COMMAND_CHANNEL_PREFIX + n);
export const EVENT_CHANNELS: readonly string[] = [...DESK_EVENT_NAMES, ...SHELL_EVENT_NAMES].map((n) => EVENT_CHANNEL_PREFIX + n);

const commandNames: ReadonlySet<string> = new Set(DESK_COMMAND_NAMES);
const eventNames: ReadonlySet<string> = new Set<string>([...DESK_EVENT_NAMES, ...SHELL_EVENT_NAMES]);

export function isCommandName(name: unknown): name is DeskCommandName {
  // `Object.hasOwn`-style check through the Set, so "constructor" or "__proto__" never match.
  return typeof name === 'string' && commandNames.has(name);
}

export function isEventName(name: unknown): name is DeskEventName | ShellEventName {
  return typeof name === 'string' && eventNames.has(name);
}
