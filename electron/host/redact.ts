// Redaction of personal data and secrets from text that leaves the desk (the "copy diagnostics"
// support text): phone numbers, names, notes and message bodies, tokens, enrollment codes, PINs,
// e-mail addresses. Log lines are JSON objects: sensitive keys are blanked whatever their value,
// then every remaining string goes through the pattern pass. Plain text gets the pattern pass only.
// Plain module (no `electron` import), unit-tested.

/** Keys whose values are personal or secret, wherever they appear in a log object. */
const SENSITIVE_KEYS = new Set(
  ['name', 'nameen', 'membername', 'clerkname', 'note', 'notes', 'text', 'body', 'phone', 'phonemasked', 'mobile', 'email', 'token', 'authorization', 'code', 'membercode', 'pin', 'password', 'secret', 'cookie', 'devicetoken', 'enrollcode', 'address', 'birthday'].map((k) => k.toLowerCase()),
);

const PATTERNS: Array<[RegExp, string]> = [
  // Bearer / token=… / key: … style secrets.
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [token]'],
  [/\b(token|key|code|pin|secret|password|authorization)(["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi, '$1$2[redacted]'],
  // E-mail.
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // Phone numbers: mainland mobiles, +country numbers, masked forms like 138****5678, 7+ digit runs.
  [/(?:\+?\d{1,3}[\s-]?)?1[3-9]\d[\s-]?(?:\d{4}|\*{4})[\s-]?\d{4}/g, '[phone]'],
  [/\+\d[\d\s-]{6,}\d/g, '[phone]'],
  [/\b\d{7,}\b/g, '[number]'],
  // Long opaque strings (tokens, keys): 24+ base64/hex-ish characters.
  [/\b[A-Za-z0-9_-]{24,}={0,2}/g, '[token]'],
  // Names and free text in Chinese: any run of two or more CJK characters.
  [/[\u3400-\u9fff\uf900-\ufaff]{2,}/g, '[cjk]'],
];

/** Pattern pass over free text. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function redactValue(value: unknown, key: string | null): unknown {
  if (key !== null && SENSITIVE_KEYS.has(key.toLowerCase())) return value === null || value === undefined ? value : '[redacted]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, null));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactValue(v, k)]));
  }
  return value;
}

/** One log line: JSON objects key by key, anything else as text. */
export function redactLogLine(line: string): string {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.stringify(redactValue(JSON.parse(trimmed), null));
    } catch {
      // Not JSON after all: fall through to the text pass.
    }
  }
  return redactText(line);
}
