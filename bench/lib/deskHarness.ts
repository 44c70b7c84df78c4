// One full desk (DeskCore, cache on disk) in the bench process, against an HQ child.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DeskCore } from '../../electron/desk/deskCore.ts';
import { cacheDir } from './env.ts';
import { sleep } from './proc.ts';

export function openDesk(url: string, token: string, log?: (line: string) => void): { desk: DeskCore; dir: string } {
  const dir = mkdtempSync(join(cacheDir(), 'footfall-bench-desk-'));
  const desk = DeskCore.open({ dbPath: join(dir, 'desk.db'), hqUrls: [url], token, reconnect: { minMs: 200, maxMs: 2000 }, ...(log ? { log } : {}) });
  return { desk, dir };
}

/** Resolves when `pred(connection)` holds, checked on every connection event and every 5 ms. */
export async function until(desk: DeskCore, pred: (c: Awaited<ReturnType<DeskCore['getConnection']>>) => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      off();
      clearInterval(timer);
      if (err) reject(err);
      else resolve();
    };
    const off = desk.on('connection', (c) => pred(c) && finish());
    const timer = setInterval(() => {
      void desk.getConnection().then((c) => {
        if (pred(c)) finish();
        else if (Date.now() - t0 > timeoutMs) finish(new Error(`timeout: ${JSON.stringify(c)}`));
      });
    }, 5);
  });
}

export { sleep };
