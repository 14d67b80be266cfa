/**
 * tamis/extension: what an extension module is made of. An extension is a plain object naming its
 * capability, its commands and tests with their argument signatures, and how each compiles and runs;
 * pass it to `new SieveEngine({ extensions: [...] })`.
 */
export type {
  Extension,
  CommandDef,
  ActionCommandDef,
  TestDef,
  TagDef,
  TagExtension,
  TagValue,
  ParsedArgs,
  CompileContext,
  ComparatorDef,
  MatchTypeDef,
  MatchSpec,
  KeyMatcher,
  CompiledKeys,
  AddressPartDef,
  ArgType,
  StringHook,
  RunContext,
  Attachment,
  FieldSource,
  ActionFields,
} from './extensions/types.js';
export { stateKey, StateBag, type StateKey } from './compiler/state.js';
export { defineAttachment, defineCommand, defineTest } from './extensions/define.js';
export type { Runtime } from './runtime/runtime.js';
export type { TraceInput, TraceEvent } from './runtime/trace.js';
// A command with a block runs it with runCommands; the result is where actions are added.
export { runCommands, type Unwind } from './runtime/interpreter.js';
export { Result, type ResultLimits } from './runtime/result.js';
export { registerVariableNamespace } from './extensions/variables.js';
export { SieveRuntimeError } from './runtime/runtime.js';
export type { SieveString, Template } from './compiler/strings.js';
// Typed settings declarations: an extension describes its settings (types, defaults, checks, docs).
export * as settings from './settings/schema.js';
