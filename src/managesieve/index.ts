export { createManageSieveServer, type ManageSieveServer } from './server/server.js';
export {
  DEFAULT_LIMITS,
  type ManageSieveEngine,
  type ManageSieveLimits,
  type ManageSieveLogger,
  type ManageSieveServerOptions,
} from './server/options.js';
export { AuthThrottle, DEFAULT_AUTH_THROTTLE, type AuthThrottleOptions } from './server/throttle.js';
export { ensureSelfSignedCertificate, type CertificateFiles } from './server/certificate.js';
export { ManageSieveClient, ManageSieveError } from './client/index.js';
export type { ManageSieveCapabilities } from './client/index.js';
export { serverMechanisms } from './sasl/index.js';
export type { SaslServerMechanism, OAuthTokenVerifier } from './sasl/types.js';
