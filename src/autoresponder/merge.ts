/**
 * Settings into a user's existing script. The rule is updated where it is, or added at the top;
 * every other byte of the script (rules, comments, `require`s) stays as it was, and the result must
 * compile. What tamis cannot read back is never overwritten silently: the caller gets a refusal that
 * says what would change, and may insist with `force`.
 */
import { checkScript, type Diagnostic, type SieveEngine } from '../index.js';
import {
  CRLF,
  FORWARD_RULE_NAME,
  VACATION_RULE_NAME,
  forwardRule,
  generateScript,
  vacationRule,
  type GeneratedRule,
} from './generate.js';
import { readForwardRule, readVacationRule } from './read.js';
import { scriptParts, type Rule, type RuleKind, type ScriptParts } from './rules.js';
import { requireCommand } from './sieve-text.js';
import type { Dialect } from './dialects/markers.js';
import type { ForwardSettings, SettingsProblem, VacationSettings } from './types.js';
import { SUBJECT_PLACEHOLDER, validateForward, validateVacation } from './validate.js';

export type RefusalCode =
  | 'invalid-settings'
  | 'syntax-error'
  | 'unknown-parts'
  | 'several-rules'
  | 'nested-rule'
  | 'no-rule'
  | 'variables-in-text'
  | 'does-not-compile';

export interface Refusal {
  code: RefusalCode;
  message: string;
  /** What would be lost or what is in the way, one item per line. */
  details: string[];
  /** The rule as it is in the script, when there is one. */
  current?: string;
  /** The rule tamis would write instead. */
  proposed?: string;
  problems?: SettingsProblem[];
  errors?: Diagnostic[];
}

export type MergeResult =
  { ok: true; script: string; change: 'added' | 'updated' | 'unchanged' } | { ok: false; refusal: Refusal };

export interface MergeOptions {
  /** Replace a rule even though it holds parts the settings cannot express, or is one of several. */
  force?: boolean;
  /** The engine the result must compile in (default: tamis's standard engine). */
  engine?: SieveEngine;
}

export type ReadResult<T> =
  | { ok: false; errors: Diagnostic[] }
  /** `nested`: vacations sent from inside other rules, which no settings describe (line: command). */
  | { ok: true; found: false; nested?: string[] }
  | { ok: true; found: true; settings: T; unknown: string[]; name?: string; dialect: Dialect };

/** The line break a script uses (CRLF for a new one). */
export function lineBreakOf(source: string): string {
  const crlf = source.indexOf('\r\n');
  const lf = source.indexOf('\n');
  return lf >= 0 && (crlf < 0 || lf < crlf) ? '\n' : CRLF;
}

function strayLine(source: string, c: { pos: { line: number; offset: number }; end?: number }): string {
  return `line ${c.pos.line}: ${source.slice(c.pos.offset, c.end).split(/\r?\n/)[0]}`;
}

const refuse = (refusal: Refusal): MergeResult => ({ ok: false, refusal });

function read<T>(kind: RuleKind, source: string): ReadResult<T> {
  const r = scriptParts(source);
  if (!r.ok) return r;
  const rule = r.parts.rules.find((x) => x.kind === kind);
  if (!rule) {
    const nested = kind === 'vacation' ? r.parts.stray.map((c) => strayLine(source, c)) : [];
    return nested.length ? { ok: true, found: false, nested } : { ok: true, found: false };
  }
  const reading = kind === 'vacation' ? readVacationRule(rule, source) : readForwardRule(rule, source);
  return {
    ok: true,
    found: true,
    settings: reading.settings as T,
    unknown: reading.unknown,
    dialect: rule.dialect,
    ...(rule.name !== undefined ? { name: rule.name } : {}),
  };
}

/** The vacation settings in a script (the first vacation rule, as Roundcube takes it). */
export const readVacation = (source: string): ReadResult<VacationSettings> => read('vacation', source);
/** The forwarding settings in a script. */
export const readForward = (source: string): ReadResult<ForwardSettings> => read('forward', source);

function capabilitiesMissing(parts: ScriptParts, needed: string[]): string[] {
  const have = new Set(parts.requires);
  if (have.has('vacation-seconds')) have.add('vacation');
  if (have.has('spamtestplus')) have.add('spamtest');
  return [...new Set(needed)].filter((c) => !have.has(c));
}

function compiled(
  script: string,
  change: 'added' | 'updated',
  options: MergeOptions,
  proposed: string,
): MergeResult {
  const check = checkScript(script, options.engine);
  if (!check.ok) {
    return refuse({
      code: 'does-not-compile',
      message: 'the script with the new rule would not compile',
      details: check.errors.map((e) => `line ${e.line}: ${e.message}`),
      proposed,
      errors: check.errors,
    });
  }
  return { ok: true, script, change };
}

/** Writes `generated` into the script: over `rule` when given, else at `at`; adds missing requires. */
function place(
  parts: ScriptParts,
  generated: GeneratedRule,
  rule: Rule | null,
  at: number,
  eol: string,
  options: MergeOptions,
): MergeResult {
  const { source } = parts;
  const missing = capabilitiesMissing(parts, generated.requires);
  const requireText = missing.length ? requireCommand(missing) + eol : '';
  const requireAt = parts.afterRequires ?? 0;
  let script: string;
  if (rule) {
    script = source.slice(0, rule.start) + generated.text + source.slice(rule.end);
  } else {
    // After the last require, or at the very top; the new rule gets a line of its own.
    const needsBreak = at > 0 && source[at - 1] !== '\n';
    script = source.slice(0, at) + (needsBreak ? eol : '') + generated.text + eol + source.slice(at);
  }
  script =
    script.slice(0, requireAt) +
    (requireAt > 0 && script[requireAt - 1] !== '\n' ? eol : '') +
    requireText +
    script.slice(requireAt);
  return compiled(script, rule ? 'updated' : 'added', options, generated.text);
}

function lineAfter(source: string, offset: number): number {
  const lf = source.indexOf('\n', offset);
  return lf < 0 ? source.length : lf + 1;
}

function mergeRule(
  kind: RuleKind,
  source: string | null,
  build: (eol: string, name: string | undefined) => GeneratedRule,
  options: MergeOptions,
  texts: string[] = [],
): MergeResult {
  if (source === null || source.trim() === '') {
    const generated = build(CRLF, undefined);
    return compiled(generateScript([generated]), 'added', options, generated.text);
  }
  const r = scriptParts(source);
  if (!r.ok) {
    return refuse({
      code: 'syntax-error',
      message: 'the script has syntax errors, so tamis will not edit it',
      details: r.errors.map((e) => `line ${e.line}: ${e.message}`),
      errors: r.errors,
    });
  }
  const parts = r.parts;
  const eol = lineBreakOf(source);
  // Once a script requires variables, `${...}` in any string is expanded: the reply would change.
  const expanded = texts.filter((t) => t.split(SUBJECT_PLACEHOLDER).join('').includes('${'));
  if (parts.requires.has('variables') && expanded.length) {
    return refuse({
      code: 'variables-in-text',
      message: 'the script uses variables, so "${" in the reply would be replaced; remove it from the text',
      details: expanded.map((t) => t.split('\n')[0]!),
    });
  }
  const rules = parts.rules.filter((x) => x.kind === kind);
  if (kind === 'vacation' && parts.stray.length) {
    return refuse({
      code: 'nested-rule',
      message: 'the script sends vacation replies from inside other rules; tamis cannot tell which to change',
      details: parts.stray.map((c) => strayLine(source, c)),
    });
  }
  const rule = rules[0] ?? null;
  const generated = build(eol, rule?.name);
  if (!rule) {
    // A new vacation rule goes first; a forward rule after the vacation rule, whose reply it must not stop.
    const vacation = kind === 'forward' ? parts.rules.find((x) => x.kind === 'vacation') : undefined;
    const at = vacation ? lineAfter(source, vacation.end) : (parts.afterRequires ?? 0);
    return place(parts, generated, null, at, eol, options);
  }
  const current = source.slice(rule.start, rule.end);
  if (rules.length > 1 && !options.force) {
    return refuse({
      code: 'several-rules',
      message: `the script has ${rules.length} ${kind} rules; tamis would change only the first`,
      details: rules.map((x) => `line ${lineOf(source, x.start)}${x.name ? ` (${x.name})` : ''}`),
      current,
      proposed: generated.text,
    });
  }
  const unknown =
    kind === 'vacation' ? readVacationRule(rule, source).unknown : readForwardRule(rule, source).unknown;
  if (unknown.length && !options.force) {
    return refuse({
      code: 'unknown-parts',
      message: `the ${kind} rule holds parts tamis does not understand; rewriting it would drop them`,
      details: unknown,
      current,
      proposed: generated.text,
    });
  }
  if (current === generated.text) return { ok: true, script: source, change: 'unchanged' };
  return place(parts, generated, rule, rule.start, eol, options);
}

function lineOf(source: string, offset: number): number {
  let n = 1;
  for (let i = source.indexOf('\n'); i >= 0 && i < offset; i = source.indexOf('\n', i + 1)) n++;
  return n;
}

function invalid(problems: SettingsProblem[]): MergeResult {
  return refuse({
    code: 'invalid-settings',
    message: 'the settings are not valid',
    details: problems.map((p) => `${p.path || '(settings)'}: ${p.message}`),
    problems,
  });
}

/** Puts the vacation rule for `settings` into `source` (a new script when null). */
export function mergeVacation(
  source: string | null,
  settings: unknown,
  options: MergeOptions = {},
): MergeResult {
  const v = validateVacation(settings);
  if (!v.ok) return invalid(v.problems);
  return mergeRule(
    'vacation',
    source,
    (eol, name) => vacationRule(v.settings, { eol, name: name ?? VACATION_RULE_NAME }),
    options,
    [v.settings.subject, v.settings.body, v.settings.html ?? ''],
  );
}

/** Puts the forwarding rule for `settings` into `source` (a new script when null). */
export function mergeForward(
  source: string | null,
  settings: unknown,
  options: MergeOptions = {},
): MergeResult {
  const v = validateForward(settings);
  if (!v.ok) return invalid(v.problems);
  return mergeRule(
    'forward',
    source,
    (eol, name) => forwardRule(v.settings, { eol, name: name ?? FORWARD_RULE_NAME }),
    options,
  );
}

/**
 * Turns the rule on or off. An `if` rule is switched in place, Roundcube's way (`if false # ...`), so
 * nothing else in it changes even when tamis does not understand all of it.
 */
export function setRuleEnabled(
  kind: RuleKind,
  source: string,
  enabled: boolean,
  options: MergeOptions = {},
): MergeResult {
  const r = scriptParts(source);
  if (!r.ok) {
    return refuse({
      code: 'syntax-error',
      message: 'the script has syntax errors, so tamis will not edit it',
      details: r.errors.map((e) => `line ${e.line}: ${e.message}`),
      errors: r.errors,
    });
  }
  const rule = r.parts.rules.find((x) => x.kind === kind);
  if (!rule) {
    if (!enabled) return { ok: true, script: source, change: 'unchanged' };
    return refuse({ code: 'no-rule', message: `the script has no ${kind} rule to enable`, details: [] });
  }
  if (rule.enabled === enabled) return { ok: true, script: source, change: 'unchanged' };
  if (rule.head) {
    const condition = enabled ? rule.head.condition || 'true' : `false # ${rule.head.condition}`;
    const script = source.slice(0, rule.head.start) + condition + source.slice(rule.head.end);
    return compiled(script, 'updated', options, condition);
  }
  const reading = kind === 'vacation' ? readVacationRule(rule, source) : readForwardRule(rule, source);
  const settings = { ...reading.settings, enabled };
  return kind === 'vacation'
    ? mergeVacation(source, settings, options)
    : mergeForward(source, settings, options);
}
