import { encodeMailboxName } from './utf7.js';

/**
 * Maildir++ layout as Dovecot reads it: INBOX is the Maildir root, every other folder is a
 * directory `.A.B` beside new/ cur/ tmp/, with `.` as hierarchy separator and modified UTF-7
 * for non-ASCII names.
 */

/** A folder name that cannot be stored in a Maildir++ tree. */
export class FolderNameError extends Error {
  override readonly name = 'FolderNameError';
}

/** Longest folder name accepted, in characters (directory names are limited to 255 bytes). */
export const MAX_FOLDER_NAME = 200;

/**
 * The directory name (relative to the Maildir root) for folder `name`, whose levels are separated
 * by `separator` (default '/', as in Sieve's fileinto); '' for INBOX.
 */
export function folderDirectory(name: string, separator = '/'): string {
  if (name.toUpperCase() === 'INBOX') return '';
  if (name === '') throw new FolderNameError('empty folder name');
  if (name.length > MAX_FOLDER_NAME) throw new FolderNameError('folder name too long');
  const levels = name.split(separator);
  const encoded = levels.map((level) => {
    if (level === '') throw new FolderNameError(`empty level in folder name "${name}"`);
    if (level === '.' || level === '..') throw new FolderNameError(`"${level}" is not a folder name`);
    if (/[\x00-\x1f\x7f/\\]/.test(level)) {
      throw new FolderNameError(`control character or slash in folder name "${name}"`);
    }
    // A dot inside a level would create an extra hierarchy level on disk.
    if (separator !== '.' && level.includes('.')) {
      throw new FolderNameError(`"." is the hierarchy separator and cannot appear in a level`);
    }
    return encodeMailboxName(level);
  });
  const dir = '.' + encoded.join('.');
  if (Buffer.byteLength(dir) > 255) throw new FolderNameError('folder name too long');
  return dir;
}

/** IMAP system flags and the Maildir info letters they map to. */
const FLAG_LETTERS: Record<string, string> = {
  '\\draft': 'D',
  '\\flagged': 'F',
  '\\answered': 'R',
  '\\seen': 'S',
  '\\deleted': 'T',
};

/**
 * The `:2,` info suffix for `flags`: system flags as their letters, keywords as the letters a-z
 * given by `keywordLetter` (from dovecot-keywords); letters in ASCII order as Maildir requires.
 */
export function maildirInfo(
  flags: readonly string[],
  keywordLetter: (kw: string) => string | undefined,
): string {
  const letters = new Set<string>();
  for (const flag of flags) {
    const system = FLAG_LETTERS[flag.toLowerCase()];
    if (system) letters.add(system);
    else if (!flag.startsWith('\\')) {
      const letter = keywordLetter(flag);
      if (letter) letters.add(letter);
    }
  }
  return ':2,' + [...letters].sort().join('');
}

/**
 * A unique file name in Dovecot's style, `<secs>.M<usecs>P<pid>Q<n>.<host>,S=<size>,W=<vsize>`;
 * `/` and `:` in the host name are escaped as Dovecot does (\057, \072).
 */
export function uniqueName(o: {
  nowMs: number;
  micros: number;
  pid: number;
  counter: number;
  host: string;
  size: number;
  vsize: number;
}): string {
  const host = o.host.replace(/\//g, '\\057').replace(/:/g, '\\072');
  const secs = Math.floor(o.nowMs / 1000);
  return `${secs}.M${o.micros}P${o.pid}Q${o.counter}.${host},S=${o.size},W=${o.vsize}`;
}

/** Size of `message` with every line ending counted as CRLF, as IMAP clients see it (W=). */
export function virtualSize(message: Uint8Array): number {
  let size = message.length;
  for (let i = 0; i < message.length; i++) {
    if (message[i] === 0x0a && (i === 0 || message[i - 1] !== 0x0d)) size++;
  }
  return size;
}
