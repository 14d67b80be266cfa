/** tamis/webmail: the webmail settings service (HTTP API and pages) over a ManageSieve server. */
export { createWebmailServer, type WebmailServer } from './server.js';
export {
  DEFAULT_WEBMAIL_LIMITS,
  DEFAULT_SCRIPT_NAME,
  frameAncestorProblem,
  type WebmailServerOptions,
  type WebmailLimits,
  type WebmailLogger,
  type ManageSieveTarget,
} from './options.js';
export { PLAIN_RUN_JSON, type RunJson } from './run-json.js';
export { contentSecurityPolicy, COOKIE_NAME } from './security.js';
