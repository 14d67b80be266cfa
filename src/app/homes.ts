import path from 'node:path';
import type { PasswdFileDirectory } from '../accounts/index.js';
import { userFolderName } from '../scripts/file-store.js';

/**
 * Where a user's home is: the users file's home field when it has one (and that is allowed), else
 * `<homeDir>/<user>`. ManageSieve and delivery both use this, so scripts uploaded over ManageSieve
 * are the ones delivery runs, next to the Maildir it writes.
 */
export function userHomes(options: {
  homeDir: string;
  useUsersFileHome: boolean;
  directory: Pick<PasswdFileDirectory, 'home'>;
}): (user: string) => Promise<string> {
  const fallback = (user: string): string => path.join(options.homeDir, userFolderName(user));
  if (!options.useUsersFileHome) return async (user) => fallback(user);
  return async (user) => path.resolve((await options.directory.home(user)) ?? fallback(user));
}
