// The door: POSTs /v1/ingest/arrivals at a fixed rate over keep-alive connections, spreading
// arrivals over the stores and walking each store's members so a visit is new (an `arrival`
// event, with profile and recommendations) rather than a 30-minute repeat. With `batch` > 1 it
// POSTs /v1/ingest/arrivals/batch instead: every `1000 / rate × batch` ms one request with the
// `batch` arrivals that fell due (the capacity bench, where per-request HTTP cost capped the rate).
import { Agent, request } from 'node:http';
import { summarize } from '../lib/stats.ts';
import { nowMs, serve, sleep } from '../lib/proc.ts';

interface RunArgs {
  url: string;
  key: string;
  stores: number;
  membersPerStore: number;
  /** Member index to start at in each store (so consecutive runs do not repeat members). */
  memberOffset?: number;
  /** Only these store indexes (default: all). */
  storeIndexes?: number[];
  rate: number;
  count: number;
  maxInFlight?: number;
  /** Arrivals per request through the batch endpoint (default 1 = the single route). */
  batch?: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, key: string, body: string, path = '/v1/ingest/arrivals'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-integration-key': key, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

serve({
  async run(a: RunArgs) {
    const { benchMemberCode } = await import('../lib/seed.ts');
    const stores = a.storeIndexes ?? Array.from({ length: a.stores }, (_, i) => i);
    const perStore = new Map<number, number>();
    const http: number[] = [];
    let ok = 0;
    let failed = 0;
    let inFlight = 0;
    const maxInFlight = a.maxInFlight ?? 256;
    const t0 = nowMs();
    let lagged = 0;
    const done: Promise<void>[] = [];
    const batch = Math.max(1, Math.floor(a.batch ?? 1));
    const item = (i: number) => {
      const store = stores[(i * 7919) % stores.length]!;
      const m = perStore.get(store) ?? a.memberOffset ?? 0;
      perStore.set(store, m + 1);
      return { storeId: `bs-${String(store).padStart(4, '0')}`, memberCode: benchMemberCode(store, m % a.membersPerStore), source: 'door' };
    };
    if (batch > 1) {
      for (let i = 0; i < a.count; i += batch) {
        const n = Math.min(batch, a.count - i);
        const due = t0 + ((i + n) * 1000) / a.rate;
        const wait = due - nowMs();
        if (wait > 1) await sleep(wait);
        else if (wait < -50) lagged++;
        while (inFlight >= maxInFlight) await sleep(1);
        const body = JSON.stringify({ items: Array.from({ length: n }, (_, k) => item(i + k)) });
        inFlight++;
        const start = nowMs();
        done.push(
          post(a.url, a.key, body, '/v1/ingest/arrivals/batch').then(
            ({ status, text }) => {
              inFlight--;
              http.push(nowMs() - start);
              if (status !== 200) {
                failed += n;
                return;
              }
              const results = (JSON.parse(text) as { results: { error?: unknown }[] }).results;
              for (const r of results) {
                if (r.error) failed++;
                else ok++;
              }
            },
            () => {
              inFlight--;
              failed += n;
            },
          ),
        );
      }
      await Promise.all(done);
      const secs = (nowMs() - t0) / 1000;
      return { sent: a.count, ok, failed, seconds: Math.round(secs * 100) / 100, achievedRate: Math.round(a.count / secs), lagged, batch, http: summarize(http) };
    }
    for (let i = 0; i < a.count; i++) {
      const due = t0 + (i * 1000) / a.rate;
      const wait = due - nowMs();
      if (wait > 1) await sleep(wait);
      else if (wait < -50) lagged++;
      while (inFlight >= maxInFlight) await sleep(1);
      const body = JSON.stringify(item(i));
      inFlight++;
      const start = nowMs();
      done.push(
        post(a.url, a.key, body).then(
          ({ status }) => {
            inFlight--;
            http.push(nowMs() - start);
            if (status === 201 || status === 200) ok++;
            else failed++;
          },
          () => {
            inFlight--;
            failed++;
          },
        ),
      );
    }
    await Promise.all(done);
    const secs = (nowMs() - t0) / 1000;
    return { sent: a.count, ok, failed, seconds: Math.round(secs * 100) / 100, achievedRate: Math.round(a.count / secs), lagged, http: summarize(http) };
  },
  exit() {
    agent.destroy();
  },
});
