// A chat image in a visit's timeline, as a thumbnail that opens full size in place. The bytes come
// the way the chat pane gets them (the chat store's `image`: the desk's image cache, else HQ), so
// the manager sees exactly what the member and the clerk saw.
import { useEffect, useState } from 'react';
import type { ImageRef } from '../../../shared/domain.ts';
import { useT } from '../i18n/useT.ts';
import { useChat } from '../state/StoresProvider.tsx';

export function TimelineImage({ image }: { image: ImageRef }) {
  const t = useT();
  const load = useChat((s) => s.image);
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    void load(image.id).then((url) => {
      if (!live) return;
      setSrc(url);
      setFailed(url === null);
    });
    return () => {
      live = false;
    };
  }, [image.id, load]);
  if (!src) return <span className="muted timeline-image-missing">{failed ? t('mgr.timeline.imageUnavailable') : t('chat.image')}</span>;
  return (
    <button
      type="button"
      className={`timeline-image ${open ? 'open' : ''}`}
      aria-expanded={open}
      aria-label={open ? t('mgr.timeline.imageSmaller') : t('mgr.timeline.imageLarger')}
      onClick={() => setOpen((o) => !o)}
    >
      <img src={src} alt={t('chat.image')} data-image-id={image.id} />
    </button>
  );
}
