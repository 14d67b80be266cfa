/** Writing Sieve values (RFC 5228 §2.4.2): quoted strings, `text:` blocks, lists, `require`. */

/** A quoted string: `\` and `"` escaped; everything else, non-ASCII included, as it is. */
export function quoted(value: string): string {
  return '"' + value.replace(/[\\"]/g, (c) => '\\' + c) + '"';
}

/**
 * A `text:` block. Lines starting with a dot get a second one, and line breaks are written as `eol`.
 * The value read back is `value` plus one final line break (a `text:` string always ends with one).
 */
export function textBlock(value: string, eol: string): string {
  const lines = value.split(/\r\n|\r|\n/).map((l) => (l.startsWith('.') ? '.' + l : l));
  return `text:${eol}${lines.join(eol)}${eol}.${eol}`;
}

/** A string argument: quoted on one line, a `text:` block when it has line breaks. */
export function stringArgument(value: string, eol: string): string {
  return /[\r\n]/.test(value) ? textBlock(value, eol) : quoted(value);
}

/** One string quoted, or several as a list. */
export function stringList(values: readonly string[]): string {
  return values.length === 1 ? quoted(values[0]!) : '[' + values.map(quoted).join(', ') + ']';
}

/** `require [...]` with each capability once, sorted, as Roundcube writes it. */
export function requireCommand(capabilities: Iterable<string>): string {
  const caps = [...new Set(capabilities)].sort();
  return `require ${caps.length === 1 ? quoted(caps[0]!) : '[' + caps.map(quoted).join(',') + ']'};`;
}

/** Reads a `text:` value back as written: its final line break dropped, line breaks as `\n`. */
export function fromTextBlock(value: string): string {
  return value.replace(/\r?\n$/, '').replace(/\r\n?/g, '\n');
}
