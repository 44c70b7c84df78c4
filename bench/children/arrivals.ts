// The door: POSTs /v1/ingest/arrivals at a fixed rate over keep-alive connections, spreading
// arrivals over the stores and walking each store's members so a visit is new (an `arrival`
// event, with profile and recommendations) rather than a 30-minute repeat. With `batch` > 1 it
// POSTs /v1/ingest/arrivals/batch instead: every `1000 / rate × batch` ms one request with the
// `batch` arrivals that fell due (the capacity bench, where per-request HTTP cost capped the rate).
// Several HQ nodes (`urls`): a single arrival goes to the node of its store (store index modulo
// the nodes), a batch request to the next node in turn.
import { Agent, request } from 'node:http';
import { summarize } from '../lib/stats.ts';
import { nowMs, serve, sleep } from '../lib/proc.ts';

interface RunArgs {
  url?: string;
  /** HQ nodes of one cluster (instead of `url`). */
  urls?: string[];
  key: string;
  stores: number;
  membersPerStore: number;
  /** Member index to start at in each store (so consecutive runs do not repeat members). */
  memberOffset?: number;
  /** Only these store indexes (default: all). */
  storeIndexes?: number[];
  rate: number;
  /** Arrivals to send (at most, with `maxSeconds`). */
  count: number;
  /** Stop sending after this long (the requests in flight are still awaited). */
  maxSeconds?: number;
  maxInFlight?: number;
  /** Arrivals per request through the batch endpoint (default 1 = the single route). */
  batch?: number;
  /** Return every request's latency too (`httpSamples`), to merge several runs. */
  samples?: boolean;
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

/** "503 store_unavailable": the status and HQ's error code, when the body names one. */
function failureOf(status: number, text: string): string {
  try {
    const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    return code ? `${status} ${code}` : String(status);
  } catch {
    return String(status);
  }
}

serve({
  async run(a: RunArgs) {
    const { benchMemberCode } = await import('../lib/seed.ts');
    const stores = a.storeIndexes ?? Array.from({ length: a.stores }, (_, i) => i);
    const perStore = new Map<number, number>();
    const http: number[] = [];
    let ok = 0;
    let failed = 0;
    /** Why requests failed: an HTTP status with HQ's error code, or the socket error's code. */
    const failures: Record<string, number> = {};
    const fail = (why: string, n = 1) => {
      failed += n;
      failures[why] = (failures[why] ?? 0) + n;
    };
    let inFlight = 0;
    const maxInFlight = a.maxInFlight ?? 256;
    const t0 = nowMs();
    let lagged = 0;
    const done: Promise<void>[] = [];
    const batch = Math.max(1, Math.floor(a.batch ?? 1));
    const urls = a.urls ?? [a.url!];
    let sent = 0;
    const deadline = a.maxSeconds ? t0 + a.maxSeconds * 1000 : Infinity;
    const result = (secs: number) => ({
      sent,
      ok,
      failed,
      failures,
      seconds: Math.round(secs * 100) / 100,
      achievedRate: Math.round(sent / secs),
      lagged,
      batch,
      http: summarize(http),
      ...(a.samples ? { httpSamples: http } : {}),
    });
    const item = (i: number) => {
      const store = stores[(i * 7919) % stores.length]!;
      const m = perStore.get(store) ?? a.memberOffset ?? 0;
      perStore.set(store, m + 1);
      return { store, arrival: { storeId: `bs-${String(store).padStart(4, '0')}`, memberCode: benchMemberCode(store, m % a.membersPerStore), source: 'door' } };
    };
    if (batch > 1) {
      for (let i = 0; i < a.count; i += batch) {
        const n = Math.min(batch, a.count - i);
        const due = t0 + ((i + n) * 1000) / a.rate;
        const wait = due - nowMs();
        if (wait > 1) await sleep(wait);
        else if (wait < -50) lagged++;
        while (inFlight >= maxInFlight) await sleep(1);
        if (nowMs() > deadline) break;
        const body = JSON.stringify({ items: Array.from({ length: n }, (_, k) => item(i + k).arrival) });
        sent += n;
        inFlight++;
        const start = nowMs();
        done.push(
          post(urls[Math.floor(i / batch) % urls.length]!, a.key, body, '/v1/ingest/arrivals/batch').then(
            ({ status, text }) => {
              inFlight--;
              http.push(nowMs() - start);
              if (status !== 200) {
                fail(failureOf(status, text), n);
                return;
              }
              const results = (JSON.parse(text) as { results: { error?: { code?: string } }[] }).results;
              for (const r of results) {
                if (r.error) fail(`item ${r.error.code ?? '?'}`);
                else ok++;
              }
            },
            (err: NodeJS.ErrnoException) => {
              inFlight--;
              fail(`socket: ${err.code ?? err.message}`, n);
            },
          ),
        );
      }
      await Promise.all(done);
      return result((nowMs() - t0) / 1000);
    }
    for (let i = 0; i < a.count; i++) {
      const due = t0 + (i * 1000) / a.rate;
      const wait = due - nowMs();
      if (wait > 1) await sleep(wait);
      else if (wait < -50) lagged++;
      while (inFlight >= maxInFlight) await sleep(1);
      if (nowMs() > deadline) break;
      const { store, arrival } = item(i);
      const body = JSON.stringify(arrival);
      sent++;
      inFlight++;
      const start = nowMs();
      done.push(
        post(urls[store % urls.length]!, a.key, body).then(
          ({ status, text }) => {
            inFlight--;
            http.push(nowMs() - start);
            if (status === 201 || status === 200) ok++;
            else fail(failureOf(status, text));
          },
          (err: NodeJS.ErrnoException) => {
            inFlight--;
            fail(`socket: ${err.code ?? err.message}`);
          },
        ),
      );
    }
    await Promise.all(done);
    return result((nowMs() - t0) / 1000);
  },
  exit() {
    agent.destroy();
  },
});
