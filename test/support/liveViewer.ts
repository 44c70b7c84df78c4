// A viewer of a live room for tests: a plain `ws` client on HQ's room socket (`/v1/live/socket`),
// signed in with a member session (may write) or not (reads only). Frames are schema-checked.
import WebSocket from 'ws';
import { FromLive, type ToLive } from '../../shared/live.ts';
import { waitFor } from './waitFor.ts';

export class LiveViewer {
  readonly frames: FromLive[] = [];
  private n = 0;

  private constructor(readonly ws: WebSocket) {}

  static async join(hqUrl: string, roomId: string, token?: string, nickname?: string): Promise<LiveViewer> {
    const ws = new WebSocket(`${hqUrl.replace(/^http/, 'ws')}/v1/live/socket`);
    const v = new LiveViewer(ws);
    ws.on('message', (d) => v.frames.push(FromLive.parse(JSON.parse(d.toString()))));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    v.send({ t: 'hello', v: 1, roomId, ...(token ? { token } : {}), ...(nickname ? { nickname } : {}) });
    await waitFor(() => v.frames.some((f) => f.t === 'welcome' || f.t === 'error'), 5000, 'live welcome');
    if (!v.frames.some((f) => f.t === 'welcome')) throw new Error(`live socket refused: ${JSON.stringify(v.frames)}`);
    return v;
  }

  send(frame: ToLive): void {
    this.ws.send(JSON.stringify(frame));
  }

  comment(text: string): void {
    this.send({ t: 'comment', clientId: `c${Date.now().toString(36)}${this.n++}x`, text });
  }

  ask(text: string): void {
    this.send({ t: 'ask', clientId: `q${Date.now().toString(36)}${this.n++}x`, text });
  }

  /** Every comment received so far (welcome backlog and batches). */
  comments(): Array<{ id: string; nickname: string; text: string; host: boolean }> {
    return this.frames.flatMap((f) => (f.t === 'welcome' ? f.comments : f.t === 'comments' ? f.items : []));
  }

  close(): void {
    this.ws.close();
  }
}
