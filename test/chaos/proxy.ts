// A fault-injecting TCP proxy (node:net) between desks and HQ. Desks connect to the proxy's port;
// every connection is piped to HQ until the harness injects a fault into it:
//   drop       destroy both sides at once (a reset link)
//   stall      stop forwarding in both directions for a while, then resume (a congested Wi-Fi)
//   blackhole  swallow everything from now on and keep the sockets open (a dead NAT entry): only
//              the desk's silence timeout and HQ's heartbeat can notice
//   cut        forward a random number of further bytes (from HQ towards the desk, or the other
//              way), then destroy: a frame is cut mid-way
// While `partitioned`, new connections are accepted and then blackholed as well.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { type AddressInfo } from 'node:net';

export type ProxyFault = 'drop' | 'stall' | 'blackhole' | 'cut';

interface Conn {
  id: number;
  client: Socket;
  upstream: Socket;
  blackholed: boolean;
  /** Bytes still allowed before the cut, per direction; null = no cut pending. */
  cutDown: number | null;
  cutUp: number | null;
}

export class ChaosProxy {
  private server: Server | null = null;
  private readonly conns = new Map<number, Conn>();
  private nextId = 1;
  partitioned = false;
  port = 0;
  readonly counts = { connections: 0, drop: 0, stall: 0, blackhole: 0, cut: 0 };

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenPort = 0,
  ) {}

  async start(): Promise<number> {
    const server = createServer((client) => this.onClient(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  get active(): number {
    return this.conns.size;
  }

  private onClient(client: Socket): void {
    this.counts.connections++;
    const upstream = connect(this.target.port, this.target.host);
    const conn: Conn = { id: this.nextId++, client, upstream, blackholed: this.partitioned, cutDown: null, cutUp: null };
    this.conns.set(conn.id, conn);
    const end = () => {
      if (!this.conns.delete(conn.id)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk: Buffer) => this.forward(conn, chunk, 'up'));
    upstream.on('data', (chunk: Buffer) => this.forward(conn, chunk, 'down'));
  }

  private forward(conn: Conn, chunk: Buffer, dir: 'up' | 'down'): void {
    if (conn.blackholed) return;
    const to = dir === 'up' ? conn.upstream : conn.client;
    const budget = dir === 'up' ? conn.cutUp : conn.cutDown;
    if (budget !== null) {
      const part = chunk.subarray(0, budget);
      if (part.length) to.write(part);
      if (chunk.length >= budget) {
        // Let the partial bytes leave, then cut.
        to.end(() => {
          conn.client.destroy();
          conn.upstream.destroy();
        });
        setTimeout(() => {
          conn.client.destroy();
          conn.upstream.destroy();
        }, 50).unref();
        conn.blackholed = true;
        return;
      }
      if (dir === 'up') conn.cutUp = budget - chunk.length;
      else conn.cutDown = budget - chunk.length;
      return;
    }
    to.write(chunk);
  }

  /** Injects `fault` into a random live connection (chosen by `pick`); false when there is none. */
  inject(fault: ProxyFault, pick: <T>(items: readonly T[]) => T, params: { stallMs?: number; cutBytes?: number; cutUp?: boolean } = {}): boolean {
    const live = [...this.conns.values()].filter((c) => !c.blackholed);
    if (!live.length) return false;
    const conn = pick(live);
    this.counts[fault]++;
    switch (fault) {
      case 'drop':
        conn.client.destroy();
        conn.upstream.destroy();
        break;
      case 'stall': {
        conn.client.pause();
        conn.upstream.pause();
        setTimeout(() => {
          conn.client.resume();
          conn.upstream.resume();
        }, params.stallMs ?? 1000).unref();
        break;
      }
      case 'blackhole':
        conn.blackholed = true;
        break;
      case 'cut':
        if (params.cutUp) conn.cutUp = params.cutBytes ?? 1;
        else conn.cutDown = params.cutBytes ?? 1;
        break;
    }
    return true;
  }

  /** Ends every fault: blackholed connections are closed, so their desks reconnect cleanly. */
  heal(): void {
    this.partitioned = false;
    for (const c of this.conns.values()) {
      if (c.blackholed || c.cutDown !== null || c.cutUp !== null) {
        c.client.destroy();
        c.upstream.destroy();
      } else {
        c.client.resume();
        c.upstream.resume();
      }
    }
  }

  async close(): Promise<void> {
    for (const c of this.conns.values()) {
      c.client.destroy();
      c.upstream.destroy();
    }
    this.conns.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
