// Start on login. Windows and macOS: Electron's app.setLoginItemSettings (main.ts). Linux: Electron
// has no login-item API there, so the desk writes an XDG autostart entry
// (~/.config/autostart/footfall-desk.desktop), which GNOME, KDE, Xfce and most desktops honour.
// Pure (no `electron` import); the file is written by a function the tests can point at a temp dir.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function autostartDesktopEntry(execPath: string, name = 'Footfall'): string {
  // Exec quoting per the Desktop Entry spec: wrap in double quotes, escape " ` $ \.
  const quoted = `"${execPath.replace(/(["`$\\])/g, '\\$1')}"`;
  return ['[Desktop Entry]', 'Type=Application', `Name=${name}`, `Exec=${quoted} --hidden`, 'X-GNOME-Autostart-enabled=true', 'NoDisplay=false', 'Terminal=false', ''].join('\n');
}

/** Turn the Linux autostart entry on or off under `configHome` (XDG_CONFIG_HOME or ~/.config). */
export function setLinuxAutostart(configHome: string, on: boolean, execPath: string): string {
  const dir = join(configHome, 'autostart');
  const file = join(dir, 'footfall-desk.desktop');
  if (on) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, autostartDesktopEntry(execPath));
  } else {
    rmSync(file, { force: true });
  }
  return file;
}
