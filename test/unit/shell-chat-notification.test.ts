import { describe, expect, it } from 'vitest';
import { chatNotificationOpen, chatNotificationText, shouldNotifyChat } from '../../electron/electron-main/chatNotification.ts';
import { EVENT_CHANNELS, EVENT_CHANNEL_PREFIX, isEventName } from '../../electron/host/ipcChannels.ts';
import type { ChatMessageView } from '../../shared/deskApi.ts';

const msg = (over: Partial<ChatMessageView> = {}): ChatMessageView => ({
  id: 'x', clientId: 'c', storeId: 's', memberId: 'm1', n: 1, from: 'member', by: null, kind: 'text', body: '你好', product: null, image: null,
  at: 0, recalledAt: null, state: 'delivered', pending: false, mine: false, recalling: false, rejection: null, ...over,
});

describe('chat notifications (Electron shell)', () => {
  it('fires only for a member message while the window is unfocused', () => {
    expect(shouldNotifyChat(msg(), false)).toBe(true);
    expect(shouldNotifyChat(msg(), true)).toBe(false);
    expect(shouldNotifyChat(null, false)).toBe(false);
    expect(shouldNotifyChat(msg({ from: 'clerk' }), false)).toBe(false);
  });
  it('follows the OS locale', () => {
    expect(chatNotificationText(msg(), '王芳', 'zh-CN')).toEqual({ title: '王芳 发来消息', body: '你好' });
    expect(chatNotificationText(msg({ kind: 'image', body: '' }), 'Wang Fang', 'en-US')).toEqual({ title: 'Message from Wang Fang', body: '[Image]' });
  });
  it('a click opens that member through the arrival notification\'s openVisit event (no visit), which the preload lets through', () => {
    expect(chatNotificationOpen(msg({ memberId: 'm42' }))).toEqual({ visitId: null, memberId: 'm42' });
    expect(isEventName('openVisit')).toBe(true);
    expect(EVENT_CHANNELS).toContain(`${EVENT_CHANNEL_PREFIX}openVisit`);
  });
});
