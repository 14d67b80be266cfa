/** The composition roots: what `tamis start` and the server commands build from a configuration. */
export {
  startManageSieve,
  loadManageSieveConfig,
  defaultDataDir,
  parseListen,
  type ManageSieveConfig,
  type StartedManageSieve,
} from './managesieve.js';
export { checkEngineSettings, ConfigError } from './engine-settings.js';
