const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Mailbox names must be valid UTF-8 text without control characters; RFC 5228 leaves the rest to
 * the mail store. Returns an error message, or null when the name is usable.
 */
export function checkMailboxName(name: string): string | null {
  if (name.length === 0) return 'folder name is empty';
  if (name.includes('\uFFFD') || /[\x00-\x1f\x7f]/.test(name))
    return `invalid folder name "${printable(name)}"`;
  // Surrogates are only allowed in pairs; most names hold none, and need no copy without the pairs.
  if (SURROGATE.test(name) && SURROGATE.test(name.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''))) {
    return `invalid folder name "${printable(name)}"`;
  }
  if (name.length > 1000) return 'folder name is too long';
  return null;
}

function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, '?').slice(0, 100);
}
