// The real stack for browser tests: an HQ on a free port with a temp SQLite file and a tiny
// seeded catalog, a desk core enrolled with it on its own temp file, the web shell serving the
// built renderer, and Debian's Chromium driven by playwright-core. No fakes anywhere.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DeskCore, enroll } from '../../electron/desk/deskCore.ts';
import { startWebShell, type WebShellHandle } from '../../electron/web/webShell.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';

export const STORE = 'sh-nanjing';
/** Demo clerks of the store (hq/demo/clerks.ts). */
export const DEMO_CLERK = { id: 'sh-nanjing-c1', pin: '1001' };
export const DEMO_MANAGER = { id: 'sh-nanjing-mgr', pin: '9000' };
export const CHROMIUM = process.env.FOOTFALL_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Where the browser tests put their screenshots: a temp folder, unless FOOTFALL_SHOTS_DIR names one
 * (`FOOTFALL_SHOTS_DIR=docs/screenshots npm run test:e2e` retakes the screens the docs show). A test
 * run never rewrites the repository's files by itself.
 */
export function shotPath(name: string): string {
  const dir = resolve(process.env.FOOTFALL_SHOTS_DIR ?? join(tmpdir(), 'footfall-e2e-shots'));
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface Stack {
  hq: HqHandle;
  core: DeskCore;
  shell: WebShellHandle;
  browser: Browser;
  page: Page;
  dir: string;
  /** Member ids of the store, for arrivals. */
  members: string[];
  /** POST /v1/ingest/arrivals as a door integration would; returns the visit id. */
  arrive(memberId: string): Promise<{ visitId: string; status: string }>;
  /** Stop HQ (sockets closed, DB closed). */
  killHq(): Promise<void>;
  /** Start HQ again on the same DB file and port. */
  restartHq(): Promise<void>;
  /** Stop the web shell and start a new one on the same port and token (the desk process restarting its UI host). */
  restartShell(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  locale?: string;
  viewport?: { width: number; height: number };
  deviceName?: string;
  /** Let the test inject scripts (axe) past the page's CSP, which rightly blocks inline script. */
  bypassCsp?: boolean;
  /** The clerk signed in at the desk before the page opens; default a demo clerk, null = nobody. */
  clerk?: { id: string; pin: string } | null;
  /** The browser's time zone (the desk's, which is the store's), e.g. 'Asia/Shanghai'; default the machine's. 7/8 restock2 */
  timezoneId?: string;
  /** 7/8: the member-side assistant (on in the demo); off for tests that count a conversation's messages. */
  assistant?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-'));
  const hqDb = join(dir, 'hq.db');
  const quiet = () => {};
  let hq = await startHq({ dbPath: hqDb, port: 0, log: quiet, ...(options.assistant === false ? { assistant: false } : {}) });
  const port = hq.port;
  await seedDemo(hq, { members: 50, styles: 20, seed: 7 });
  const members = (await hq.store.read((r) => r.listHomeMembers(STORE))).map((m) => m.id);
  const identity = await enroll(hq.url, await hq.createEnrollmentCode(STORE), options.deviceName ?? 'Counter 1');
  const core = DeskCore.open({
    dbPath: join(dir, 'desk.db'),
    hqUrls: [hq.url],
    token: identity.token,
    // Reconnect quickly so the restart test does not wait on a long backoff.
    reconnect: { minMs: 100, maxMs: 400 },
  });
  core.start();
  const clerk = options.clerk === undefined ? DEMO_CLERK : options.clerk;
  if (clerk) {
    const deadline = Date.now() + 10_000;
    // Online first, so the clerk signs in at HQ as at a counter with a network (not from the cached hash).
    while (((await core.listClerks()).length === 0 || (await core.getConnection()).status !== 'online') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const signedIn = await core.signIn(clerk.id, clerk.pin);
    if (!signedIn.ok) throw new Error(`stack: clerk sign-in failed: ${signedIn.reason}`);
  }
  let shell = await startWebShell({ core, staticDir: resolve('out/renderer') });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, locale: options.locale ?? 'en-US', bypassCSP: options.bypassCsp ?? false, ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}) });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(shell.url);
  await page.locator(clerk ? '.conn[data-status="online"]' : '.signin').waitFor({ timeout: 15_000 });

  let hqUp = true;
  const stack: Stack = {
    get hq() {
      return hq;
    },
    core,
    get shell() {
      return shell;
    },
    browser,
    page,
    dir,
    members,
    async arrive(memberId) {
      const res = await fetch(`${hq.url}/v1/ingest/arrivals`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Integration-Key': hq.integrationKey },
        body: JSON.stringify({ storeId: STORE, memberId, source: 'door' }),
      });
      if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { visitId: string; status: string };
    },
    async killHq() {
      await hq.close();
      hqUp = false;
    },
    async restartHq() {
      hq = await startHq({ dbPath: hqDb, port, log: quiet, ...(options.assistant === false ? { assistant: false } : {}) });
      hqUp = true;
    },
    async restartShell() {
      const { port: shellPort, token } = shell;
      await shell.close();
      shell = await startWebShell({ core, staticDir: resolve('out/renderer'), port: shellPort, token });
    },
    async close() {
      await browser.close().catch(() => {});
      await shell.close();
      await core.close();
      if (hqUp) await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Start recording, in the page, whether an element matching `selector` ever appears. */
export async function watchFor(page: Page, key: string, selector: string): Promise<void> {
  await page.evaluate(
    ({ key, selector }) => {
      const w = window as unknown as Record<string, boolean>;
      w[key] = document.querySelector(selector) !== null;
      new MutationObserver(() => {
        if (document.querySelector(selector)) w[key] = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    },
    { key, selector },
  );
}

export async function sawIt(page: Page, key: string): Promise<boolean> {
  return page.evaluate((key) => (window as unknown as Record<string, boolean>)[key] === true, key);
}
