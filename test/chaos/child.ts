// A child process of the fault harness (HQ, an HQ node, a desk) with request/response over IPC,
// SIGKILL and restart on the same arguments.
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** A child process with request/response over IPC. */
export class Child {
  proc: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readyInfo: Record<string, unknown> = {};
  kills = 0;
  /** Exits the harness did not cause (neither kill9 nor stop): a crash. */
  crashes = 0;
  /** Told of every crash (after `crashes` is counted). */
  onCrash: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;
  private ending = false;

  constructor(
    private readonly script: string,
    /** The JSON argument; the next start uses whatever it is then. */
    public arg: string,
  ) {}

  get alive(): boolean {
    return this.proc !== null;
  }

  async start(): Promise<void> {
    const proc = fork(join(HERE, this.script), [this.arg], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.proc = proc;
    this.ending = false;
    let ready = false;
    proc.on('error', () => {}); // a send racing a SIGKILL: the request fails by timeout or on exit
    proc.on('exit', (code, signal) => {
      if (this.proc === proc) this.proc = null;
      for (const p of this.pending.values()) p.reject(new Error('child exited'));
      this.pending.clear();
      if (ready && !this.ending) {
        this.crashes++;
        this.onCrash?.(code, signal);
      }
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Not ready in time: gone, so that a later start does not find it holding the port.
        this.ending = true;
        proc.kill('SIGKILL');
        reject(new Error(`${this.script} did not start`));
      }, 60_000); // generous: on a loaded machine a process compiling its imports can take many seconds
      let fatal: string | null = null;
      proc.on('message', (raw) => {
        const msg = raw as { ready?: boolean; fatal?: string; id?: number; result?: unknown; error?: string };
        if (msg.ready) {
          this.readyInfo = msg as Record<string, unknown>;
          ready = true;
          clearTimeout(timer);
          return resolve();
        }
        if (msg.fatal !== undefined) fatal = msg.fatal;
        const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
        if (!p) return;
        this.pending.delete(msg.id!);
        if (msg.error !== undefined) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.script} exited (${code}) before ready${fatal !== null ? `: ${fatal}` : ''}`));
      });
    });
  }

  request<T>(msg: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    const proc = this.proc;
    if (!proc) return Promise.reject(new Error('child not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`timeout: ${JSON.stringify(msg).slice(0, 80)}`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      const failed = (err: Error) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        reject(err);
      };
      if (!proc.connected) return failed(new Error('child not connected'));
      proc.send({ ...msg, id }, (err) => {
        if (err) failed(err);
      });
    });
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.kills++;
    this.ending = true;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.ending = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => (clearTimeout(timer), resolve()));
      proc.kill('SIGTERM');
    });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
