/** The composition roots: what `tamis start` and the server commands build from a configuration. */
export {
  startManageSieve,
  loadManageSieveConfig,
  defaultDataDir,
  parseListen,
  type ManageSieveConfig,
  type StartedManageSieve,
} from './managesieve.js';
export { checkEngineSettings } from './engine-settings.js';
export {
  ConfigError,
  checkConfig,
  configSections,
  declareConfigSection,
  loadConfig,
  type ConfigSection,
  type FlatSection,
  type LoadOptions,
  type TamisConfig,
} from './config-file.js';
export { manageSieveSettings, type ManageSieveSection } from './managesieve-settings.js';
export { JsonSyntaxError, parseJsonText } from './json-text.js';
export {
  checkDeliverySettings,
  deliverySettings,
  DELIVERY_DEFAULTS,
  type DeliverySettings,
} from './delivery-settings.js';
export { openDelivery, type OpenedDelivery } from './delivery.js';
export { deliveryLogger, type DeliveryLogger } from './delivery-log.js';
export { startLmtp, type StartedLmtp } from './lmtp.js';
export { startAll, type StartOptions, type Started } from './start.js';
export {
  startWebmail,
  defaultPageDir,
  consoleWebmailLogger,
  TEST_RUN_JSON,
  type StartedWebmail,
  type StartWebmailOptions,
} from './webmail.js';
export { webmailSettings, type WebmailSection } from './webmail-settings.js';
