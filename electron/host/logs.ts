// Structured logs: one JSON object per line ({t, level, msg, ...fields}) in <data>/logs/desk.log,
// rotated by size (default 5 files × 1 MiB: desk.log, desk.log.1 … desk.log.4). Used by the
// Electron shell and the web shell, and handed to the desk core as its `log` option.
// Synchronous appends: the desk logs little (connection changes, failures), and a line written just
// before a crash is the one support needs. Plain Node (no `electron` import).
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RotatingLogOptions {
  dir: string;
  /** File name of the current log (default desk.log). */
  name?: string;
  /** Rotate when the current file would pass this size (default 1 MiB). */
  maxBytes?: number;
  /** Files kept, the current one included (default 5). */
  files?: number;
  now?: () => number;
  /** Also echo lines here (e.g. the console under FOOTFALL_VERBOSE). */
  echo?: (line: string) => void;
}

export interface RotatingLog {
  write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  /** A `(line) => void` for the desk core's `log` option (level from the text: "failed"/"error" → warn). */
  readonly line: (text: string) => void;
  /** The newest `n` lines across the current and rotated files, oldest first. */
  recent(n: number): string[];
  /** Paths of the log files, newest first (those that exist). */
  paths(): string[];
}

export function createRotatingLog(options: RotatingLogOptions): RotatingLog {
  const name = options.name ?? 'desk.log';
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const files = Math.max(1, options.files ?? 5);
  const now = options.now ?? Date.now;
  const current = join(options.dir, name);
  const pathOf = (i: number) => (i === 0 ? current : `${current}.${i}`);
  let size: number | null = null;

  function currentSize(): number {
    if (size === null) {
      try {
        size = statSync(current).size;
      } catch {
        size = 0;
      }
    }
    return size;
  }

  function rotate(): void {
    rmSync(pathOf(files - 1), { force: true });
    for (let i = files - 2; i >= 0; i--) {
      if (existsSync(pathOf(i))) renameSync(pathOf(i), pathOf(i + 1));
    }
    size = 0;
  }

  function write(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
    const text = JSON.stringify({ t: new Date(now()).toISOString(), level, msg, ...fields }) + '\n';
    const bytes = Buffer.byteLength(text);
    try {
      mkdirSync(options.dir, { recursive: true });
      if (currentSize() > 0 && currentSize() + bytes > maxBytes) rotate();
      appendFileSync(current, text, { mode: 0o600 });
      size = currentSize() + bytes;
    } catch {
      // A full or read-only disk must not take the desk down with it: the line is lost.
      size = null;
    }
    options.echo?.(text.trimEnd());
  }

  return {
    write,
    line: (text: string) => write(/fail|error|refused|damaged|could not/i.test(text) ? 'warn' : 'info', text),
    recent(n) {
      const out: string[] = [];
      for (let i = 0; i < files && out.length < n; i++) {
        let body: string;
        try {
          body = readFileSync(pathOf(i), 'utf8');
        } catch {
          continue;
        }
        const lines = body.split('\n').filter((l) => l !== '');
        out.unshift(...lines.slice(Math.max(0, lines.length - (n - out.length))));
      }
      return out;
    },
    paths() {
      const out: string[] = [];
      for (let i = 0; i < files; i++) if (existsSync(pathOf(i))) out.push(pathOf(i));
      return out;
    },
  };
}
