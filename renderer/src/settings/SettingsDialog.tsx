// The settings dialog: language, notifications, sound and volume, quiet hours, start on
// login, how long the desk keeps visits, the update channel and updates, and "copy diagnostics".
// Every change is validated by shared/settings.ts and saved by the shell at once.
import { useEffect, useRef, useState } from 'react';
import { SOUNDS, type SoundName, UPDATE_CHANNEL_PATTERN } from '../../../shared/settingsRules.ts';
import { useT } from '../i18n/useT.ts';
import { useDesk, useSettings, useStores } from '../state/StoresProvider.tsx';
import { playSound } from './settingsStore.ts';
import './settings.css';

export function SettingsButton() {
  const t = useT();
  const setOpen = useSettings((s) => s.setOpen);
  return (
    <button type="button" className="settings-button" onClick={() => setOpen(true)} aria-haspopup="dialog" title={t('settings.open')}>
      <span aria-hidden="true">⚙</span>
      <span className="visually-hidden">{t('settings.open')}</span>
    </button>
  );
}

function formatTime(at: number | null, locale: string, never: string): string {
  return at ? new Date(at).toLocaleString(locale) : never;
}

export function SettingsDialog() {
  const t = useT();
  const open = useSettings((s) => s.open);
  const view = useSettings((s) => s.view);
  const error = useSettings((s) => s.error);
  const saving = useSettings((s) => s.saving);
  const { setOpen, update, checkForUpdates, installUpdate, diagnostics } = useStores().settings.getState();
  const locale = useDesk((s) => s.locale);
  const identity = useDesk((s) => s.identity);
  const [channel, setChannel] = useState('');
  const [retention, setRetention] = useState('');
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const [diagText, setDiagText] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!view) return;
    setChannel(view.settings.updateChannel);
    setRetention(String(view.settings.retentionDays));
  }, [view?.settings.updateChannel, view?.settings.retentionDays]);

  useEffect(() => {
    if (!open) return;
    dialogRef.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);

  if (!open) return null;
  const s = view?.settings;
  const caps = view?.capabilities;
  const u = view?.update;
  const channelValid = UPDATE_CHANNEL_PATTERN.test(channel); // settings.ts's UpdateChannel is this pattern
  const retentionNumber = Number(retention);
  const retentionValid = Number.isInteger(retentionNumber) && retentionNumber >= 1 && retentionNumber <= 365;

  const copyDiagnostics = async () => {
    const text = await diagnostics();
    try {
      await navigator.clipboard.writeText(text);
      setCopied('copied');
      setDiagText(null);
    } catch {
      // Clipboard refused (permissions, an insecure page): show the text to copy by hand.
      setCopied('failed');
      setDiagText(text);
    }
  };

  return (
    <div className="settings-backdrop" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
      <div className="settings-dialog" role="dialog" aria-modal="true" aria-labelledby="settings-title" tabIndex={-1} ref={dialogRef}>
        <header className="settings-head">
          <h2 id="settings-title">{t('settings.title')}</h2>
          <button type="button" onClick={() => setOpen(false)}>
            {t('settings.close')}
          </button>
        </header>
        {!s || !caps || !u ? (
          <p className="muted">{t('settings.unavailable')}</p>
        ) : (
          <div className="settings-body">
            <section aria-labelledby="settings-desk">
              <h3 id="settings-desk">{t('settings.section.desk')}</h3>
              <dl className="settings-facts">
                <dt>{t('settings.hqUrl')}</dt>
                <dd>{(identity?.hqUrls ?? s.hqUrls).join(', ') || '—'}</dd>
                <dt>{t('settings.store')}</dt>
                <dd>{identity ? `${identity.storeName} · ${identity.deviceName}` : '—'}</dd>
              </dl>
              <p className="field-hint">{t('settings.hqUrl.hint')}</p>
              <label htmlFor="settings-language">{t('settings.language')}</label>
              <select id="settings-language" value={s.language} onChange={(e) => void update({ language: e.target.value as typeof s.language })}>
                <option value="system">{t('settings.language.system')}</option>
                <option value="zh-CN">简体中文</option>
                <option value="en">English</option>
              </select>
              <label htmlFor="settings-retention">{t('settings.retention')}</label>
              <input
                id="settings-retention"
                type="number"
                min={1}
                max={365}
                value={retention}
                onChange={(e) => setRetention(e.target.value)}
                onBlur={() => retentionValid && retentionNumber !== s.retentionDays && void update({ retentionDays: retentionNumber })}
                aria-invalid={!retentionValid}
                aria-describedby="settings-retention-hint"
              />
              <p id="settings-retention-hint" className={retentionValid ? 'field-hint' : 'field-error'}>
                {retentionValid ? t('settings.retention.hint') : t('settings.retention.invalid')}
              </p>
              <label className="check">
                <input type="checkbox" checked={s.startOnLogin} disabled={!caps.startOnLogin} onChange={(e) => void update({ startOnLogin: e.target.checked })} />
                {t('settings.startOnLogin')}
              </label>
              {!caps.startOnLogin && <p className="field-hint">{t('settings.startOnLogin.unsupported')}</p>}
            </section>

            <section aria-labelledby="settings-alerts">
              <h3 id="settings-alerts">{t('settings.section.alerts')}</h3>
              <label className="check">
                <input type="checkbox" checked={s.notifications} onChange={(e) => void update({ notifications: e.target.checked })} />
                {t('settings.notifications')}
              </label>
              {!caps.nativeNotifications && <p className="field-hint">{t('settings.notifications.webHint')}</p>}
              <label htmlFor="settings-sound">{t('settings.sound')}</label>
              <div className="settings-row">
                <select id="settings-sound" value={s.sound} onChange={(e) => void update({ sound: e.target.value as SoundName })}>
                  {SOUNDS.map((name) => (
                    <option key={name} value={name}>
                      {t(`settings.sound.${name}`)}
                    </option>
                  ))}
                </select>
                <button type="button" onClick={() => playSound(s.sound, s.volume)} disabled={s.sound === 'none' || s.volume === 0}>
                  {t('settings.sound.test')}
                </button>
              </div>
              <label htmlFor="settings-volume">{t('settings.volume', { n: s.volume })}</label>
              <input id="settings-volume" type="range" min={0} max={100} step={5} value={s.volume} onChange={(e) => void update({ volume: Number(e.target.value) })} />
              <label className="check">
                <input type="checkbox" checked={s.quietHours.enabled} onChange={(e) => void update({ quietHours: { ...s.quietHours, enabled: e.target.checked } })} />
                {t('settings.quietHours')}
              </label>
              <div className="settings-row">
                <label htmlFor="settings-quiet-from">{t('settings.quietHours.from')}</label>
                <input id="settings-quiet-from" type="time" value={s.quietHours.from} disabled={!s.quietHours.enabled} onChange={(e) => e.target.value && void update({ quietHours: { ...s.quietHours, from: e.target.value } })} />
                <label htmlFor="settings-quiet-to">{t('settings.quietHours.to')}</label>
                <input id="settings-quiet-to" type="time" value={s.quietHours.to} disabled={!s.quietHours.enabled} onChange={(e) => e.target.value && void update({ quietHours: { ...s.quietHours, to: e.target.value } })} />
              </div>
              <p className="field-hint">{t('settings.quietHours.hint')}</p>
            </section>

            <section aria-labelledby="settings-updates">
              <h3 id="settings-updates">{t('settings.section.updates')}</h3>
              <dl className="settings-facts">
                <dt>{t('settings.version')}</dt>
                <dd>{u.currentVersion}</dd>
                <dt>{t('settings.lastCheck')}</dt>
                <dd>{formatTime(u.lastCheckAt, locale, t('settings.lastCheck.never'))}</dd>
                <dt>{t('settings.updateState')}</dt>
                <dd>
                  {t(`settings.update.${u.state}`, { v: u.availableVersion ?? '' })}
                  {u.error ? ` — ${u.error}` : ''}
                </dd>
              </dl>
              <label htmlFor="settings-channel">{t('settings.channel')}</label>
              <div className="settings-row">
                <input id="settings-channel" value={channel} spellCheck={false} onChange={(e) => setChannel(e.target.value.trim())} aria-invalid={!channelValid} aria-describedby="settings-channel-hint" />
                <button type="button" disabled={!channelValid || channel === s.updateChannel || saving} onClick={() => void update({ updateChannel: channel })}>
                  {t('settings.save')}
                </button>
              </div>
              <p id="settings-channel-hint" className={channelValid ? 'field-hint' : 'field-error'}>
                {channelValid ? t('settings.channel.hint') : t('settings.channel.invalid')}
              </p>
              <div className="settings-row">
                <button
                  type="button"
                  disabled={!caps.autoUpdate || checking}
                  onClick={() => {
                    setChecking(true);
                    void checkForUpdates().finally(() => setChecking(false));
                  }}
                >
                  {checking ? t('settings.update.checking') : t('settings.checkNow')}
                </button>
                {u.state === 'downloaded' && (
                  <button type="button" className="primary" onClick={() => void installUpdate()}>
                    {t('settings.installNow')}
                  </button>
                )}
              </div>
              {!caps.autoUpdate && <p className="field-hint">{t('settings.update.unsupportedHint')}</p>}
            </section>

            <section aria-labelledby="settings-support">
              <h3 id="settings-support">{t('settings.section.support')}</h3>
              <p className="field-hint">{t('settings.diagnostics.hint', { dir: view.dataDir })}</p>
              <button type="button" onClick={() => void copyDiagnostics()}>
                {t('settings.diagnostics.copy')}
              </button>
              <span role="status" className="settings-status">
                {copied === 'copied' ? t('settings.diagnostics.copied') : copied === 'failed' ? t('settings.diagnostics.failed') : ''}
              </span>
              {diagText !== null && <textarea className="settings-diag" readOnly value={diagText} aria-label={t('settings.diagnostics.copy')} onFocus={(e) => e.currentTarget.select()} />}
            </section>
            {error && (
              <p className="setup-error" role="alert">
                {error === 'invalid' ? t('settings.invalid') : error}
              </p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
