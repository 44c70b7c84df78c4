// Title and body of the native notification for a member's chat message while the desk window is
// not focused (the web shell shows an in-app badge and a title count instead). OS locale decides
// the language, as for arrival notifications.
import type { ChatMessageView } from '../../shared/deskApi.ts';

export function chatNotificationText(message: ChatMessageView, memberName: string, osLocale: string): { title: string; body: string } {
  const zh = osLocale.toLowerCase().startsWith('zh');
  const body =
    message.kind === 'image' ? (zh ? '[图片]' : '[Image]') : message.kind === 'product' ? (zh ? '[商品]' : '[Product]') : message.body.slice(0, 120);
  return { title: zh ? `${memberName} 发来消息` : `Message from ${memberName}`, body };
}

/** Whether a chat event should raise a native notification. */
export function shouldNotifyChat(incoming: ChatMessageView | null, windowFocused: boolean): incoming is ChatMessageView {
  return incoming !== null && incoming.from === 'member' && !windowFocused;
}
