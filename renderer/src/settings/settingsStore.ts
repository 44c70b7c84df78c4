// Desk settings in the renderer: the shell's SettingsView (settings, capabilities, update state),
// the settings dialog's open flag, and the alert sound played on each arrival. Created with the one
// DeskClient (stores.ts); the chosen language is handed to the desk store through `applyLanguage`.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { DeskSettings, SettingsPatch, SettingsView } from '../../../shared/settings.ts';
import { inQuietHours, type SoundName } from '../../../shared/settingsRules.ts';
import { vipSoundUrl } from '../checkin/vip.ts'; // 4/8 part A
import type { DeskClient } from '../api/types.ts';

export interface SettingsUiState {
  view: SettingsView | null;
  open: boolean;
  saving: boolean;
  error: string | null;
  /** Subscribes to the settings and arrival events and the shell's "Settings…", loads the settings; returns the unsubscribe. */
  start(): () => void;
  /** Events may have been lost (the client's `reset`): re-read the settings. */
  reload(): void;
  setOpen(open: boolean): void;
  update(patch: SettingsPatch): Promise<boolean>;
  checkForUpdates(): Promise<void>;
  installUpdate(): Promise<void>;
  diagnostics(): Promise<string>;
}

/** The bundled sound files (renderer/public/sounds, drawn by `npm run assets`). */
export function soundUrl(sound: Exclude<SoundName, 'none'>): string {
  return `./sounds/${sound}.wav`;
}

/** The chat message sound: its own file, never one of the arrival sounds a clerk can pick. */
export const MESSAGE_SOUND_URL = './sounds/message.wav';

/** Play a sound at 0–100 volume; failures (autoplay policy, no device) are ignored. */
export function playSound(sound: SoundName, volume: number): void {
  if (sound === 'none') return;
  playUrl(soundUrl(sound), volume);
}

function playUrl(url: string, volume: number): void {
  if (volume <= 0 || typeof Audio === 'undefined') return;
  const audio = new Audio(url);
  audio.volume = Math.min(1, volume / 100);
  void audio.play().catch(() => {});
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type SettingsStore = StoreApi<SettingsUiState>;

/**
 * @param applyLanguage follows the language setting in the UI (the locale lives in the desk store).
 * @param watching whether the clerk is looking at this member's conversation now (no sound then).
 */
export function createSettingsStore(
  api: DeskClient,
  applyLanguage: (language: DeskSettings['language']) => void,
  watching: (memberId: string) => boolean = () => false,
): SettingsStore {
  return createStore<SettingsUiState>((set, get) => {
    const take = (view: SettingsView) => {
      set({ view });
      applyLanguage(view.settings.language);
    };
    return {
      view: null,
      open: false,
      saving: false,
      error: null,

      start() {
        const offs = [
          api.on('settings', take),
          // The arrival alert: the chosen sound at the chosen volume, never in quiet hours.
          api.on('arrival', ({ visit }) => {
            const s = get().view?.settings;
            if (!s || inQuietHours(s.quietHours, new Date())) return;
            // 4/8 part A: a Gold or Platinum member has their own sound (unless the clerk chose no sound).
            const vip = vipSoundUrl(visit.member.tier);
            if (vip && s.sound !== 'none') playUrl(vip, s.volume);
            else playSound(s.sound, s.volume);
          }),
          // A member's message: the message sound, on the same terms (volume, "no sound", quiet
          // hours), unless the clerk has that conversation in front of them.
          api.on('chat', ({ memberId, incoming }) => {
            const s = get().view?.settings;
            if (!s || !incoming || incoming.from !== 'member' || s.sound === 'none' || inQuietHours(s.quietHours, new Date()) || watching(memberId)) return;
            playUrl(MESSAGE_SOUND_URL, s.volume);
          }),
        ];
        if (api.onShell) offs.push(api.onShell('openSettings', () => set({ open: true })));
        void api.getSettings().then(take, () => {
          // An older shell without settings: keep the defaults so the dialog can still show.
          set({ view: null });
        });
        return () => offs.forEach((off) => off());
      },

      reload() {
        // A failed re-read keeps what the dialog shows.
        void api.getSettings().then(take, () => {});
      },

      setOpen: (open) => set({ open, error: null }),

      async update(patch) {
        const current = get().view?.settings;
        // Validate here too, so the form can say what is wrong before the shell refuses it. The
        // schemas load at the first change, not with the page (shared/limits.ts says why); if they
        // cannot, the shell's own check still judges the change.
        const schemas = await import('../../../shared/settings.ts').catch(() => null);
        if (current && schemas && !schemas.DeskSettings.safeParse({ ...current, ...patch }).success) {
          set({ error: 'invalid' });
          return false;
        }
        set({ saving: true, error: null });
        try {
          const view = await api.updateSettings(patch);
          set({ view, saving: false });
          applyLanguage(view.settings.language);
          return true;
        } catch (error) {
          set({ saving: false, error: message(error) });
          return false;
        }
      },

      async checkForUpdates() {
        try {
          await api.checkForUpdates();
          set({ view: await api.getSettings() });
        } catch (error) {
          set({ error: message(error) });
        }
      },

      async installUpdate() {
        await api.installUpdate();
      },

      async diagnostics() {
        return api.getDiagnostics();
      },
    };
  });
}
