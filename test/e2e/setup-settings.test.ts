// First run and settings in a real browser: the first-run setup screen and the settings dialog, against a real HQ
// (port 0, temp SQLite), the web desk host (settings, enrollment, token sealing in a temp data dir)
// behind the web shell, and Debian's Chromium. No fakes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type DeskHost } from '../../electron/host/deskHost.ts';
import { createWebDeskHost } from '../../electron/web/webHost.ts';
import { startWebShell, type WebShellHandle } from '../../electron/web/webShell.ts';
import { seedDemo } from '../../hq/demo/seed.ts';
import { type HqHandle, startHq } from '../../hq/server.ts';
import { CHROMIUM, DEMO_CLERK, shotPath, STORE } from './stack.ts';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const arrival = (visitId: string) => `li.arrival[data-visit-id="${visitId}"]`;

interface Rig {
  hq: HqHandle;
  dir: string;
  host: DeskHost;
  shell: WebShellHandle;
  browser: Browser;
  page: Page;
  /** Stop the web shell and the desk host, then start both again on the same data dir, port and token. */
  restartHost(): Promise<void>;
  arrive(memberId: string): Promise<string>;
  close(): Promise<void>;
}

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** Serious or critical axe violations on the page, as readable lines. */
async function axeViolations(page: Page, label: string): Promise<string[]> {
  await page.addScriptTag({ path: resolve('node_modules/axe-core/axe.min.js') });
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function startRig(options: { bypassCsp?: boolean } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-e2e-setup-'));
  const hq = await startHq({ dbPath: join(dir, 'hq.db'), port: 0, log: () => {} });
  await seedDemo(hq, { members: 30, styles: 10, seed: 11 });
  const dataDir = join(dir, 'desk');
  const staticDir = resolve('out/renderer');
  let host = createWebDeskHost({ dataDir });
  host.start();
  let shell = await startWebShell({ core: host.api, staticDir });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', bypassCSP: options.bypassCsp ?? false });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error:', error.message));
  await page.goto(shell.url);
  const r: Rig = {
    hq,
    dir: dataDir,
    get host() {
      return host;
    },
    get shell() {
      return shell;
    },
    browser,
    page,
    async restartHost() {
      const { port, token } = shell;
      await shell.close();
      await host.close();
      host = createWebDeskHost({ dataDir });
      host.start();
      shell = await startWebShell({ core: host.api, staticDir, port, token });
    },
    async arrive(memberId) {
      const res = await fetch(`${hq.url}/v1/ingest/arrivals`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Integration-Key': hq.integrationKey },
        body: JSON.stringify({ storeId: STORE, memberId, source: 'door' }),
      });
      if (!res.ok) throw new Error(`ingest failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { visitId: string }).visitId;
    },
    async close() {
      await browser.close().catch(() => {});
      await shell.close();
      await host.close();
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return r;
}

/** Enroll through the setup screen with a real code. */
async function enrollViaSetup(r: Rig): Promise<void> {
  const { page } = r;
  await page.locator('#setup-hq').fill(r.hq.url);
  await page.locator('#setup-code').fill(await r.hq.createEnrollmentCode(STORE));
  await page.locator('#setup-device').fill('Counter 7');
  await page.getByRole('button', { name: 'Connect' }).click();
}

/** Sign the demo clerk in, if the sign-in screen is showing (or comes up). */
async function signIn(page: Page): Promise<void> {
  await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).click({ timeout: 20_000 });
  await page.locator('#signin-pin').fill(DEMO_CLERK.pin);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** After a reload or restart: sign in again if the desk asks (in any language), then wait until online. */
async function signInIfAsked(page: Page): Promise<void> {
  await page.locator('.signin, .conn[data-status="online"]').first().waitFor({ timeout: 20_000 });
  if (await page.locator('.signin').count()) {
    await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).click({ timeout: 20_000 });
    await page.locator('#signin-pin').fill(DEMO_CLERK.pin);
    await page.locator('.signin-form button[type="submit"]').click();
  }
  await page.locator('.conn[data-status="online"]').waitFor({ timeout: 20_000 });
}

function settingsFile(r: Rig): Record<string, unknown> {
  return JSON.parse(readFileSync(join(r.dir, 'settings.json'), 'utf8')) as Record<string, unknown>;
}

describe('first-run setup (browser)', () => {
  it('shows setup on an unenrolled desk, explains a bad address and a refused code, then enrolls and serves arrivals', async () => {
    rig = await startRig();
    const { page } = rig;
    await page.locator('main.setup').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('main.setup h1').textContent()).toBe('Set up this counter');

    // A malformed address: refused by the form before anything is sent.
    await page.locator('#setup-hq').fill('hq example com');
    await page.locator('#setup-code').fill('ABCDEF-123');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.locator('#setup-hqUrl-error').textContent()).toContain('Enter an address like');
    await expect.poll(() => page.locator('#setup-hq').getAttribute('aria-invalid')).toBe('true');

    const alert = page.locator('.setup-error[role="alert"]');
    // Something that answers but is not a Footfall HQ (a web server failing with 500): said so.
    const web = createServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    try {
      await page.locator('#setup-hq').fill(webUrl);
      await page.getByRole('button', { name: 'Connect' }).click();
      await expect.poll(() => alert.textContent()).toBe(`The server at ${webUrl} is not a Footfall HQ (it answered HTTP 500); check the address and port.`);
      await page.screenshot({ path: shotPath('setup-not-hq.png') });
    } finally {
      await new Promise((r) => web.close(r));
    }
    // Nothing listening any more at that address: one sentence saying so.
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => alert.textContent()).toBe(`Cannot reach HQ at ${webUrl}: nothing answers at that address and port (connection refused).`);
    await page.screenshot({ path: shotPath('setup-unreachable.png') });

    // A well-formed but unknown code: HQ's own words reach the clerk.
    await page.locator('#setup-hq').fill(rig.hq.url);
    await page.locator('#setup-code').fill('WRONG-CODE-1234');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => alert.textContent()).toContain('HQ refused the code:');
    expect(await alert.textContent()).toContain('unknown enrollment code');
    expect(rig.host.identity).toBeNull();

    // A real code: enrolled, the page reloads into sign-in, then the desk is online with arrivals.
    await enrollViaSetup(rig);
    await signIn(page);
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 20_000 });
    expect(rig.host.identity).toMatchObject({ storeId: STORE, deviceName: 'Counter 7' });
    expect(readFileSync(join(rig.dir, 'desk.json'), 'utf8')).not.toContain(rig.host.identity!.token);
    const member = (await rig.hq.store.read((r) => r.listHomeMembers(STORE)))[0]!.id;
    const visitId = await rig.arrive(member);
    await page.locator(arrival(visitId)).waitFor({ timeout: 10_000 });
  });
});

describe('settings dialog (browser)', () => {
  it('changes language, alerts, volume and retention; refuses bad input; keeps them across reload and host restart', async () => {
    rig = await startRig();
    const { page } = rig;
    await page.locator('main.setup').waitFor({ timeout: 15_000 });
    await enrollViaSetup(rig);
    await signIn(page);
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 20_000 });

    await page.locator('.settings-button').first().click();
    const dialog = page.locator('.settings-dialog[role="dialog"]');
    await dialog.waitFor();
    await expect.poll(() => page.locator('#settings-title').textContent()).toBe('Desk settings');

    // Notifications off, volume 35.
    const notifications = page.getByLabel('Show a system notification for arrivals and messages');
    expect(await notifications.isChecked()).toBe(true);
    await notifications.click();
    await expect.poll(() => settingsFile(rig!).notifications).toBe(false);
    await expect.poll(() => notifications.isChecked()).toBe(false);
    await page.locator('#settings-volume').fill('35');
    await expect.poll(() => settingsFile(rig!).volume).toBe(35);
    await expect.poll(() => page.locator('label[for="settings-volume"]').textContent()).toBe('Volume: 35%');

    // Retention: 0 and 10,000 are refused with a message and not saved; 14 is saved.
    const retention = page.locator('#settings-retention');
    const retentionHint = page.locator('#settings-retention-hint');
    await retention.fill('0');
    await retention.blur();
    await expect.poll(() => retentionHint.textContent()).toBe('Enter a whole number of days from 1 to 365.');
    expect(await retention.getAttribute('aria-invalid')).toBe('true');
    await retention.fill('10000');
    await retention.blur();
    await expect.poll(() => retentionHint.textContent()).toBe('Enter a whole number of days from 1 to 365.');
    expect(settingsFile(rig).retentionDays).toBe(30);
    // The host refuses it too, whatever the page does.
    await expect(rig.host.api.updateSettings({ retentionDays: 10_000 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await retention.fill('14');
    await retention.blur();
    await expect.poll(() => settingsFile(rig!).retentionDays).toBe(14);
    await expect.poll(() => retentionHint.textContent()).not.toBe('Enter a whole number of days from 1 to 365.');

    // Language: the UI switches at once.
    await page.locator('#settings-language').selectOption('zh-CN');
    await expect.poll(() => page.locator('#settings-title').textContent()).toBe('本机设置');
    await expect.poll(() => settingsFile(rig!).language).toBe('zh-CN');

    const expectSaved = async () => {
      await page.locator('.settings-button').first().click();
      await dialog.waitFor();
      await expect.poll(() => page.locator('#settings-title').textContent()).toBe('本机设置');
      expect(await page.locator('#settings-language').inputValue()).toBe('zh-CN');
      expect(await page.locator('#settings-retention').inputValue()).toBe('14');
      expect(await page.locator('#settings-volume').inputValue()).toBe('35');
      expect(await page.locator('.settings-dialog input[type="checkbox"]').nth(1).isChecked()).toBe(false);
    };

    // A reload keeps them (they live in the host, not the page).
    await page.reload();
    await signInIfAsked(page);
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('到店');
    await expectSaved();
    await page.keyboard.press('Escape');

    // So does a restart of the web host on the same data dir (a new host reads settings.json).
    await rig.restartHost();
    await page.goto(rig.shell.url);
    await signInIfAsked(page);
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('到店');
    await expectSaved();
    expect(rig.host.currentSettings()).toMatchObject({ language: 'zh-CN', notifications: false, volume: 35, retentionDays: 14 });
  });
});

describe('settings before sign-in (browser)', () => {
  it('opens from the sign-in screen, switches its language, and stays axe-clean', async () => {
    rig = await startRig({ bypassCsp: true });
    const { page } = rig;
    await page.locator('main.setup').waitFor({ timeout: 15_000 });
    expect(await axeViolations(page, 'setup')).toEqual([]);
    await enrollViaSetup(rig);
    await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).waitFor({ timeout: 20_000 });
    expect(await axeViolations(page, 'sign-in')).toEqual([]);
    const gear = page.locator('.signin .settings-button');
    await expect.poll(() => gear.getAttribute('title')).toBe('Settings');
    await gear.click();
    const dialog = page.locator('.settings-dialog[role="dialog"]');
    await dialog.waitFor();
    expect(await axeViolations(page, 'sign-in + settings')).toEqual([]);
    await page.locator('#settings-language').selectOption('zh-CN');
    await expect.poll(() => page.locator('#signin-title').textContent()).toBe('谁在柜台？');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    // The clerk still signs in as usual afterwards.
    await page.locator(`.signin-clerk[data-clerk="${DEMO_CLERK.id}"]`).click();
    await page.locator('#signin-pin').fill(DEMO_CLERK.pin);
    await page.locator('.signin-form button[type="submit"]').click();
    await page.locator('.conn[data-status="online"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('#queue-title').textContent()).toBe('到店');
  });
});
