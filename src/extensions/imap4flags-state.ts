import type { SieveString } from '../compiler/strings.js';
import type { Runtime } from '../runtime/runtime.js';

/** Key of imap4flags' internal flag variable in Runtime.state (RFC 5232 §3): a string[]. */
export const FLAGS_STATE = 'imap4flags.flags';

/**
 * Flags a keep or fileinto stores with: its :flags argument, else the internal variable when
 * imap4flags is in use, else none.
 */
export function storeFlags(explicit: SieveString[] | null, rt: Runtime): string[] | null {
  const list = explicit
    ? splitFlags(rt.expandList(explicit))
    : (rt.state.get(FLAGS_STATE) as string[] | undefined);
  return list && list.length ? [...list] : null;
}

const SYSTEM_FLAGS = new Set(['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft']);

/**
 * A flag that can be stored: one of the five system flags IMAP lets a client set (\Recent cannot
 * be), or a keyword that is an IMAP atom (RFC 3501 §9: printable ASCII without
 * specials).
 */
export function isValidFlag(flag: string): boolean {
  if (flag.startsWith('\\')) return SYSTEM_FLAGS.has(flag.toLowerCase());
  return /^[\x21-\x7e]+$/.test(flag) && !/[(){%*"\\\]]/.test(flag);
}

/**
 * Flag lists may hold several space-separated flags per string; invalid flags are dropped and
 * duplicates collapse (case-insensitive, the first spelling kept).
 */
export function splitFlags(strings: string[]): string[] {
  const seen = new Map<string, string>();
  for (const s of strings) {
    for (const f of s.split(' ')) {
      if (f && isValidFlag(f) && !seen.has(f.toLowerCase())) seen.set(f.toLowerCase(), f);
    }
  }
  return [...seen.values()];
}
