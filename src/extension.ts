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
  Attachment,
  FieldSource,
  ActionFields,
} from './extensions/types.js';
export { stateKey, StateBag, type StateKey } from './compiler/state.js';
export { defineAttachment, defineCommand, defineTest } from './extensions/define.js';
export type { Runtime } from './runtime/runtime.js';
export { SieveRuntimeError } from './runtime/runtime.js';
export type { SieveString, Template } from './compiler/strings.js';
