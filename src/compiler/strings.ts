/**
 * Compiled string values. A string without variable references stays a plain JS string, so the
 * common case costs nothing at run time; one with `${...}` becomes a template expanded per use.
 */
export type VarRef =
  | { kind: 'var'; name: string }
  | { kind: 'match'; index: number }
  | { kind: 'ns'; namespace: string; name: string };

export interface Template {
  parts: Array<string | VarRef>;
  /** The source text, for messages and for matching when expansion is not wanted. */
  source: string;
}

export type SieveString = string | Template;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Splits `text` into literal parts and variable references (RFC 5229 §3). A `${...}` that is not a
 * well-formed reference stays literal text. `known` decides which namespaces are accepted.
 */
export function parseTemplate(
  text: string,
  isNamespace: (ns: string) => boolean,
  onUnknownNamespace?: (ns: string, ref: string) => void,
): SieveString {
  if (!text.includes('${')) return text;
  const parts: Array<string | VarRef> = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) break;
    // Only name characters may stand between the braces, so scanning stops early and a long run of
    // unterminated "${" stays linear.
    let end = start + 2;
    while (end < text.length && isRefChar(text.charCodeAt(end))) end++;
    const ref =
      text[end] === '}' ? parseRef(text.slice(start + 2, end), isNamespace, onUnknownNamespace) : null;
    if (ref) {
      literal += text.slice(i, start);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(ref);
      i = end + 1;
    } else {
      // Not a reference: keep "${" literally and look again right after it (nested "${${a}").
      literal += text.slice(i, start + 2);
      i = start + 2;
    }
  }
  literal += text.slice(i);
  if (literal) parts.push(literal);
  if (parts.every((p) => typeof p === 'string')) return parts.join('');
  return { parts, source: text };
}

/** Letters, digits, `_` and the `.` of namespaced names. */
function isRefChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 46;
}

function parseRef(
  inner: string,
  isNamespace: (ns: string) => boolean,
  onUnknownNamespace?: (ns: string, ref: string) => void,
): VarRef | null {
  if (/^[0-9]+$/.test(inner)) return { kind: 'match', index: Number(inner) };
  const pieces = inner.split('.');
  if (!pieces.every((p) => IDENT.test(p))) return null;
  if (pieces.length === 1) return { kind: 'var', name: inner.toLowerCase() };
  const ns = pieces.slice(0, -1).join('.').toLowerCase();
  if (!isNamespace(ns)) {
    // RFC 5229 §3: a namespace whose extension was not required is an error, not literal text.
    onUnknownNamespace?.(ns, inner);
    return null;
  }
  return { kind: 'ns', namespace: ns, name: pieces[pieces.length - 1]!.toLowerCase() };
}

/**
 * RFC 5228 §2.4.2.4 encoded characters: `${hex: 41 42}` and `${unicode: 1F600}`. Malformed
 * sequences stay as written; the returned error (if any) is for a code point out of range.
 */
export function decodeEncodedCharacters(text: string): { value: string; error?: string } {
  if (!text.includes('${')) return { value: text };
  let error: string | undefined;
  const value = text.replace(
    /\$\{(hex|unicode)\s*:\s*([0-9a-fA-F\s]*)\}/gi,
    (whole, kind: string, body: string) => {
      const items = body.trim().split(/\s+/).filter(Boolean);
      if (items.length === 0) return whole;
      if (kind.toLowerCase() === 'hex') {
        if (items.some((h) => h.length > 2)) return whole;
        return Buffer.from(items.map((h) => parseInt(h, 16))).toString('utf8');
      }
      let out = '';
      for (const h of items) {
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          error = `invalid unicode character U+${h.toUpperCase()} in encoded character`;
          return whole;
        }
        out += String.fromCodePoint(cp);
      }
      return out;
    },
  );
  return error ? { value, error } : { value };
}
