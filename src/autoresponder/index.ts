/**
 * tamis/autoresponder: vacation (out of office) and forwarding settings ⇄ Sieve. Generates the
 * rules, reads them back (also from scripts Roundcube, SOGo, Horde Ingo or Nextcloud wrote), and
 * merges them into a user's script without touching the rest. No I/O.
 */
export type {
  VacationSettings,
  ForwardSettings,
  NoRule,
  OriginalAction,
  SettingsProblem,
  SettingsErrorCode,
  Validated,
} from './types.js';
export { SettingsError, MAX_FORWARD_ADDRESSES, ORIGINAL_ACTIONS } from './types.js';
export { validateVacation, validateForward, SUBJECT_PLACEHOLDER } from './validate.js';
export {
  vacationRule,
  forwardRule,
  generateScript,
  VACATION_RULE_NAME,
  FORWARD_RULE_NAME,
} from './generate.js';
export type { GeneratedRule, RuleOptions } from './generate.js';
export {
  readVacation,
  readForward,
  mergeVacation,
  mergeForward,
  setRuleEnabled,
  lineBreakOf,
} from './merge.js';
export type { MergeResult, MergeOptions, Refusal, RefusalCode, ReadResult } from './merge.js';
export type { Dialect } from './dialects/markers.js';
export type { RuleKind } from './rules.js';
export {
  editActiveScript,
  readActiveScript,
  freeScriptName,
  ruleEdit,
  onlyDisables,
} from './active-script.js';
export type { ScriptServer, ScriptEdit, ActiveEditResult } from './active-script.js';
export { readReplyEntity } from './mime.js';
