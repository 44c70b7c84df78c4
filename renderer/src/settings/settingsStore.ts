// Desk settings in the renderer (issue 8): the shell's SettingsView (settings, capabilities, update
// state), the settings dialog's open flag, and the alert sound played on each arrival.
import { create } from 'zustand';
import { DeskSettings, inQuietHours, type SettingsPatch, type SettingsView, type SoundName } from '../../../shared/settings.ts';
import type { DeskClient } from '../api/types.ts';
import { useDesk } from '../state/store.ts';

export interface SettingsUiState {
  api: DeskClient | null;
  view: SettingsView | null;
  open: boolean;
  saving: boolean;
  error: string | null;
  init(api: DeskClient): () => void;
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

/** Play a sound at 0–100 volume; failures (autoplay policy, no device) are ignored. */
export function playSound(sound: SoundName, volume: number): void {
  if (sound === 'none' || volume <= 0 || typeof Audio === 'undefined') return;
  const audio = new Audio(soundUrl(sound));
  audio.volume = Math.min(1, volume / 100);
  void audio.play().catch(() => {});
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function applyLanguage(view: SettingsView): void {
  const language = view.settings.language;
  if (language !== 'system' && useDesk.getState().locale !== language) useDesk.getState().setLocale(language);
}

export const useSettings = create<SettingsUiState>((set, get) => ({
  api: null,
  view: null,
  open: false,
  saving: false,
  error: null,

  init(api) {
    set({ api });
    const take = (view: SettingsView) => {
      set({ view });
      applyLanguage(view);
    };
    const offs = [
      api.on('settings', take),
      // The arrival alert: the chosen sound at the chosen volume, never in quiet hours.
      api.on('arrival', () => {
        const s = get().view?.settings;
        if (!s || inQuietHours(s.quietHours, new Date())) return;
        playSound(s.sound, s.volume);
      }),
    ];
    if (api.onShell) offs.push(api.onShell('openSettings', () => set({ open: true })));
    void api.getSettings().then(take, () => {
      // An older shell without settings: keep the defaults so the dialog can still show.
      set({ view: null });
    });
    return () => offs.forEach((off) => off());
  },

  setOpen: (open) => set({ open, error: null }),

  async update(patch) {
    const api = get().api;
    if (!api) return false;
    const current = get().view?.settings;
    // Validate here too, so the form can say what is wrong before the shell refuses it.
    if (current && !DeskSettings.safeParse({ ...current, ...patch }).success) {
      set({ error: 'invalid' });
      return false;
    }
    set({ saving: true, error: null });
    try {
      const view = await api.updateSettings(patch);
      set({ view, saving: false });
      applyLanguage(view);
      return true;
    } catch (error) {
      set({ saving: false, error: message(error) });
      return false;
    }
  },

  async checkForUpdates() {
    const api = get().api;
    if (!api) return;
    try {
      await api.checkForUpdates();
      set({ view: await api.getSettings() });
    } catch (error) {
      set({ error: message(error) });
    }
  },

  async installUpdate() {
    await get().api?.installUpdate();
  },

  async diagnostics() {
    const api = get().api;
    if (!api) return '';
    return api.getDiagnostics();
  },
}));
