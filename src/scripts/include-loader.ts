import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeUtf8, scriptNameProblem } from './names.js';
import type { ScriptStore } from './types.js';

/** Answers RFC 6609 include look-ups: the script text, or null when there is no such script. */
export type IncludeLoader = (name: string, location: 'personal' | 'global') => Promise<string | null>;

export interface IncludeLoaderOptions {
  /** Where the user's own scripts are (`:personal`). */
  store: ScriptStore;
  user: string;
  /** Folder of the global scripts (`:global`), as `NAME.sieve`; without it no global script exists. */
  globalDir?: string;
}

/**
 * An include loader over a user's scripts and a global folder. A name that could not be stored
 * (or would leave the folder) and a script that is not UTF-8 count as missing.
 */
export function createIncludeLoader(options: IncludeLoaderOptions): IncludeLoader {
  return async (name, location) => {
    if (scriptNameProblem(name)) return null;
    const data =
      location === 'personal'
        ? await options.store.get(options.user, name)
        : await readGlobal(options.globalDir, name);
    return data === null ? null : decodeUtf8(data);
  };
}

async function readGlobal(dir: string | undefined, name: string): Promise<Buffer | null> {
  if (dir === undefined) return null;
  try {
    return await fs.readFile(path.join(dir, `${name}.sieve`));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw e;
  }
}
