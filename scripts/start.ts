// `npm start`: the clerk desk, ready to use.
//
// With no HQ configured it runs a demo HQ in this process (SQLite in .footfall/demo-hq.db, three
// seeded stores, a simulator walking members in every few seconds), enrolls this desk with it,
// and opens the desk. With FOOTFALL_HQ_URL (+ FOOTFALL_ENROLL_CODE the first time) it enrolls
// with a real HQ instead. The enrollment is kept in .footfall/desk.json for the next start.
//
// The desk window is Electron when its binary is installed (`npm run fetch:electron`), else the
// web shell: a local, token-protected page printed here and opened in Chromium's app mode when a
// display is available.
//
// Environment:
//   FOOTFALL_DATA_DIR     where desk.json, desk.db and the demo HQ live (default .footfall)
//   FOOTFALL_HQ_URL       a real HQ: its address, or its nodes' addresses comma-separated
//                         (a,b,c: the desk fails over between them); FOOTFALL_ENROLL_CODE its
//                         one-time enrollment code
//   FOOTFALL_DEVICE_NAME  this counter's name (default "Counter 1")
//   FOOTFALL_STORE        demo store to enroll in (default sh-nanjing)
//   FOOTFALL_DEMO_PORT    demo HQ port (default 4870; a free one if taken)
//   FOOTFALL_WEB_PORT     web shell port (default: a free one)
//   FOOTFALL_NO_BROWSER=1 print the URL only; FOOTFALL_WEB=1 use the web shell even with Electron
//   FOOTFALL_SETUP=1      no demo: the first-run setup screen enrolls the desk with a real HQ
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { build as viteBuild } from 'vite';
import { enroll } from '../electron/desk/deskCore.ts';
import { type DeskConfig, readDeskConfig, writeDeskConfig } from '../electron/host/deskConfig.ts';
import { fileKeyBox } from '../electron/host/secretBox.ts';
import { checkHqUrls } from '../shared/settings.ts';
import { createWebDeskHost } from '../electron/web/webHost.ts';
import { startWebShell } from '../electron/web/webShell.ts';
import { buildElectron } from './build-electron.ts';
import { seedDemo } from '../hq/demo/seed.ts';
import { demoClerks } from '../hq/demo/clerks.ts';
import { startSimulator } from '../hq/demo/simulator.ts';
import { demoMemberLogin } from '../hq/demo/chatSimulator.ts';
import { type HqHandle, startHq } from '../hq/server.ts';

const env = process.env;
const dataDir = resolve(env.FOOTFALL_DATA_DIR ?? '.footfall');
const configPath = join(dataDir, 'desk.json');
const deviceName = env.FOOTFALL_DEVICE_NAME ?? 'Counter 1';
// The device token is sealed in desk.json with a key in desk.key (0600); Electron re-seals it with safeStorage.
const tokenBox = () => fileKeyBox(join(dataDir, 'desk.key'));
const cleanups: Array<() => unknown> = [];

function say(line: string): void {
  console.log(`footfall: ${line}`);
}

async function startDemoHq(): Promise<{ hq: HqHandle; fresh: boolean }> {
  const dbPath = join(dataDir, 'demo-hq.db');
  const fresh = !existsSync(dbPath);
  const preferred = Number(env.FOOTFALL_DEMO_PORT ?? 4870);
  const log = env.FOOTFALL_VERBOSE ? undefined : () => {};
  let hq: HqHandle;
  try {
    hq = await startHq({ dbPath, port: preferred, log });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    say(`port ${preferred} is taken; the demo HQ takes a free one`);
    hq = await startHq({ dbPath, port: 0, log });
  }
  cleanups.push(() => hq.close());
  await seedDemo(hq, {});
  const simulator = await startSimulator(hq, { everyMs: 3500 });
  cleanups.unshift(() => simulator.stop());
  say(`demo HQ at ${hq.url} (simulated arrivals every ~3.5 s)`);
  for (const c of demoClerks([env.FOOTFALL_STORE ?? 'sh-nanjing'])) say(`  sign in at the desk as ${c.name} (${c.role}) with PIN ${c.pin}`);
  const login = await demoMemberLogin(hq, env.FOOTFALL_STORE ?? 'sh-nanjing');
  if (login) say(`play the member: ${login.url}  (card ${login.code}, phone last 4 ${login.phoneLast4})`);
  const storeId = env.FOOTFALL_STORE ?? 'sh-nanjing';
  const example = (await hq.store.read((r) => r.listHomeMembers(storeId)))[0]?.code ?? 'M0000001';
  say(`  walk a member in yourself: curl -X POST ${hq.url}/v1/ingest/arrivals -H 'X-Integration-Key: ${hq.integrationKey}' -H 'Content-Type: application/json' -d '{"storeId":"${storeId}","memberCode":"${example}","source":"door"}'`);
  return { hq, fresh };
}

async function enrollWith(hqUrls: string[], code: string, demo: boolean): Promise<DeskConfig> {
  const answer = await enroll(hqUrls, code, deviceName);
  const config: DeskConfig = {
    hqUrls,
    token: answer.token,
    deviceId: answer.deviceId,
    deviceName,
    storeId: answer.storeId,
    storeName: answer.storeName,
    dbPath: join(dataDir, 'desk.db'),
    demo,
  };
  writeDeskConfig(configPath, config, tokenBox());
  say(`enrolled as "${deviceName}" at ${answer.storeName}`);
  return config;
}

/** Work out which HQ and enrollment to use, enrolling when needed. */
async function prepareDesk(): Promise<DeskConfig | null> {
  const saved = readDeskConfig(configPath, [tokenBox()]);
  // FOOTFALL_SETUP=1: no demo, no enrollment from the environment — the desk's own first-run
  // setup screen asks for the HQ address and code (or opens the enrollment already saved).
  if (env.FOOTFALL_SETUP === '1') return saved && !saved.demo ? saved : null;
  if (env.FOOTFALL_HQ_URL) {
    const checked = checkHqUrls(env.FOOTFALL_HQ_URL);
    if (!checked.ok) {
      const why = checked.problem === 'invalid' ? `"${checked.address}" is not an http:// or https:// address` : checked.problem === 'empty' ? 'no address' : `more than ${checked.max} addresses`;
      throw new Error(`FOOTFALL_HQ_URL: ${why} (give HQ's address, or its nodes' addresses separated by commas)`);
    }
    const hqUrls = checked.urls;
    // One HQ under other addresses (a node added or gone) keeps the enrollment: the token is HQ's, not a node's.
    if (saved && !saved.demo && saved.hqUrls.some((u) => hqUrls.includes(u))) {
      if (saved.hqUrls.join(',') === hqUrls.join(',')) return saved;
      writeDeskConfig(configPath, { ...saved, hqUrls }, tokenBox());
      return { ...saved, hqUrls };
    }
    const code = env.FOOTFALL_ENROLL_CODE;
    if (!code) {
      say(`this desk is not enrolled with ${hqUrls.join(', ')}: enter the code from HQ in the setup screen (or set FOOTFALL_ENROLL_CODE)`);
      return null;
    }
    return enrollWith(hqUrls, code, false);
  }
  if (saved && !saved.demo) return saved;

  const { hq, fresh } = await startDemoHq();
  // A new demo database does not know the old token: enroll again.
  if (saved && !fresh) {
    if (saved.hqUrls.join(',') !== hq.url) writeDeskConfig(configPath, { ...saved, hqUrls: [hq.url] }, tokenBox());
    return { ...saved, hqUrls: [hq.url] };
  }
  return enrollWith([hq.url], await hq.createEnrollmentCode(env.FOOTFALL_STORE ?? 'sh-nanjing'), true);
}

function electronBinary(): string | null {
  if (env.FOOTFALL_WEB === '1') return null;
  try {
    // The electron package exports the binary's path, and throws when it was never downloaded.
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

async function buildRenderer(): Promise<string> {
  await viteBuild({ configFile: resolve('renderer/vite.config.ts'), logLevel: 'warn' });
  return resolve('out/renderer');
}

async function runElectron(binary: string): Promise<void> {
  await buildRenderer();
  await buildElectron();
  say('starting the Electron desk');
  const child = spawn(binary, [resolve('out/electron/main.cjs')], {
    stdio: 'inherit',
    env: { ...env, FOOTFALL_DESK_CONFIG: configPath },
  });
  child.on('exit', (code) => void shutdown(code ?? 0));
}

async function runWebShell(config: DeskConfig | null): Promise<void> {
  const staticDir = await buildRenderer();
  // The desk host: settings, first-run enrollment, logs (<data>/logs), diagnostics, and the desk core.
  const host = createWebDeskHost({ dataDir, echo: env.FOOTFALL_VERBOSE ? (l) => say(`[desk] ${l}`) : undefined });
  cleanups.unshift(() => host.close());
  host.start();
  const shell = await startWebShell({ core: host.api, staticDir, port: Number(env.FOOTFALL_WEB_PORT ?? 0), log: say });
  cleanups.unshift(() => shell.close());
  say(config ? `desk for ${config.storeName} / ${config.deviceName}` : 'desk not enrolled yet: the setup screen asks for the HQ address and enrollment code');
  say(`open ${shell.url}`);
  if (env.FOOTFALL_NO_BROWSER !== '1' && env.DISPLAY && existsSync('/usr/bin/chromium')) {
    const profile = join(dataDir, 'chromium');
    mkdirSync(profile, { recursive: true });
    const browser = spawn('/usr/bin/chromium', [`--app=${shell.url}`, `--user-data-dir=${profile}`, '--no-first-run', '--window-size=1280,800'], {
      stdio: 'ignore',
      detached: true,
    });
    browser.unref();
  }
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch {
      // Keep closing the rest.
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  mkdirSync(dataDir, { recursive: true });
  const config = await prepareDesk();
  const binary = electronBinary();
  if (binary) await runElectron(binary);
  else await runWebShell(config);
} catch (error) {
  console.error(`footfall: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
