// What the tray icon says: a tooltip (all platforms), a short title next to the icon (macOS menu
// bar only), and whether the icon should show its "attention" variant. Language follows the desk's
// setting, else the OS locale. Pure, unit-tested.
import type { ConnectionStatus } from '../../shared/deskApi.ts';

export interface TrayCounts {
  /** Today's arrivals no clerk has claimed yet. */
  unclaimed: number;
  /** Member chat messages not read at this counter. */
  unread: number;
  /** Other stores' hold requests waiting for this store's answer (absent: none). */
  requests?: number;
  connection: ConnectionStatus | null;
  /** null: not enrolled yet. */
  storeName: string | null;
}

export interface TrayText {
  tooltip: string;
  /** macOS shows this next to the menu-bar icon; '' hides it. */
  title: string;
  attention: boolean;
}

const cap = (n: number) => (n > 99 ? '99+' : String(Math.max(0, Math.floor(n))));

export function trayText(counts: TrayCounts, locale: string): TrayText {
  const zh = locale.toLowerCase().startsWith('zh');
  const requests = counts.requests ?? 0;
  const attention = counts.unclaimed > 0 || counts.unread > 0 || requests > 0;
  const title = attention ? `${cap(counts.unclaimed)}·${cap(counts.unread)}${requests > 0 ? `·${cap(requests)}` : ''}` : '';
  if (counts.storeName === null) {
    return { tooltip: zh ? 'Footfall · 未登记，请完成设置' : 'Footfall · not set up yet', title: '', attention: false };
  }
  const parts: string[] = [`Footfall · ${counts.storeName}`];
  if (zh) {
    parts.push(`待接待 ${cap(counts.unclaimed)}`, `未读消息 ${cap(counts.unread)}`);
    if (requests > 0) parts.push(`留货请求 ${cap(requests)}`);
    if (counts.connection === 'offline') parts.push('离线');
    else if (counts.connection === 'connecting') parts.push('正在连接');
  } else {
    parts.push(`${cap(counts.unclaimed)} waiting`, `${cap(counts.unread)} unread`);
    if (requests > 0) parts.push(`${cap(requests)} hold ${requests === 1 ? 'request' : 'requests'}`);
    if (counts.connection === 'offline') parts.push('offline');
    else if (counts.connection === 'connecting') parts.push('connecting');
  }
  // Windows truncates tray tooltips at 127 characters.
  return { tooltip: parts.join(zh ? ' · ' : ' · ').slice(0, 127), title, attention };
}

/** The tray menu's labels in the desk's language. */
export function trayMenuLabels(locale: string): { open: string; settings: string; quit: string } {
  return locale.toLowerCase().startsWith('zh') ? { open: '打开 Footfall', settings: '设置…', quit: '退出' } : { open: 'Open Footfall', settings: 'Settings…', quit: 'Quit' };
}
