// What the setup screen says when enrolling failed: one sentence in the clerk's language, from the
// reason the desk core put in its error (shared/enrollFailure.ts).
import { ENROLL_TIMEOUT_MS, parseEnrollFailure, type UnreachableCause } from '../../../shared/enrollFailure.ts';
import { type MessageKey, type Translate } from '../i18n/index.ts';

const UNREACHABLE: Record<UnreachableCause, MessageKey> = {
  connection_refused: 'setup.error.unreachable.refused',
  host_not_found: 'setup.error.unreachable.notFound',
  timeout: 'setup.error.unreachable.timeout',
  tls: 'setup.error.unreachable.tls',
  network: 'setup.error.unreachable.network',
};

/**
 * One sentence in the clerk's language for a failed enrollment: nothing answered (and why), the
 * address is not a Footfall HQ, HQ refused the code (HQ's own words), or HQ cannot enroll just now.
 */
export function enrollErrorText(t: Translate, raw: string): string {
  const f = parseEnrollFailure(raw);
  if (!f) return `${t('setup.error.other')} ${raw.replace(/^(not_allowed|internal|invalid_argument|not_found|storage):\s*/, '')}`.trim();
  switch (f.kind) {
    case 'refused':
      return t('setup.error.refused', { detail: f.detail });
    case 'hq_error':
      return t('setup.error.hqFailed', { detail: f.detail });
    case 'not_hq':
      return t('setup.error.notHq', { address: f.address, status: f.status });
    case 'unreachable':
      return t(UNREACHABLE[f.cause], { address: f.address, detail: f.detail, seconds: ENROLL_TIMEOUT_MS / 1000 });
  }
}
