/** Settings → Sieve: the vacation and forwarding rules, written the way Roundcube writes its own. */
import { headerNamedAddress, parseNamedAddress } from './address.js';
import { offsetText, parseDateTime } from './dates.js';
import { buildAlternative } from './mime.js';
import { quoted, requireCommand, stringArgument, stringList, textBlock } from './sieve-text.js';
import { SettingsError, type ForwardSettings, type VacationSettings } from './types.js';
import { SUBJECT_PLACEHOLDER, validateForward, validateVacation } from './validate.js';

export const CRLF = '\r\n';

/** Rule names Roundcube uses by default, so that its Vacation and Forwarding tabs find our rules. */
export const VACATION_RULE_NAME = 'Out of Office';
export const FORWARD_RULE_NAME = 'Forwarding';

/** The comment that records the time zone of a rule's dates (a `:zone` only holds an offset). */
export const TIMEZONE_COMMENT = '# timezone: ';

/** The test a reply is held back by when skipSpam is on: the platform spam rule's own test. */
export const SPAM_TEST = 'spamtest :percent :value "ge" :comparator "i;ascii-numeric" "100"';

/** Captures the original subject into ${1}; the `true` beside it keeps mail without a subject answered. */
export const SUBJECT_CAPTURE = 'anyof (header :matches "subject" "*", true)';

export interface GeneratedRule {
  /** The rule from its `# rule:[...]` line to its closing brace, without a final line break. */
  text: string;
  /** Capabilities the rule needs. */
  requires: string[];
}

export interface RuleOptions {
  /** Line break to write (default CRLF). */
  eol?: string;
  /** The rule's name in its marker (default Roundcube's). */
  name?: string;
}

function check<T>(r: { ok: true; settings: T } | { ok: false; problems: SettingsError['problems'] }): T {
  if (!r.ok) throw new SettingsError(r.problems);
  return r.settings;
}

/** The tests of a vacation rule, each as text, and what they need. */
function vacationTests(s: VacationSettings, requires: Set<string>): string[] {
  const tests: string[] = [];
  for (const [key, rel] of [
    ['start', 'ge'],
    ['end', 'le'],
  ] as const) {
    const value = s[key];
    if (value === undefined) continue;
    const t = parseDateTime(value)!;
    requires.add('date').add('relational');
    tests.push(
      `currentdate :zone ${quoted(offsetText(t.offset))} :value ${quoted(rel)} "iso8601" ${quoted(value)}`,
    );
  }
  if (s.skipSpam !== false) {
    requires.add('spamtestplus').add('relational').add('comparator-i;ascii-numeric');
    tests.push(`not ${SPAM_TEST}`);
  }
  if (s.subject.includes(SUBJECT_PLACEHOLDER)) {
    requires.add('variables');
    tests.push(SUBJECT_CAPTURE);
  }
  return tests;
}

function condition(tests: string[]): string {
  if (tests.length === 0) return 'true';
  return tests.length === 1 ? tests[0]! : `allof (${tests.join(', ')})`;
}

/** `commands` may span lines (a text: block); only their first line is indented. */
function ifRule(name: string, enabled: boolean, tests: string[], commands: string[], eol: string): string {
  const cond = condition(tests);
  const head = enabled ? `if ${cond}` : `if false # ${cond}`;
  return [`# rule:[${name}]`, head, '{', ...commands.map((c) => '\t' + c), '}'].join(eol);
}

/** The vacation rule for these settings (validated first; bad settings throw SettingsError). */
export function vacationRule(input: VacationSettings, options: RuleOptions = {}): GeneratedRule {
  const s = check(validateVacation(input));
  const eol = options.eol ?? CRLF;
  const requires = new Set<string>();
  const tests = vacationTests(s, requires);
  const args: string[] = [];
  if (s.seconds !== undefined) {
    requires.add('vacation-seconds');
    args.push(`:seconds ${s.seconds}`);
  } else {
    requires.add('vacation');
    if (s.days !== undefined) args.push(`:days ${s.days}`);
  }
  if (s.addresses?.length) args.push(`:addresses ${stringList(s.addresses)}`);
  if (s.subject !== '') args.push(`:subject ${quoted(s.subject.split(SUBJECT_PLACEHOLDER).join('${1}'))}`);
  if (s.from !== undefined) args.push(`:from ${quoted(headerNamedAddress(parseNamedAddress(s.from)!))}`);
  let reason: string;
  if (s.html !== undefined) {
    args.push(':mime');
    reason = textBlock(buildAlternative({ text: s.body, html: s.html }, eol), eol);
  } else reason = stringArgument(s.body, eol);
  // A text: block ends with its own line break, so the `;` starts a line of its own. Only the first
  // line of a command is indented: the lines of a text: block are the reply itself.
  const body = [`vacation ${[...args, reason].join(' ')};`];
  if (s.timezone !== undefined) body.unshift(TIMEZONE_COMMENT.trimEnd() + ' ' + s.timezone);
  const original = s.original ?? 'keep';
  if (original === 'discard') body.push('discard;');
  if (original === 'redirect' || original === 'copy') {
    if (original === 'copy') requires.add('copy');
    for (const a of s.forwardTo ?? [])
      body.push(`redirect ${original === 'copy' ? ':copy ' : ''}${quoted(a)};`);
  }
  return {
    text: ifRule(options.name ?? VACATION_RULE_NAME, s.enabled, tests, body, eol),
    requires: [...requires],
  };
}

/** The forwarding rule: a redirect per address, with `:copy` to keep a copy, else `stop`. */
export function forwardRule(input: ForwardSettings, options: RuleOptions = {}): GeneratedRule {
  const s = check(validateForward(input));
  const eol = options.eol ?? CRLF;
  const requires = s.keepCopy ? ['copy'] : [];
  const body = s.to.map((a) => `redirect ${s.keepCopy ? ':copy ' : ''}${quoted(a)};`);
  // Without a copy, later rules (a fileinto) must not store one either.
  if (!s.keepCopy) body.push('stop;');
  return { text: ifRule(options.name ?? FORWARD_RULE_NAME, s.enabled, [], body, eol), requires };
}

/** A whole script holding the given rules (vacation first: a forward rule that stops would hide it). */
export function generateScript(rules: GeneratedRule[], eol = CRLF): string {
  const requires = rules.flatMap((r) => r.requires);
  const head = requires.length ? requireCommand(requires) + eol : '';
  return head + rules.map((r) => r.text + eol).join('');
}
