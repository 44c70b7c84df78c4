// Subject and key tokens for NATS. Store ids, channels and client ids are free text, but a NATS
// subject token may not hold '.', '*', '>' or white space, and a KV key allows only [-/_=.A-Za-z0-9].
// Every name is therefore escaped into [A-Za-z0-9_-]: letters, digits and '-' stay (subjects stay
// readable in `nats sub` and the monitoring pages), every other UTF-8 byte becomes `_XX` (hex).
// The empty string, which would make an empty token, is the lone '_'.

const PLAIN = /^[A-Za-z0-9-]$/;
const HEX = /^[0-9A-F]{2}$/;

/** One token safe for a NATS subject and a KV key; `decodeToken` reverses it. */
export function encodeToken(text: string): string {
  if (text === '') return '_';
  let out = '';
  for (const ch of text) {
    if (PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The text of a token made by `encodeToken`; throws on anything `encodeToken` cannot have made. */
export function decodeToken(token: string): string {
  if (token === '_') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    const ch = token[i] as string;
    if (ch === '_') {
      const hex = token.slice(i + 1, i + 3);
      if (!HEX.test(hex)) throw new Error(`bad token escape in ${JSON.stringify(token)}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (PLAIN.test(ch)) {
      bytes.push(ch.charCodeAt(0));
      i += 1;
    } else {
      throw new Error(`bad token character in ${JSON.stringify(token)}`);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A subject prefix is one or more plain tokens separated by dots (no wildcards, no spaces). */
export function checkSubjectPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new Error(`bad NATS subject prefix ${JSON.stringify(prefix)}`);
  return prefix;
}
