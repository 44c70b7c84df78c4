// Holds in the renderer (4/8 part C): the store's holds and hold requests as the desk core shows
// them (confirmed + this counter's queued actions), the hold form, and "Other stores" for a style.
// Everything goes through the DeskClient; the `holds` event (an HQ event, a local action, HQ's
// answer) re-reads the lists, and `reload` follows the client's `reset`.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MemberView } from '../../../shared/deskApi.ts';
import type { Colorway } from '../../../shared/domain.ts';
import type { HoldEnd, HoldRequestView, HoldView, StyleStockResponse } from '../../../shared/holds.ts';
import { HOLD_DAYS_DEFAULT } from '../../../shared/limits.ts';
import type { DeskClient } from '../api/types.ts';

/** A style the hold form offers: from the member's suggestions, or the product card last sent in chat. */
export interface StyleChoice {
  styleId: string;
  name: string;
  colors: Colorway[];
  sizes: number[];
}

export interface HoldForm {
  memberId: string;
  member: MemberView | null;
  styles: StyleChoice[];
  styleId: string;
  color: string;
  size: number | null;
  days: number;
  /** Opened by the chat's "I have put them aside": the quick reply is sent once the hold is placed. */
  fromChat: boolean;
  busy: boolean;
  error: string | null;
}

export interface StockView {
  styleId: string;
  styleName: string;
  /** The member a hold request would be for (null: only looking). */
  memberId: string | null;
  memberSize: number | null;
  status: 'loading' | 'ready' | 'offline' | 'error';
  data: StyleStockResponse | null;
  /** Requests sent from this view, by `storeId|color|size`. */
  asked: Record<string, boolean>;
}

export interface HoldsState {
  holds: HoldView[];
  requests: HoldRequestView[];
  panelOpen: boolean;
  form: HoldForm | null;
  stock: StockView | null;

  start(): () => void;
  reload(): void;
  setPanel(open: boolean): void;
  /** Opens the hold form for a member; `prefill` picks a style (and colour, size) first. */
  openForm(memberId: string, opts?: { prefill?: StyleChoice & { color?: string; size?: number }; fromChat?: boolean; then?: () => Promise<unknown> }): Promise<void>;
  setForm(patch: Partial<Pick<HoldForm, 'styleId' | 'color' | 'size' | 'days'>>): void;
  submitForm(): Promise<boolean>;
  closeForm(): void;
  release(holdId: string, reason: HoldEnd): Promise<void>;
  dismiss(id: string): Promise<void>;
  answer(requestId: string, accept: boolean): Promise<void>;
  openStock(style: { styleId: string; name: string }, member: { id: string; size: number } | null): Promise<void>;
  closeStock(): void;
  ask(storeId: string, storeName: string, color: string, size: number, colorName: string): Promise<void>;
}

export type HoldsStore = StoreApi<HoldsState>;

/** The style choices a member's page offers: their suggestions, with a prefill (chat product card) first. */
export function styleChoices(member: MemberView | null, prefill?: StyleChoice): StyleChoice[] {
  const fromRecs: StyleChoice[] = (member?.recommendations ?? []).map((r) => ({ styleId: r.styleId, name: r.name, colors: r.colors, sizes: r.stockBySize.map((s) => s.size) }));
  // A card's colours are those in stock in any size; a suggestion's are those in stock in the
  // member's size: those come first when the card's style is also suggested.
  const rec = prefill && fromRecs.find((s) => s.styleId === prefill.styleId);
  const first = prefill && rec ? { ...prefill, colors: [...rec.colors, ...prefill.colors.filter((c) => !rec.colors.some((r) => r.code === c.code))], sizes: rec.sizes } : prefill;
  const all = first ? [first, ...fromRecs.filter((s) => s.styleId !== first.styleId)] : fromRecs;
  return all.filter((s) => s.colors.length > 0 && s.sizes.length > 0);
}

/** Pairs held per style and size at this store (what the size chips subtract). */
export function heldBy(holds: readonly HoldView[], styleId: string, size: number): number {
  return holds.filter((h) => h.styleId === styleId && h.size === size && h.status === 'active' && h.sync !== 'rejected').length;
}

export function createHoldsStore(api: DeskClient): HoldsStore {
  return createStore<HoldsState>((set, get) => {
    let after: (() => Promise<unknown>) | null = null;
    const load = async () => {
      const [holds, requests] = await Promise.all([api.listHolds(), api.listHoldRequests()]);
      set({ holds, requests });
    };
    return {
      holds: [],
      requests: [],
      panelOpen: false,
      form: null,
      stock: null,

      start() {
        void load().catch(() => undefined);
        return api.on('holds', () => void load().catch(() => undefined));
      },
      reload() {
        void load().catch(() => undefined);
      },
      setPanel(open) {
        set({ panelOpen: open });
        if (open) void load().catch(() => undefined);
      },

      async openForm(memberId, opts = {}) {
        after = opts.then ?? null;
        const member = await api.getMember(memberId).catch(() => null);
        const styles = styleChoices(member, opts.prefill);
        const first = styles[0];
        const memberSize = member?.member.sizes.eu ?? null;
        const size = opts.prefill?.size ?? (first && memberSize !== null && first.sizes.includes(memberSize) ? memberSize : (first?.sizes[0] ?? null));
        set({
          form: {
            memberId,
            member,
            styles,
            styleId: first?.styleId ?? '',
            color: opts.prefill?.color ?? first?.colors[0]?.code ?? '',
            size,
            days: HOLD_DAYS_DEFAULT,
            fromChat: opts.fromChat ?? false,
            busy: false,
            error: null,
          },
        });
      },
      setForm(patch) {
        const form = get().form;
        if (!form) return;
        let next = { ...form, ...patch, error: null };
        if (patch.styleId && patch.styleId !== form.styleId) {
          // Another style: its first colour, and the member's size when it has it.
          const style = form.styles.find((s) => s.styleId === patch.styleId);
          const memberSize = form.member?.member.sizes.eu;
          next = { ...next, color: style?.colors[0]?.code ?? '', size: style && memberSize !== undefined && style.sizes.includes(memberSize) ? memberSize : (style?.sizes[0] ?? null) };
        }
        set({ form: next });
      },
      async submitForm() {
        const form = get().form;
        const style = form?.styles.find((s) => s.styleId === form.styleId);
        const color = style?.colors.find((c) => c.code === form?.color);
        if (!form || !style || !color || form.size === null) return false;
        set({ form: { ...form, busy: true, error: null } });
        try {
          await api.placeHold({ memberId: form.memberId, styleId: style.styleId, styleName: style.name, color: color.code, colorName: color.name, size: form.size, days: form.days });
        } catch (err) {
          set({ form: { ...form, busy: false, error: (err as Error).message } });
          return false;
        }
        const then = after;
        after = null;
        set({ form: null });
        if (then) await then().catch(() => undefined);
        await load().catch(() => undefined);
        return true;
      },
      closeForm() {
        after = null;
        set({ form: null });
      },
      async release(holdId, reason) {
        await api.releaseHold(holdId, reason);
        await load();
      },
      async dismiss(id) {
        await api.dismissHold(id);
        await load();
      },
      async answer(requestId, accept) {
        await api.answerHoldRequest(requestId, accept);
        await load();
      },

      async openStock(style, member) {
        const view: StockView = { styleId: style.styleId, styleName: style.name, memberId: member?.id ?? null, memberSize: member?.size ?? null, status: 'loading', data: null, asked: {} };
        set({ stock: view });
        try {
          const data = await api.getStyleStock(style.styleId);
          if (get().stock?.styleId !== style.styleId) return;
          set({ stock: { ...view, status: data ? 'ready' : 'offline', data } });
        } catch {
          if (get().stock?.styleId === style.styleId) set({ stock: { ...view, status: 'error' } });
        }
      },
      closeStock() {
        set({ stock: null });
      },
      async ask(storeId, storeName, color, size, colorName) {
        const stock = get().stock;
        if (!stock?.memberId) return;
        await api.requestHold({ memberId: stock.memberId, styleId: stock.styleId, styleName: stock.styleName, color, colorName, size, days: HOLD_DAYS_DEFAULT, toStoreId: storeId, toStoreName: storeName });
        const now = get().stock;
        if (now?.styleId === stock.styleId) set({ stock: { ...now, asked: { ...now.asked, [`${storeId}|${color}|${size}`]: true } } });
        await load();
      },
    };
  });
}
