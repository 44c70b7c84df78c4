import { useMemo } from 'react';
import { useDesk } from '../state/StoresProvider.tsx';
import { type Translate, translator } from './index.ts';

/** The translate function for the clerk's current language. */
export function useT(): Translate {
  const locale = useDesk((s) => s.locale);
  return useMemo(() => translator(locale), [locale]);
}
