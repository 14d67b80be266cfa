/**
 * tamis: a Sieve engine (RFC 5228 and extensions) and a ManageSieve server and client (RFC 5804).
 * This module is the whole public API; everything else is internal and may change.
 */
export { SieveEngine, checkScript, sieveCapabilities } from './engine.js';
export type { EngineOptions, CompileResult, RunOptions, RunResult, CheckResult } from './engine.js';
export { defaultConfig, resolveConfig } from './config.js';
export type { ConfigInput } from './config.js';
export { SieveError, formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export { parseMessage, parseAddressList } from './message/index.js';
export type { MessageView, MailAddress, Envelope } from './message/types.js';
export type {
  Action,
  KeepAction,
  FileintoAction,
  RedirectAction,
  DiscardAction,
  RejectAction,
  VacationAction,
  OtherAction,
} from './runtime/result.js';
export type { Host } from './runtime/host.js';
export type { TraceEvent } from './runtime/runtime.js';
export type { EngineConfig, ScoreTestConfig, Extension } from './extensions/types.js';
export type { Program } from './compiler/program.js';
export { buildVacationReply } from './extensions/vacation-reply.js';

// ManageSieve (RFC 5804): server, storage, users and client.
export {
  createManageSieveServer,
  startManageSieve,
  loadManageSieveConfig,
  FileScriptStore,
  ScriptStoreError,
  DEFAULT_QUOTA,
  DEFAULT_LIMITS,
} from './managesieve/index.js';
export type {
  ManageSieveServer,
  ManageSieveServerOptions,
  ManageSieveConfig,
  ManageSieveLimits,
  ScriptStore,
  QuotaLimits,
} from './managesieve/index.js';
export { PasswdFileDirectory, hashPassword, verifyPassword } from './managesieve/auth/index.js';
export type { HashScheme } from './managesieve/auth/index.js';
export { serverMechanisms } from './managesieve/sasl/index.js';
export type {
  UserDirectory,
  SaslServerMechanism,
  OAuthTokenVerifier,
  ScramCredentials,
} from './managesieve/sasl/types.js';
export { ManageSieveClient, ManageSieveError } from './managesieve/client/index.js';
export type { ManageSieveCapabilities } from './managesieve/client/index.js';
