/**
 * tamis: a Sieve engine (RFC 5228 and extensions). This module, the package's main entry point, is
 * the engine alone: importing it loads no TLS, hashing or certificate library. The servers and the
 * stores have entry points of their own (tamis/managesieve, tamis/accounts, tamis/scripts, tamis/app),
 * and extension authors use tamis/extension.
 */
export { SieveEngine, checkScript, sieveCapabilities } from './engine.js';
export type {
  EngineOptions,
  CompileOptions,
  CompileAsyncOptions,
  CompileResult,
  RunOptions,
  RunResult,
  RunStatus,
  CheckResult,
  SequenceScript,
} from './engine.js';
export { defaultConfig, resolveConfig, engineSettings } from './config.js';
export type { ConfigInput } from './config.js';
// The typed settings schema builder: `settings.object({...})`, `settings.number({ min: 0 })`, ...
export * as settings from './settings/schema.js';
export { SieveError, formatDiagnostic } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export { parseMessage, parseAddressList } from './message/index.js';
export { parseScript } from './syntax/index.js';
export type {
  Argument,
  CommandNode,
  Comment,
  ParseOptions,
  ParseResult,
  Position,
  ScriptNode,
  TestNode,
} from './syntax/index.js';
export type { MessageView, MailAddress, Envelope } from './message/types.js';
export type {
  Action,
  KeepAction,
  FileintoAction,
  RedirectAction,
  DiscardAction,
  RejectAction,
  VacationAction,
  NotifyAction,
  OtherAction,
  Effect,
  DuplicateEffect,
  VacationEffect,
} from './runtime/result.js';
export type { Host, Answer, DuplicateQuery, VacationQuery } from './runtime/host.js';
export { TempFailError } from './runtime/host.js';
export { memoryDuplicateStore } from './extensions/duplicate.js';
export type {
  TraceEvent,
  TraceTestStart,
  TraceTestResult,
  TraceValues,
  TraceComparison,
  TraceMatch,
  TraceExists,
  TraceSize,
  TraceScore,
  TraceAssign,
  TraceAction,
  TraceInclude,
  TraceReturn,
  TraceStop,
  TraceError,
} from './runtime/trace.js';
export type { EngineConfig, RunContext, ScoreTestConfig } from './extensions/types.js';
export type { Program } from './compiler/program.js';
// What a host needs to carry out the actions a run returns.
export { buildVacationReply } from './actions/vacation-reply.js';
export type { VacationReplyOptions } from './actions/vacation-reply.js';
export { buildMailtoNotification } from './actions/mailto.js';
export type { MailtoNotification, MailtoNotifyFields, MailtoUri, MailtoRecipient } from './actions/mailto.js';
export { normalizeMailbox } from './runtime/result.js';
export {
  userAddress,
  redirectEnvelopeSender,
  isRedirectLoop,
  REDIRECTED_FROM_FIELD,
} from './actions/redirect-envelope.js';
