// First run: the desk is not enrolled yet. The clerk or the store's IT enters HQ's
// address (or its nodes' addresses, comma-separated: the desk fails over between them), the
// one-time enrollment code HQ printed, and this counter's name; the shell enrolls, keeps the
// device token in the OS keychain, and the desk reloads into the sign-in screen.
import { type FormEvent, useState } from 'react';
import type { HqUrlsProblem } from '../../../shared/settings.ts';
import { type Translate } from '../i18n/index.ts';
import { useT } from '../i18n/useT.ts';
import { useDeskClient } from '../state/StoresProvider.tsx';
import '../settings/settings.css';
import { enrollErrorText } from './enrollErrorText.ts';

type Field = 'hqUrl' | 'code' | 'deviceName';

/** What is wrong with the typed addresses, naming the bad one when there are several. */
export function hqUrlsErrorText(t: Translate, p: HqUrlsProblem): string {
  if (p.problem === 'empty') return t('setup.hqUrl.empty');
  if (p.problem === 'too_many') return t('setup.hqUrl.tooMany', { max: p.max });
  return t('setup.hqUrl.invalid', { address: p.address });
}

export function Setup() {
  const t = useT();
  const api = useDeskClient();
  const [hqUrls, setHqUrls] = useState('');
  const [hqProblem, setHqProblem] = useState<HqUrlsProblem | null>(null);
  const [code, setCode] = useState('');
  const [deviceName, setDeviceName] = useState('Counter 1');
  const [invalid, setInvalid] = useState<Set<Field>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const bad = new Set<Field>();
    // The schemas load when the form is sent, not with the page (shared/limits.ts says why).
    let schemas: typeof import('../../../shared/settings.ts');
    try {
      schemas = await import('../../../shared/settings.ts');
    } catch (err) {
      setError(enrollErrorText(t, err instanceof Error ? err.message : String(err)));
      return;
    }
    const { checkHqUrls, DeviceName, EnrollCode } = schemas;
    const hq = checkHqUrls(hqUrls);
    setHqProblem(hq.ok ? null : hq);
    if (!hq.ok) bad.add('hqUrl');
    if (!EnrollCode.safeParse(code).success) bad.add('code');
    if (!DeviceName.safeParse(deviceName).success) bad.add('deviceName');
    setInvalid(bad);
    if (bad.size > 0 || !hq.ok) return;
    setBusy(true);
    setError(null);
    try {
      await api.enroll(hq.urls, code.trim(), deviceName.trim());
      // A fresh start of every store (desk, clerks, chat) against the enrolled desk.
      window.location.reload();
    } catch (err) {
      setError(enrollErrorText(t, err instanceof Error ? err.message : String(err)));
      setBusy(false);
    }
  };

  const described = (field: Field) => (invalid.has(field) ? `setup-${field}-error` : `setup-${field}-hint`);

  return (
    <main className="setup">
      <form className="setup-card" onSubmit={(e) => void submit(e)} noValidate aria-busy={busy}>
        <h1>{t('setup.title')}</h1>
        <p className="muted">{t('setup.intro')}</p>

        <label htmlFor="setup-hq">{t('setup.hqUrl')}</label>
        {/* type="text": several addresses are comma-separated, which a url field would call invalid. */}
        <input id="setup-hq" type="text" inputMode="url" autoComplete="off" autoCapitalize="off" spellCheck={false} placeholder="https://hq.example.com" value={hqUrls} onChange={(e) => setHqUrls(e.target.value)} aria-invalid={invalid.has('hqUrl')} aria-describedby={described('hqUrl')} required />
        {invalid.has('hqUrl') && hqProblem ? (
          <p id="setup-hqUrl-error" className="field-error">{hqUrlsErrorText(t, hqProblem)}</p>
        ) : (
          <p id="setup-hqUrl-hint" className="field-hint">{t('setup.hqUrl.hint')}</p>
        )}

        <label htmlFor="setup-code">{t('setup.code')}</label>
        <input id="setup-code" autoComplete="one-time-code" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} aria-invalid={invalid.has('code')} aria-describedby={described('code')} required />
        {invalid.has('code') ? (
          <p id="setup-code-error" className="field-error">{t('setup.code.invalid')}</p>
        ) : (
          <p id="setup-code-hint" className="field-hint">{t('setup.code.hint')}</p>
        )}

        <label htmlFor="setup-device">{t('setup.deviceName')}</label>
        <input id="setup-device" maxLength={60} value={deviceName} onChange={(e) => setDeviceName(e.target.value)} aria-invalid={invalid.has('deviceName')} aria-describedby={described('deviceName')} required />
        {invalid.has('deviceName') ? (
          <p id="setup-deviceName-error" className="field-error">{t('setup.deviceName.invalid')}</p>
        ) : (
          <p id="setup-deviceName-hint" className="field-hint">{t('setup.deviceName.hint')}</p>
        )}

        {error && (
          <p className="setup-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('setup.enrolling') : t('setup.enroll')}
        </button>
      </form>
    </main>
  );
}
