import { engineSettings, settings, type ConfigInput } from '../index.js';
import { ConfigError } from './config-file.js';

export { ConfigError };

/**
 * Checks engine settings against the engine's schema (types, ranges, no unknown keys). Throws a
 * ConfigError listing every problem, each with its path under `path`.
 */
export function checkEngineSettings(value: unknown, source: string, path = 'engine'): ConfigInput {
  const problems = settings.checkSetting(engineSettings, value, path);
  if (problems.length) throw new ConfigError(source, problems);
  return value as ConfigInput;
}
