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

/**
 * What a click on a chat notification sends the renderer: the arrival notification's `openVisit`,
 * without a visit, so the renderer opens that member (a chat is not tied to a visit).
 */
export function chatNotificationOpen(message: Pick<ChatMessageView, 'memberId'>): { visitId: null; memberId: string } {
  return { visitId: null, memberId: message.memberId };
}

/** Whether a chat event should raise a native notification. */
export function shouldNotifyChat(incoming: ChatMessageView | null, windowFocused: boolean): incoming is ChatMessageView {
  return incoming !== null && incoming.from === 'member' && !windowFocused;
}
