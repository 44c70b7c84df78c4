// Whether an arrival or chat message may raise a native notification and play a sound right now.
//
// What the OS tells us about "do not disturb" — honestly, little:
//  - Windows: Focus Assist / "Do not disturb" is not exposed to Electron apps. The OS itself holds
//    back toasts while it is on (they go to the Action Center), but our own <audio> would still play.
//  - macOS: Focus modes are not readable by apps; the OS hides banners, our sound would still play.
//    (The old `getDoNotDisturb` APIs are private; Electron has no public call.)
//  - Linux: notification daemons (GNOME, KDE) suppress banners in their DND mode; no portable query.
// Electron's `Notification.isSupported()` is the only OS signal we get; so the desk offers its own
// "quiet hours" (settings) and the on/off switches, and treats quiet hours as "no sound, no toast"
// even though the arrival still appears in the queue and the tray count.
import { type DeskSettings } from '../../shared/settings.ts';
import { inQuietHours, type SoundName } from '../../shared/settingsRules.ts';

export interface AlertDecision {
  notify: boolean;
  sound: SoundName;
  /** 0–1 for an <audio> element. */
  volume: number;
  reason: 'ok' | 'notifications_off' | 'quiet_hours' | 'unsupported';
}

export function alertDecision(settings: DeskSettings, now: Date, notificationsSupported: boolean): AlertDecision {
  const volume = settings.volume / 100;
  if (inQuietHours(settings.quietHours, now)) return { notify: false, sound: 'none', volume: 0, reason: 'quiet_hours' };
  const sound = settings.volume === 0 ? 'none' : settings.sound;
  if (!settings.notifications) return { notify: false, sound, volume, reason: 'notifications_off' };
  if (!notificationsSupported) return { notify: false, sound, volume, reason: 'unsupported' };
  return { notify: true, sound, volume, reason: 'ok' };
}
