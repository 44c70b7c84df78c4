// The "copy diagnostics" text a clerk pastes to support: versions, OS, shell, connection state,
// queue count, settings (no secrets in them), and the recent log lines — every line redacted
// (redact.ts). Pure: the shells gather the facts and pass them in.
import type { ConnectionState, DeskIdentity } from '../../shared/deskApi.ts';
import type { DeskSettings, UpdateStatus } from '../../shared/settings.ts';
import { redactLogLine, redactText } from './redact.ts';

export interface DiagnosticsInput {
  appVersion: string;
  shell: 'electron' | 'web';
  versions: Partial<Record<'node' | 'electron' | 'chrome' | 'v8', string>>;
  os: { platform: string; release: string; arch: string; locale?: string };
  identity: DeskIdentity | null;
  connection: ConnectionState | null;
  settings: DeskSettings;
  update: UpdateStatus | null;
  logLines: readonly string[];
  now: number;
}

export function buildDiagnostics(input: DiagnosticsInput): string {
  const lines: string[] = [];
  const v = input.versions;
  lines.push(`Footfall desk diagnostics — ${new Date(input.now).toISOString()}`);
  lines.push(`version ${input.appVersion} · ${input.shell} shell · ${Object.entries(v).map(([k, x]) => `${k} ${x}`).join(' · ')}`);
  lines.push(`os ${input.os.platform} ${input.os.release} ${input.os.arch}${input.os.locale ? ` · locale ${input.os.locale}` : ''}`);
  if (input.identity) {
    // Store and device ids name the counter, not a person; the device name may (Counter of …): redact.
    lines.push(`store ${input.identity.storeId} · device ${input.identity.deviceId} (${redactText(input.identity.deviceName)}) · hq ${redactText(input.identity.hqUrls.join(', '))}`);
  } else {
    lines.push('not enrolled');
  }
  const c = input.connection;
  if (c) {
    lines.push(`connection ${c.status} since ${new Date(c.since).toISOString()} · queued ${c.queued} · position ${c.position}/${c.head}${c.lastError ? ` · last error: ${redactText(c.lastError)}` : ''}`);
    if (c.storage && c.storage.status !== 'ok') lines.push(`storage ${c.storage.status}: ${redactText(c.storage.message ?? '')}`);
  }
  const s = input.settings;
  lines.push(
    `settings language ${s.language} · notifications ${s.notifications ? 'on' : 'off'} · sound ${s.sound} ${s.volume}% · quiet hours ${s.quietHours.enabled ? `${s.quietHours.from}-${s.quietHours.to}` : 'off'} · start on login ${s.startOnLogin ? 'on' : 'off'} · retention ${s.retentionDays} d · channel ${s.updateChannel}`,
  );
  if (input.update) {
    const u = input.update;
    lines.push(`updates ${u.state}${u.availableVersion ? ` (${u.availableVersion})` : ''} · last check ${u.lastCheckAt ? new Date(u.lastCheckAt).toISOString() : 'never'}${u.error ? ` · ${redactText(u.error)}` : ''}`);
  }
  lines.push('', `recent log (${input.logLines.length} lines, personal data redacted):`);
  for (const line of input.logLines) lines.push(redactLogLine(line));
  return lines.join('\n');
}
