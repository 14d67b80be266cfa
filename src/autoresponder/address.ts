/** E-mail addresses in settings: checking them, and the `:from` value with its display name. */

// ASCII only, as the engine and Pigeonhole require for addresses mail is sent to; an unquoted local
// part may have dots anywhere (some carriers hand out `a..b.@example.com`).
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** True for one plain `local@domain` address. */
export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || address.length > 254) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL.test(local)) return false;
  const labels = domain.split('.');
  return labels.length > 0 && labels.every((l) => LABEL.test(l));
}

export interface NamedAddress {
  name: string;
  address: string;
}

/** Reads `addr`, `<addr>` or `Display Name <addr>` (the name may be quoted); null when malformed. */
export function parseNamedAddress(text: string): NamedAddress | null {
  const value = text.trim();
  const m = /^(.*?)\s*<([^<>\s]+)>$/s.exec(value);
  if (!m) return isValidAddress(value) ? { name: '', address: value } : null;
  const address = m[2]!;
  if (!isValidAddress(address)) return null;
  let name = m[1]!.trim();
  if (name.startsWith('"')) {
    const q = /^"((?:[^"\\]|\\.)*)"$/s.exec(name);
    if (!q) return null;
    name = q[1]!.replace(/\\(.)/gs, '$1');
  } else if (/[<>"]/.test(name)) return null;
  return { name: decodeEncodedWords(name), address };
}

/** The canonical settings form: `addr`, or `Name <addr>` with the name quoted when it needs to be. */
export function formatNamedAddress({ name, address }: NamedAddress): string {
  if (!name) return address;
  return `${quotePhrase(name)} <${address}>`;
}

/** The form written into a script: a non-ASCII name becomes an RFC 2047 encoded word. */
export function headerNamedAddress({ name, address }: NamedAddress): string {
  if (!name) return address;

  if (/[^\x00-\x7f]/.test(name)) {
    return `${encodeWords(name)} <${address}>`;
  }
  return `${quotePhrase(name)} <${address}>`;
}

function quotePhrase(name: string): string {
  // RFC 5322 atext and spaces may stand unquoted; anything else is quoted.
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ \u{80}-\u{10ffff}-]+$/u.test(name) && name.trim() === name) return name;
  return '"' + name.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/** RFC 2047 base64 words of at most 75 characters, split between whole characters. */
function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** Decodes RFC 2047 UTF-8 (or US-ASCII / Latin-1) words; anything else is left as written. */
export function decodeEncodedWords(text: string): string {
  const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = text.replace(/(\?=)\s+(?==\?)/g, '$1');
  return joined.replace(WORD, (all, charset: string, enc: string, data: string) => {
    const cs = charset.toLowerCase().split('*')[0]!;
    const encoding = cs === 'utf-8' || cs === 'us-ascii' ? 'utf8' : cs === 'iso-8859-1' ? 'latin1' : null;
    if (!encoding) return all;
    const bytes =
      enc.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    return bytes.toString(encoding);
  });
}
