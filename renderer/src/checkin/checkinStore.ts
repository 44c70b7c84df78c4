// Check-in at the counter, in the renderer (4/8 part A): the check-ins in the outbox (pending, or
// refused until dismissed) as the desk core reports them, and the check-in dialog (open, what was
// typed or scanned, the last error). Created in stores.ts with the one DeskClient.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CheckinArgs, PendingCheckinView } from '../../../shared/deskApi.ts';
import type { DeskClient } from '../api/types.ts';

export interface CheckinState {
  pending: PendingCheckinView[];
  open: boolean;
  /** The dialog's field, pre-filled when a scan opened it. */
  text: string;
  /** The dialog was opened by a scan (its text is read, not typed). */
  scanned: boolean;
  busy: boolean;
  error: string | null;

  start(): () => void;
  reload(): void;
  openDialog(text?: string, scanned?: boolean): void;
  close(): void;
  setText(text: string): void;
  /** Queues the check-in; true when it was queued (the dialog closes). */
  submit(args: CheckinArgs): Promise<boolean>;
  dismiss(checkinId: string): Promise<void>;
}

export type CheckinStore = StoreApi<CheckinState>;

export function createCheckinStore(api: DeskClient): CheckinStore {
  return createStore<CheckinState>((set, get) => ({
    pending: [],
    open: false,
    text: '',
    scanned: false,
    busy: false,
    error: null,

    start() {
      const off = api.on('checkins', ({ checkins }) => set({ pending: checkins }));
      get().reload();
      return off;
    },
    reload() {
      void api.listCheckins().then(
        (pending) => set({ pending }),
        () => {},
      );
    },
    openDialog(text = '', scanned = false) {
      set({ open: true, text, scanned, error: null, busy: false });
    },
    close() {
      set({ open: false, text: '', scanned: false, error: null, busy: false });
    },
    setText(text) {
      set({ text, scanned: false, error: null });
    },
    async submit(args) {
      set({ busy: true, error: null });
      try {
        await api.checkIn(args);
        get().close();
        get().reload();
        return true;
      } catch (err) {
        set({ busy: false, error: err instanceof Error ? err.message : String(err) });
        return false;
      }
    },
    async dismiss(checkinId) {
      await api.dismissCheckin(checkinId).catch(() => {});
      get().reload();
    },
  }));
}
