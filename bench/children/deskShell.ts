// A desk process as at a counter PC without Electron: a DeskCore on an existing cache file, a
// clerk signed in, and the web shell serving the built renderer. The UI bench forks it and times
// from the fork to the first arrival rendered in the browser.
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { startWebShell, type WebShellHandle } from '../../electron/web/webShell.ts';
import { nowMs, serve, sleep } from '../lib/proc.ts';

let core: DeskCore | null = null;
let shell: WebShellHandle | null = null;

serve({
  async start(a: { dbPath: string; hqUrl: string; token: string; staticDir: string; clerk: { id: string; pin: string }; waitOnline?: boolean }) {
    const marks: Record<string, number> = { started: nowMs() };
    core = DeskCore.open({ dbPath: a.dbPath, hqUrls: [a.hqUrl], token: a.token, reconnect: { minMs: 100, maxMs: 400 } });
    core.start();
    marks.coreOpen = nowMs();
    // A clerk signs in (from the cached PIN hash when the desk is not online yet; first run: online).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const online = (await core.getConnection()).status === 'online';
      if ((await core.listClerks()).length > 0 && (online || !a.waitOnline)) {
        const r = await core.signIn(a.clerk.id, a.clerk.pin);
        if (r.ok) break;
      }
      if (Date.now() > deadline) throw new Error('deskShell: clerk sign-in failed');
      await sleep(10);
    }
    marks.signedIn = nowMs();
    shell = await startWebShell({ core, staticDir: a.staticDir });
    marks.shellUp = nowMs();
    return { url: shell.url, marks };
  },
  url() {
    return { url: shell!.url };
  },
  async position() {
    const c = await core!.getConnection();
    return { status: c.status, position: c.position };
  },
  async exit() {
    await shell?.close();
    await core?.close();
  },
});
