// What the page needs of the desk settings at once — the sounds, the update channel's pattern and
// the quiet-hours rule — apart from settings.ts's schemas, so the page reads them without loading
// the schema library (limits.ts says why). settings.ts builds its schemas on these; the page loads
// settings.ts itself only when a form is sent (settingsStore, Setup).

export const SOUNDS = ['chime', 'bell', 'knock', 'none'] as const;
export type SoundName = (typeof SOUNDS)[number];

/** Update channel: one per chain (and stage), e.g. "acme-stable"; it names a folder on HQ. */
export const UPDATE_CHANNEL_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Quiet hours: no sound and no native notification in this window (the queue still fills). "HH:MM", 24 h. */
export interface QuietHours {
  enabled: boolean;
  from: string;
  to: string;
}

/** Minutes since midnight for "HH:MM". */
function minutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether local time `date` falls inside quiet hours (the window may wrap midnight). */
export function inQuietHours(quiet: QuietHours, date: Date): boolean {
  if (!quiet.enabled) return false;
  const now = date.getHours() * 60 + date.getMinutes();
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return false;
  return from < to ? now >= from && now < to : now >= from || now < to;
}
