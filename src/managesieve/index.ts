export { createManageSieveServer, type ManageSieveServer } from './server/server.js';
export {
  DEFAULT_LIMITS,
  type ManageSieveEngine,
  type ManageSieveLimits,
  type ManageSieveLogger,
  type ManageSieveServerOptions,
} from './server/options.js';
export { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from './server/throttle.js';
export {
  startManageSieve,
  loadManageSieveConfig,
  defaultDataDir,
  parseListen,
  type ManageSieveConfig,
  type StartedManageSieve,
} from './server/config.js';
export { ensureSelfSignedCertificate, type CertificateFiles } from './server/certificate.js';
export * from './storage/index.js';
export { scriptNameProblem, parseScriptName } from './protocol/names.js';
