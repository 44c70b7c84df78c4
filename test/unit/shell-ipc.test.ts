// IPC validation and the window's security flags, tested without the Electron binary.
import { describe, expect, it } from 'vitest';
import { DESK_EVENT_NAMES, DESK_COMMAND_NAMES } from '../../shared/deskApiNames.ts';
import { toErrorShape, validateCommand, validateInvoke } from '../../electron/host/ipcValidation.ts';
import { COMMAND_CHANNEL_PREFIX, COMMAND_CHANNELS, EVENT_CHANNELS, isEventName } from '../../electron/host/ipcChannels.ts';
import { windowOptions } from '../../electron/electron-main/windowOptions.ts';

describe('channel allowlist', () => {
  it('has one channel per DeskApi command and event', () => {
    expect(COMMAND_CHANNELS).toHaveLength(DESK_COMMAND_NAMES.length);
    for (const name of DESK_EVENT_NAMES) expect(EVENT_CHANNELS).toContain(`footfall:ev:${name}`);
    expect(EVENT_CHANNELS).toContain('footfall:ev:openVisit');
  });
  it('knows events by exact name only', () => {
    expect(isEventName('arrival')).toBe(true);
    expect(isEventName('openVisit')).toBe(true);
    expect(isEventName('constructor')).toBe(false);
    expect(isEventName('__proto__')).toBe(false);
  });
});

describe('validateInvoke', () => {
  it('accepts a known command with valid args', () => {
    expect(validateInvoke(`${COMMAND_CHANNEL_PREFIX}claimVisit`, ['v1'])).toEqual({ ok: true, method: 'claimVisit', args: ['v1'] });
    expect(validateInvoke(`${COMMAND_CHANNEL_PREFIX}closeVisit`, ['v1', 'purchased', '  bought the runners '])).toEqual({
      ok: true,
      method: 'closeVisit',
      args: ['v1', 'purchased', 'bought the runners'],
    });
    expect(validateInvoke(`${COMMAND_CHANNEL_PREFIX}listArrivals`, [{ limit: 50 }]).ok).toBe(true);
  });
  it.each([
    ['footfall:cmd:deleteEverything', []],
    ['footfall:cmd:constructor', []],
    ['footfall:cmd:__proto__', []],
    ['footfall:cmd:on', ['arrival']],
    ['ipc:claimVisit', ['v1']],
    [42, []],
  ])('rejects bad channel %s', (channel, args) => {
    const result = validateInvoke(channel, args);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid_argument');
  });
  it.each([
    ['claimVisit', []],
    ['claimVisit', ['']],
    ['claimVisit', [{ id: 'v1' }]],
    ['claimVisit', ['v1', 'extra']],
    ['addNote', ['v1', '   ']],
    ['addNote', ['v1', 'x'.repeat(2001)]],
    ['closeVisit', ['v1', 'stolen']],
    ['listArrivals', [{ limit: 0 }]],
    ['listArrivals', [{ limit: 10, sql: 'drop table' }]],
    ['searchMembers', [{ query: 'x'.repeat(61) }]],
    ['getIdentity', ['x']],
  ])('rejects bad args for %s %j', (method, args) => {
    const result = validateCommand(method, args);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_argument');
      expect(result.error.message).toContain(method);
    }
  });
  it('rejects non-array args', () => {
    expect(validateCommand('claimVisit', 'v1').ok).toBe(false);
  });
});

describe('toErrorShape', () => {
  it('keeps desk error codes and hides everything else', () => {
    expect(toErrorShape({ code: 'not_found', message: 'no such visit' })).toEqual({ code: 'not_found', message: 'no such visit' });
    expect(toErrorShape(new Error('SQLITE_BUSY: database is locked at /home/x'))).toEqual({
      code: 'internal',
      message: 'the desk could not complete this action',
    });
  });
});

describe('window options', () => {
  it('isolates the renderer', () => {
    const options = windowOptions({ preloadPath: '/app/preload.cjs', title: 'Footfall' });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.show).toBe(false);
    expect(options.width).toBe(1280);
  });
});
