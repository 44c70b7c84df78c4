// A style's picture (4/8 part E), for suggestions, chat product cards and holds. It shows the
// picture from the desk's cache (DeskApi getStyleImage, a data: URL — the CSP's img-src allows
// data:); while the desk lacks it (offline, not fetched yet, or the style has none) a neutral
// drawing of the category stands in, never a broken image. When the picture arrives in the cache
// (the `styleImage` event) it replaces the placeholder by itself.
import { useEffect, useState } from 'react';
import type { Category, StyleImageRef } from '../../../shared/domain.ts';
import { categoryName } from '../../../shared/reasons.ts';
import { useDesk, useDeskClient } from '../state/StoresProvider.tsx';
import './pictures.css';

export interface StylePictureProps {
  /** The style's picture reference (`Recommendation.image`, `ProductCard.image`); null/undefined: none. */
  image: StyleImageRef | null | undefined;
  /** The style's category: the placeholder's drawing and its label. */
  category: Category;
  /** The style's name, for the picture's alt text. */
  name: string;
  /** 'card' (default): full width of a card, 4:3; 'thumb': 64×48 for lists. */
  size?: 'card' | 'thumb';
}

/** Pictures already read in this page (data: URLs by id): a re-render never asks the desk again. */
const loaded = new Map<string, string>();
const MAX_LOADED = 300;

export function StylePicture({ image, category, name, size = 'card' }: StylePictureProps) {
  const client = useDeskClient();
  const locale = useDesk((s) => s.locale);
  const id = image?.id ?? null;
  const [src, setSrc] = useState<string | null>(id ? (loaded.get(id) ?? null) : null);

  useEffect(() => {
    if (!id) {
      setSrc(null);
      return;
    }
    let live = true;
    const read = () => {
      const known = loaded.get(id);
      if (known) return setSrc(known);
      void client
        .getStyleImage(id)
        .then((img) => {
          if (!img || !live) return;
          const url = `data:${img.mime};base64,${img.dataBase64}`;
          if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value!);
          loaded.set(id, url);
          setSrc(url);
        })
        .catch(() => {});
    };
    setSrc(loaded.get(id) ?? null);
    read();
    const off = client.on('styleImage', (e) => {
      if (e.imageId === id) read();
    });
    return () => {
      live = false;
      off();
    };
  }, [id, client]);

  const cls = `style-picture style-picture-${size}`;
  if (src) return <img className={cls} src={src} alt={name} loading="lazy" data-picture="image" />;
  return (
    <div className={`${cls} is-placeholder`} role="img" aria-label={`${name} · ${categoryName(category, locale)}`} data-picture="placeholder">
      <CategoryIcon category={category} />
    </div>
  );
}

/** A plain outline of the category's shoe, in the muted text colour. */
function CategoryIcon({ category }: { category: Category }) {
  const d =
    category === 'basketball'
      ? 'M10 44V14q0-4 4-4h8q4 0 5 4l2 10q8 4 18 5 12 2 15 10v5z'
      : category === 'kids'
        ? 'M16 44V26q0-5 5-5h6q4 0 6 4 8 2 14 3 9 2 10 12v4z'
        : category === 'casual'
          ? 'M8 44V33q0-3 4-3 12 2 22 2 18 0 24 8v4z'
          : 'M8 44V26q0-4 4-4h6q4 0 6 4 12 4 22 5 10 2 14 9v4z';
  return (
    <svg viewBox="0 0 64 52" aria-hidden="true" focusable="false">
      <path d={d} fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinejoin="round" />
      <path d="M6 46h54" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />
    </svg>
  );
}
