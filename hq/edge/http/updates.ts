// GET /updates/<channel>/<file>: the desk app's update feed, served from a folder (npm run hq --
// --updates-dir ./dist). electron-updater's generic provider reads <channel>/latest.yml
// (latest-mac.yml, latest-linux.yml), then downloads the installer and its .blockmap, with Range
// requests for differential downloads. One folder per channel, one channel per chain:
//   <updates-dir>/acme-stable/latest.yml, Footfall-Setup-0.2.0.exe, …
// Public on purpose (installers are not secrets; the app verifies the update's sha512 from the yml
// and, on Windows/macOS, the code signature). Only plain file names inside a channel folder are
// served: no "..", no slashes, no dot-files, and nothing whose real path (symlinks resolved, the
// channel folder's included) is outside the real updates folder.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { HttpError } from './respond.ts';

const CHANNEL = /^[a-z0-9][a-z0-9-]{0,39}$/;
const FILE = /^[A-Za-z0-9][A-Za-z0-9._ +-]{0,199}$/;

const TYPES: Record<string, string> = {
  '.yml': 'text/yaml; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
  '.json': 'application/json',
  '.blockmap': 'application/octet-stream',
};

export function isUpdatesRoute(path: string): boolean {
  return path === '/updates' || path.startsWith('/updates/');
}

/** The file a request path names inside `dir`, or null when it is not a servable file name. */
export function resolveUpdateFile(dir: string, path: string): string | null {
  const parts = path.split('/');
  // ['', 'updates', channel, file]
  if (parts.length !== 4 || parts[1] !== 'updates') return null;
  let channel: string;
  let file: string;
  try {
    channel = decodeURIComponent(parts[2]!);
    file = decodeURIComponent(parts[3]!);
  } catch {
    return null;
  }
  if (!CHANNEL.test(channel) || !FILE.test(file) || file.includes('..')) return null;
  let top: string;
  let root: string;
  let real: string;
  try {
    top = realpathSync(dir);
    root = realpathSync(join(dir, channel));
    real = realpathSync(join(root, file));
  } catch {
    return null;
  }
  // Judged by where things really are, not by the path asked for: the channel folder must really be
  // inside the updates folder (one linked to HQ's data folder would serve its database), and the
  // file really inside its channel folder (a symlink inside it must not lead out of it).
  return root.startsWith(top + sep) && real.startsWith(root + sep) ? real : null;
}

export function handleUpdates(dir: string | undefined, req: IncomingMessage, res: ServerResponse, path: string, method: string): void {
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${path} accepts GET`);
  if (!dir) throw new HttpError(404, 'not_found', 'this HQ serves no updates (start it with --updates-dir)');
  const file = resolveUpdateFile(dir, path);
  if (!file) throw new HttpError(404, 'not_found', 'no such update file');
  const stat = statSync(file);
  if (!stat.isFile()) throw new HttpError(404, 'not_found', 'no such update file');
  const ext = file.slice(file.lastIndexOf('.'));
  const headers: Record<string, string | number> = {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'accept-ranges': 'bytes',
    // The yml must be re-read on every check; installers never change under one name.
    'cache-control': ext === '.yml' || ext === '.yaml' ? 'no-cache' : 'public, max-age=86400',
    'x-content-type-options': 'nosniff',
  };
  let start = 0;
  let end = stat.size - 1;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
  if (range && (range[1] || range[2])) {
    if (range[1]) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
    } else {
      start = Math.max(0, stat.size - Number(range[2]));
    }
    if (start > end || start >= stat.size) {
      res.writeHead(416, { 'content-range': `bytes */${stat.size}` }).end();
      return;
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${stat.size}`;
  }
  headers['content-length'] = end - start + 1;
  res.writeHead(status, headers);
  if (method === 'HEAD' || stat.size === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start, end }).on('error', () => res.destroy()).pipe(res);
}
