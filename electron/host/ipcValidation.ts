// Validation of commands crossing into the desk core, shared by both transports (Electron IPC and
// the web shell's WebSocket bridge): a command name must be one of DeskCommands and its arguments
// must match that command's schema. Whatever the page sends is untrusted until it passes here.
// No `electron` import: the web shell and unit tests use this module in plain Node.
import type { DeskCommandName } from '../../shared/deskApiNames.ts';
import { type DeskApi, type DeskCoreApi, DeskError, DeskCommands, type DeskErrorShape } from '../../shared/deskApi.ts';
import { describeIssues } from '../../shared/protocol.ts';

// The channels and the name checks live in ipcChannels.ts (the preload loads that, not this).
import { COMMAND_CHANNEL_PREFIX, isCommandName } from './ipcChannels.ts';

export type ValidCommand = { ok: true; method: DeskCommandName; args: unknown[] };
export type InvalidCommand = { ok: false; error: DeskErrorShape };

/** Check a command name and its argument list against DeskCommands. */
export function validateCommand(method: unknown, args: unknown): ValidCommand | InvalidCommand {
  if (!isCommandName(method)) {
    return { ok: false, error: { code: 'invalid_argument', message: `unknown command ${JSON.stringify(String(method)).slice(0, 80)}` } };
  }
  if (!Array.isArray(args)) {
    return { ok: false, error: { code: 'invalid_argument', message: `${method}: arguments must be an array` } };
  }
  const schema = DeskCommands[method];
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_argument', message: `${method}: ${describeIssues(parsed.error)}` } };
  }
  return { ok: true, method, args: parsed.data as unknown[] };
}

/** Check an IPC channel (footfall:cmd:<name>) and its arguments. */
export function validateInvoke(channel: unknown, args: unknown): ValidCommand | InvalidCommand {
  if (typeof channel !== 'string' || !channel.startsWith(COMMAND_CHANNEL_PREFIX)) {
    return { ok: false, error: { code: 'invalid_argument', message: 'unknown channel' } };
  }
  return validateCommand(channel.slice(COMMAND_CHANNEL_PREFIX.length), args);
}

/** Call a validated command on the desk core. */
export async function dispatchCommand(core: DeskApi | DeskCoreApi, command: ValidCommand): Promise<unknown> {
  // A bare desk core (tests, the e2e stack) has no shell commands (settings, enroll…).
  const fn = (core as unknown as Record<string, unknown>)[command.method];
  if (typeof fn !== 'function') throw new DeskError('not_found', `${command.method} is not available in this shell`);
  return (fn as (...args: unknown[]) => Promise<unknown>).apply(core, command.args);
}

/** Turn anything thrown by the desk core into the error shape the UI understands. */
export function toErrorShape(error: unknown): DeskErrorShape {
  const codes: ReadonlyArray<DeskErrorShape['code']> = ['invalid_argument', 'not_found', 'not_allowed', 'storage', 'internal'];
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && (codes as readonly string[]).includes(code)) {
      return { code: code as DeskErrorShape['code'], message: String((error as { message: unknown }).message).slice(0, 500) };
    }
  }
  // Unknown failures are reported without their internals (stack, SQL) to the page.
  return { code: 'internal', message: 'the desk could not complete this action' };
}
