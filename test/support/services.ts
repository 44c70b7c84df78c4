// Private PostgreSQL and NATS servers for the tests that stop and restart them: the shared ones
// (127.0.0.1:5432, :4222) serve every other suite running at the same time and must stay up.
// Both come from the machine's Debian packages; a missing binary fails the test loudly.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL cluster (initdb, trust auth) that a test may stop and start. */
export class PrivatePg {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(): Promise<PrivatePg> {
    if (!existsSync(`${PG_BIN}/initdb`)) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (Debian package postgresql-15)`);
    const dir = mkdtempSync(join(tmpdir(), 'footfall-pg-'));
    chownSync(dir, uid('postgres'), gid('postgres'));
    asPostgres(`${PG_BIN}/initdb`, ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    const pg = new PrivatePg(dir, await freePort());
    pg.start();
    return pg;
  }

  start(): void {
    asPostgres(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`, 'start']);
  }

  /** Fast shutdown: every connection is closed, as in a real restart. */
  stop(): void {
    asPostgres(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  dispose(): void {
    try {
      this.stop();
    } catch {
      /* already stopped */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function asPostgres(cmd: string, args: string[]): void {
  // PostgreSQL refuses to run as root; CI and sessions run as root.
  const argv = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] as const : [cmd, args] as const;
  execFileSync(argv[0], argv[1] as string[], { stdio: 'pipe' });
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}
function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** A throwaway NATS server with JetStream that a test may stop and start on the same port. */
export class PrivateNats {
  private proc: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<PrivateNats> {
    if (!existsSync('/usr/sbin/nats-server')) throw new Error('nats-server not found (Debian package nats-server)');
    const n = new PrivateNats(mkdtempSync(join(tmpdir(), 'footfall-nats-')), await freePort());
    await n.start();
    return n;
  }

  async start(): Promise<void> {
    this.proc = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir], { stdio: 'ignore' });
    const end = Date.now() + 10_000;
    for (;;) {
      if (await canConnect(this.port)) return;
      if (Date.now() > end) throw new Error('private nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.proc = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
