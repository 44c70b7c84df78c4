// The desk window's size and position, remembered between starts (window-state.json in the data
// folder). Pure: load/validate, clamp to the displays that exist now (a laptop undocked from the
// counter's second screen must not open its window off-screen), and a debounced saver.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const WindowState = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_WINDOW = { width: 1280, height: 800, minWidth: 1024, minHeight: 640 } as const;

export function loadWindowState(path: string): WindowState | null {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function saveWindowState(path: string, state: WindowState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(WindowState.parse(state)) + '\n');
  renameSync(tmp, path);
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Where to open the window, given the saved state and the work areas of the displays now attached
 * (primary first). The size is clamped to the chosen display; the window goes on the display it
 * overlaps most, moved fully inside it; with no saved position (or no overlap at all) it is centred
 * on the primary display.
 */
export function restoreBounds(saved: WindowState | null, workAreas: readonly Rect[], min = { width: DEFAULT_WINDOW.minWidth, height: DEFAULT_WINDOW.minHeight }): Rect & { maximized: boolean } {
  const primary = workAreas[0] ?? { x: 0, y: 0, width: DEFAULT_WINDOW.width, height: DEFAULT_WINDOW.height };
  const want = { width: saved?.width ?? DEFAULT_WINDOW.width, height: saved?.height ?? DEFAULT_WINDOW.height };
  let area = primary;
  let placed: Rect | null = null;
  if (saved && saved.x !== undefined && saved.y !== undefined) {
    const rect = { x: saved.x, y: saved.y, ...want };
    let best = 0;
    for (const a of workAreas) {
      const o = overlap(rect, a);
      if (o > best) {
        best = o;
        area = a;
      }
    }
    if (best > 0) placed = rect;
  }
  const width = Math.max(Math.min(want.width, area.width), Math.min(min.width, area.width));
  const height = Math.max(Math.min(want.height, area.height), Math.min(min.height, area.height));
  let x: number;
  let y: number;
  if (placed) {
    x = Math.min(Math.max(placed.x, area.x), area.x + area.width - width);
    y = Math.min(Math.max(placed.y, area.y), area.y + area.height - height);
  } else {
    x = area.x + Math.round((area.width - width) / 2);
    y = area.y + Math.round((area.height - height) / 2);
  }
  return { x, y, width, height, maximized: saved?.maximized ?? false };
}

/** Save at most once per `delayMs` after the last change (moves and resizes fire many events). */
export function debouncedSaver(save: (state: WindowState) => void, delayMs = 500): { schedule(state: WindowState): void; flush(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: WindowState | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending) {
      const state = pending;
      pending = null;
      try {
        save(state);
      } catch {
        // Not remembered this time; the window still works.
      }
    }
  };
  return {
    schedule(state) {
      pending = state;
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, delayMs);
    },
    flush,
  };
}
