// The layering rules in eslint.config.js must actually fail a wrong import.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('layering lint', () => {
  const cases: Array<[string, string, boolean]> = [
    ['renderer/src/x.ts', "import fs from 'node:fs';\nexport const a = fs;", true],
    ['renderer/src/x.ts', "import { HqServer } from '../../hq/server.ts';\nexport const a = HqServer;", true],
    ['renderer/src/x.ts', "import { DeskCore } from '../../electron/desk/deskCore.ts';\nexport const a = DeskCore;", true],
    ['renderer/src/x.ts', "import { uuidv7 } from '../../shared/ids.ts';\nexport const a = uuidv7;", false],
    ['shared/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;", true],
    ['shared/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['electron/desk/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['electron/desk/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;", false],
    ['renderer/src/x.ts', "import { verifyPin } from '../../shared/node/pin.ts';\nexport const a = verifyPin;", true],
    ['shared/x.ts', "import { verifyPin } from './node/pin.ts';\nexport const a = verifyPin;", true],
    ['shared/node/x.ts', "import { scrypt } from 'node:crypto';\nexport const a = scrypt;", false],
    ['shared/node/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['hq/x.ts', "import { DeskCore } from '../electron/desk/deskCore.ts';\nexport const a = DeskCore;", true],
    // On HQ only adapters import a database or bus driver; use cases and edges go through the ports.
    ['hq/app/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;", true],
    ['hq/app/x.ts', "import pg from 'pg';\nexport const a = pg;", true],
    ['hq/edge/ws/x.ts', "import { connect } from '@nats-io/transport-node';\nexport const a = connect;", true],
    ['hq/server.ts', "import pg from 'pg';\nexport const a = pg;", true],
    ['hq/adapters/postgres/x.ts', "import pg from 'pg';\nexport const a = pg;", false],
    ['hq/adapters/nats/x.ts', "import { connect } from '@nats-io/transport-node';\nexport const a = connect;", false],
    ['hq/adapters/sqlite/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;", false],
    ['hq/adapters/sqlite/x.ts', "import { EventLog } from '../../app/eventLog.ts';\nexport const a = EventLog;", true],
    ['hq/ports/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", true],
    ['hq/app/x.ts', "import { type HqStore } from '../ports/store.ts';\nexport type A = HqStore;", false],
    // The desk side: the core below both shells, the host both shells run, the web shell, and
    // electron-main, the only folder that may import electron.
    ['electron/desk/x.ts', "import { DeskHost } from '../host/deskHost.ts';\nexport const a = DeskHost;", true],
    ['electron/desk/x.ts', "import { startWebShell } from '../web/webShell.ts';\nexport const a = startWebShell;", true],
    ['electron/desk/x.ts', "import { createDeskTray } from '../electron-main/tray.ts';\nexport const a = createDeskTray;", true],
    ['electron/desk/x.ts', "import { Emitter } from '../../shared/emitter.ts';\nexport const a = Emitter;", false],
    ['electron/host/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['electron/host/x.ts', "import { autoUpdater } from 'electron-updater';\nexport const a = autoUpdater;", true],
    ['electron/host/x.ts', "import { safeStorageBox } from '../electron-main/safeStorageBox.ts';\nexport const a = safeStorageBox;", true],
    ['electron/host/x.ts', "import { startWebShell } from '../web/webShell.ts';\nexport const a = startWebShell;", true],
    ['electron/host/x.ts', "import { createDeskClient } from '../../renderer/src/api/client.ts';\nexport const a = createDeskClient;", true],
    ['electron/host/x.ts', "import { startHq } from '../../hq/server.ts';\nexport const a = startHq;", true],
    ['electron/host/x.ts', "import { DeskCore } from '../desk/deskCore.ts';\nexport const a = DeskCore;", false],
    ['electron/host/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;", false],
    ['electron/web/x.ts', "import { app } from 'electron';\nexport const a = app;", true],
    ['electron/web/x.ts', "import { createDeskWindow } from '../electron-main/window.ts';\nexport const a = createDeskWindow;", true],
    ['electron/web/x.ts', "import { createWebBridge } from '../../renderer/src/api/webBridge.ts';\nexport const a = createWebBridge;", true],
    ['electron/web/x.ts', "import { startHq } from '../../hq/server.ts';\nexport const a = startHq;", true],
    ['electron/web/x.ts', "import { DeskHost } from '../host/deskHost.ts';\nexport const a = DeskHost;", false],
    ['electron/web/x.ts', "import { BridgeRequest } from '../../shared/bridge.ts';\nexport const a = BridgeRequest;", false],
    ['electron/electron-main/x.ts', "import { app } from 'electron';\nexport const a = app;", false],
    ['electron/electron-main/x.ts', "import { DeskHost } from '../host/deskHost.ts';\nexport const a = DeskHost;", false],
    ['electron/electron-main/x.ts', "import { DeskCore } from '../desk/deskCore.ts';\nexport const a = DeskCore;", false],
    ['electron/electron-main/x.ts', "import { type ShellEvents } from '../../shared/bridge.ts';\nexport type A = ShellEvents;", false],
    ['electron/electron-main/x.ts', "import { startWebShell } from '../web/webShell.ts';\nexport const a = startWebShell;", true],
    ['electron/electron-main/x.ts', "import { startHq } from '../../hq/server.ts';\nexport const a = startHq;", true],
    ['electron/electron-main/x.ts', "import { createDeskClient } from '../../renderer/src/api/client.ts';\nexport const a = createDeskClient;", true],
    // Tests: unit tests and the shared kit take fixtures from test/support/, never from an integration test.
    ['test/unit/x.test.ts', "import { TestHq } from '../integration/hq-fixture.ts';\nexport const a = TestHq;", true],
    ['test/support/x.ts', "import { waitFor } from '../integration/helpers.ts';\nexport const a = waitFor;", true],
    ['test/unit/x.test.ts', "import { member } from '../support/builders.ts';\nexport const a = member;", false],
    ['test/integration/x.test.ts', "import { TestHq } from '../support/hq.ts';\nexport const a = TestHq;", false],
  ];
  for (const [file, code, fails] of cases) {
    it(`${fails ? 'rejects' : 'allows'} ${code.split('\n')[0]} in ${file}`, async () => {
      const ids = await ruleIds(file, code);
      if (fails) expect(ids).toContain('no-restricted-imports');
      else expect(ids).not.toContain('no-restricted-imports');
    });
  }
});
