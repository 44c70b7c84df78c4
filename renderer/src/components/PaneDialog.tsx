// The shell of a full pane opened over the desk (groups, live rooms): a backdrop that closes it on
// a click outside, Escape to close, a titled modal dialog with its close button. Class names and
// ids carry the pane's name (`groups-pane`, `#live-title`, `data-action="close-groups"`), so each
// pane keeps its own styles and its tests' selectors.
import { type ReactNode, useEffect } from 'react';

export function PaneDialog({ name, title, closeLabel, onClose, children }: { name: string; title: string; closeLabel: string; onClose: () => void; children: ReactNode }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className={`${name}-backdrop`} onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`${name}-pane`} role="dialog" aria-modal="true" aria-labelledby={`${name}-title`}>
        <header className={`${name}-head`}>
          <h2 id={`${name}-title`}>{title}</h2>
          <button type="button" className="btn btn-small" data-action={`close-${name}`} onClick={onClose}>
            {closeLabel}
          </button>
        </header>
        <div className={`${name}-body`}>{children}</div>
      </div>
    </div>
  );
}
