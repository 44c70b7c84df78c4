// The Today lists (follow-up tasks, part D) for the renderer: the clerk's ("mine") and the store's,
// reloaded whenever the desk core says tasks changed, the signed-in clerk changed, the cache was
// reset — and once a minute, because a task falls due or a snooze runs out with nothing else
// happening. One store per DeskClient, made on first use (the page keeps it for its lifetime), so
// the shared stores (state/stores.ts) need not know about it.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ListTasksArgs, NewTaskArgs, TaskView } from '../../../shared/deskApi.ts';
import type { z } from 'zod';
import type { DeskClient } from '../api/types.ts';

export type TodayTab = 'mine' | 'store';

export interface TodayState {
  open: boolean;
  tab: TodayTab;
  mine: TaskView[];
  store: TaskView[];
  /** The new-task form: closed, or open (for a member, when set). */
  form: { memberId: string | null } | null;
  /** The last action the desk refused at once (bad input), as its message. */
  error: string | null;
  setOpen(open: boolean): void;
  setTab(tab: TodayTab): void;
  openForm(memberId: string | null): void;
  closeForm(): void;
  reload(): Promise<void>;
  create(task: z.infer<typeof NewTaskArgs>): Promise<boolean>;
  done(taskId: string): Promise<void>;
  snooze(taskId: string, until: number): Promise<void>;
  dismiss(taskId: string): Promise<void>;
}

export type TodayStore = StoreApi<TodayState>;

const REFRESH_MS = 60_000;
const stores = new WeakMap<DeskClient, TodayStore>();

/** The Today store of this client (made and started on first use). */
export function todayStoreFor(api: DeskClient): TodayStore {
  let store = stores.get(api);
  if (!store) stores.set(api, (store = createTodayStore(api)));
  return store;
}

function createTodayStore(api: DeskClient): TodayStore {
  const store = createStore<TodayState>((set, get) => {
    const list = (args: z.infer<typeof ListTasksArgs>) => api.listTasks(args).catch(() => [] as TaskView[]);
    const act = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
        set({ error: null });
      } catch (err) {
        set({ error: (err as Error).message });
      }
      await get().reload();
    };
    return {
      open: false,
      tab: 'mine',
      mine: [],
      store: [],
      form: null,
      error: null,
      setOpen: (open) => {
        set({ open, form: open ? get().form : null });
        if (open) void get().reload();
      },
      setTab: (tab) => set({ tab }),
      openForm: (memberId) => set({ open: true, form: { memberId }, error: null }),
      closeForm: () => set({ form: null, error: null }),
      async reload() {
        const [mine, all] = await Promise.all([list({ scope: 'mine' }), list({ scope: 'store' })]);
        set({ mine, store: all });
      },
      async create(task) {
        try {
          await api.createTask(task);
        } catch (err) {
          set({ error: (err as Error).message });
          return false;
        }
        set({ form: null, error: null });
        await get().reload();
        return true;
      },
      done: (taskId) => act(() => api.completeTask(taskId)),
      snooze: (taskId, until) => act(() => api.snoozeTask(taskId, until)),
      dismiss: (taskId) => act(() => api.dismissTaskRejection(taskId)),
    };
  });
  const reload = () => void store.getState().reload();
  api.on('tasks', reload);
  api.on('reset', reload);
  api.on('clerk', reload);
  setInterval(reload, REFRESH_MS);
  reload();
  return store;
}
