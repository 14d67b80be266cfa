import type { SieveString } from '../../compiler/strings.js';
import type { Runtime } from '../../runtime/runtime.js';
import { stateKey } from '../../compiler/state.js';

/** Key of imap4flags' internal flag variable in Runtime.state (RFC 5232 §3): a string[]. */
export const FLAGS_STATE = stateKey<string[]>('imap4flags.flags');

/**
 * Flags a keep or fileinto stores with: its :flags argument, else the internal variable when
 * imap4flags is in use, else none.
 */
export function storeFlags(explicit: SieveString[] | null, rt: Runtime): string[] | null {
  const list = explicit ? flagList(explicit, rt) : rt.state.get(FLAGS_STATE);
  // A copy: the action goes to the host, the list may be shared.
  return list && list.length ? list.slice() : null;
}

/** Split lists of the compiled flag arguments that hold no variables (shared: never modify them). */
const constantLists = new WeakMap<SieveString[], string[]>();

/** The flags of a compiled flag list (splitFlags of its expansion); worked out once when constant. */
export function flagList(list: SieveString[], rt: Runtime): string[] {
  let flags = constantLists.get(list);
  if (flags !== undefined) return flags;
  const strings = rt.expandList(list);
  flags = splitFlags(strings);
  // expandList hands back the list itself when it holds no variables.
  if (strings === list) constantLists.set(list, flags);
  return flags;
}

const SYSTEM_FLAGS = new Set(['\\answered', '\\flagged', '\\deleted', '\\seen', '\\draft']);

/**
 * A flag that can be stored: one of the five system flags IMAP lets a client set (\Recent cannot
 * be), or a keyword that is an IMAP atom (RFC 3501 §9: printable ASCII without
 * specials).
 */
export function isValidFlag(flag: string): boolean {
  if (flag.charCodeAt(0) === 0x5c /* \\ */) return SYSTEM_FLAGS.has(flag.toLowerCase());
  if (flag.length === 0) return false;
  for (let i = 0; i < flag.length; i++) {
    const c = flag.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || ATOM_SPECIALS.includes(flag[i]!)) return false;
  }
  return true;
}

const ATOM_SPECIALS = '(){%*"\\]';

/**
 * Flag lists may hold several space-separated flags per string; invalid flags are dropped and
 * duplicates collapse (case-insensitive, the first spelling kept).
 */
export function splitFlags(strings: string[]): string[] {
  const seen = new Map<string, string>();
  addFlags(seen, strings);
  return [...seen.values()];
}

/**
 * `current` with the flags of `more` it lacks added (case-insensitive). Both are flag lists
 * already split, valid and without duplicates, as the flag variables always hold, so nothing is
 * checked again; `current` is never modified.
 */
export function mergeFlags(current: string[], more: string[]): string[] {
  let out = current;
  for (let i = 0; i < more.length; i++) {
    const flag = more[i]!;
    if (!hasFlag(out, flag)) {
      if (out === current) out = current.slice();
      out.push(flag);
    }
  }
  return out;
}

function hasFlag(list: string[], flag: string): boolean {
  for (let i = 0; i < list.length; i++) {
    const f = list[i]!;
    if (f.length === flag.length && (f === flag || f.toLowerCase() === flag.toLowerCase())) return true;
  }
  return false;
}

function addFlags(seen: Map<string, string>, strings: string[]): void {
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i]!;
    if (s.indexOf(' ') < 0) addFlag(seen, s);
    else for (const f of s.split(' ')) addFlag(seen, f);
  }
}

function addFlag(seen: Map<string, string>, f: string): void {
  if (f === '' || !isValidFlag(f)) return;
  const key = f.toLowerCase();
  if (!seen.has(key)) seen.set(key, f);
}
