import { existsSync, opendirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The message folders of a Maildir, in the order they are read. */
const SUBDIRS = ['new', 'cur'] as const;

/** Throws unless `dir` looks like a Maildir folder (has new/ or cur/). */
export function assertMaildir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  if (!SUBDIRS.some((s) => existsSync(join(dir, s)))) {
    throw new Error(`${dir} is not a Maildir folder (no new/ or cur/)`);
  }
}

/**
 * Paths of the messages in a Maildir folder (new/ then cur/), one at a time as the directory is
 * read, so memory does not grow with the folder. Dot files are skipped (Maildir++ keeps its
 * own files there); the order is the directory's.
 */
export function* maildirMessages(dir: string): Generator<string> {
  for (const sub of SUBDIRS) {
    const path = join(dir, sub);
    if (!existsSync(path)) continue;
    const handle = opendirSync(path, { bufferSize: 1024 });
    // `path` is normalized and entry names hold no slash: plain concatenation is what join() gives.
    const prefix = path + sep;
    try {
      for (let entry = handle.readSync(); entry !== null; entry = handle.readSync()) {
        if (entry.name.charCodeAt(0) === 0x2e /* . */) continue;
        if (entry.isFile() || entry.isSymbolicLink()) yield prefix + entry.name;
      }
    } finally {
      handle.closeSync();
    }
  }
}

/** Number of messages in a Maildir folder (a separate pass: used only to size a progress bar). */
export function countMaildir(dir: string): number {
  let n = 0;
  for (const _ of maildirMessages(dir)) n++;
  return n;
}
