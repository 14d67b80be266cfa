import path from 'node:path';

/**
 * The data folder every service shares when none is configured. A module of its own so that
 * `tamis deliver`, which starts once per message, does not load the ManageSieve server to learn it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_DATA_HOME ? path.join(env.XDG_DATA_HOME, 'tamis') : path.resolve('tamis-data');
}
