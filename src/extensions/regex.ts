import type { RE2JS } from 're2js';
import { re2js } from '../message/deps.js';
import type { Extension, KeyMatcher, MatchTypeDef } from './types.js';
import { defineSetModifier, setModifierTag, type SetModifier } from './variables.js';
import { SieveRuntimeError } from '../runtime/runtime.js';

/**
 * Largest compiled program accepted (RE2 instructions). Matching is linear in the value times
 * the program, so this bounds the cost of one match together with the value sizes.
 */
const MAX_PROGRAM = 20000;

/**
 * Longest pattern handed to RE2, in characters. Bracket expressions count as one instruction
 * each however long they are, so the program size alone does not bound the compiler's work.
 */
const MAX_PATTERN = 64 * 1024;

/**
 * Most regexes built from variables that one run compiles (each distinct pattern once; repeats
 * are cached). Compiling costs far more than matching, and a loop could make a new pattern on
 * every turn.
 */
export const MAX_RUN_COMPILATIONS = 256;

/** A pattern the regex match type cannot use; the message says why. */
export class RegexSyntaxError extends Error {}

const CLASSES = new Set([
  'alpha',
  'digit',
  'alnum',
  'upper',
  'lower',
  'space',
  'blank',
  'punct',
  'print',
  'graph',
  'cntrl',
  'xdigit',
]);

/**
 * Rewrites a POSIX extended regular expression (what Sieve's :regex uses, as regcomp with
 * REG_EXTENDED reads it) into RE2 syntax with the same meaning: backslash is literal inside
 * brackets, a quantifier after a quantifier applies to the quantified atom (no lazy `*?`), `\<`
 * and `\>` are word boundaries, and Perl-only syntax such as `(?` or back-references is refused.
 */
export function posixToRe2(pattern: string, maxGroups = Infinity): string {
  let out = '';
  // Groups after the first `maxGroups` do not capture: their numbers are never read.
  let opened = 0;
  // Where the last atom starts in `out`, and whether it already carries a quantifier.
  let atomStart = -1;
  let quantified = false;
  const groups: number[] = [];
  let i = 0;
  const n = pattern.length;
  const atom = (text: string) => {
    atomStart = out.length;
    out += text;
    quantified = false;
  };
  while (i < n) {
    const c = pattern[i]!;
    switch (c) {
      case '\\': {
        const next = pattern[i + 1];
        if (next === undefined) throw new RegexSyntaxError('trailing backslash');
        i += 2;
        if (/[1-9]/.test(next)) throw new RegexSyntaxError('back-references are not supported');
        if (next === '<' || next === '>') {
          out += '\\b';
          atomStart = -1;
        } else if ('wWsSbB'.includes(next)) {
          if (next === 'b' || next === 'B') {
            out += `\\${next}`;
            atomStart = -1;
          } else atom(`\\${next}`);
        } else if (/[A-Za-z0-9]/.test(next)) atom(next);
        else atom(quoteChar(next));
        continue;
      }
      case '[': {
        const end = readBracket(pattern, i);
        atom(end.re2);
        i = end.next;
        continue;
      }
      case '(':
        if (pattern[i + 1] === '?') throw new RegexSyntaxError('"(?" is not POSIX syntax');
        groups.push(out.length);
        out += ++opened > maxGroups ? '(?:' : '(';
        atomStart = -1;
        i++;
        continue;
      case ')': {
        const start = groups.pop();
        if (start === undefined) throw new RegexSyntaxError('unmatched parenthesis');
        out += ')';
        atomStart = start;
        quantified = false;
        i++;
        continue;
      }
      case '*':
      case '+':
      case '?':
      case '{': {
        let q: string = c;
        if (c === '{') {
          const m = /^\{([0-9]+)(,([0-9]*))?\}/.exec(pattern.slice(i, i + 16));
          if (!m) throw new RegexSyntaxError('invalid interval');
          q = m[0];
        }
        if (atomStart < 0) throw new RegexSyntaxError(`quantifier "${q}" without anything to repeat`);
        // POSIX reads "a*?" as (a*)?; RE2 would read it as a lazy star.
        if (quantified) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
        out += q;
        quantified = true;
        i += q.length;
        continue;
      }
      case '|':
        out += '|';
        atomStart = -1;
        i++;
        continue;
      case '^':
      case '$':
        out += c;
        atomStart = -1;
        i++;
        continue;
      case '.':
        atom('.');
        i++;
        continue;
      default: {
        const cp = pattern.codePointAt(i)!;
        const ch = String.fromCodePoint(cp);
        atom(quoteChar(ch));
        i += ch.length;
      }
    }
  }
  if (groups.length > 0) throw new RegexSyntaxError('unmatched parenthesis');
  return out;
}

function quoteChar(ch: string): string {
  return /[\\.+*?()|[\]{}^$]/.test(ch) ? `\\${ch}` : ch;
}

/** Reads a POSIX bracket expression starting at `[`; returns its RE2 form. */
function readBracket(p: string, start: number): { re2: string; next: number } {
  let i = start + 1;
  let out = '[';
  if (p[i] === '^') {
    out += '^';
    i++;
  }
  let first = true;
  for (;;) {
    const c = p[i];
    if (c === undefined) throw new RegexSyntaxError('unterminated bracket expression');
    if (c === ']' && !first) return { re2: `${out}]`, next: i + 1 };
    first = false;
    if (c === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1]!;
      const close = p.indexOf(`${kind}]`, i + 2);
      if (close < 0) throw new RegexSyntaxError('unterminated bracket expression');
      const name = p.slice(i + 2, close);
      if (kind === ':') {
        if (!CLASSES.has(name)) throw new RegexSyntaxError(`unknown character class "${name}"`);
        out += `[:${name}:]`;
      } else {
        // Collating elements and equivalence classes: only single characters exist here.
        if ([...name].length !== 1) throw new RegexSyntaxError(`unknown collating element "${name}"`);
        out += quoteBracketChar(name);
      }
      i = close + 2;
      continue;
    }
    const ch = String.fromCodePoint(p.codePointAt(i)!);
    // A '-' is literal first, last, or as a range end; RE2 accepts it escaped everywhere.
    if (ch === '-') {
      const prevIsStart = out.endsWith('[') || out.endsWith('[^');
      out += prevIsStart || p[i + 1] === ']' ? '\\-' : '-';
    } else out += quoteBracketChar(ch);
    i += ch.length;
  }
}

function quoteBracketChar(ch: string): string {
  return ch === '\\' || ch === ']' || ch === '[' || ch === '^' || ch === '-' ? `\\${ch}` : ch;
}

/**
 * A lower bound of the RE2 program a POSIX pattern compiles to, counted in one pass and given up
 * as soon as it passes `limit`. RE2 simplifies (`a|b|c` becomes one class, `a**` one star,
 * common prefixes of alternatives are shared), so only what it cannot remove counts: two
 * instructions per group, one per character or class outside alternations, and counted
 * repetitions multiplied out, as RE2 expands them. Syntax is not checked here (posixToRe2 does
 * that); anything unreadable is counted as a character.
 */
export function estimateProgram(pattern: string, limit: number): number {
  // Per open group (the whole pattern at the bottom): characters, groups inside, and whether it
  // has alternatives, in which case its characters may all merge.
  const open: Array<{ chars: number; groups: number; alt: boolean }> = [];
  let cur = { chars: 0, groups: 0, alt: false };
  let outer = 0; // the counts of the enclosing groups
  let last = 0; // the last atom's count, for a repetition that follows it
  let lastIsChar = false;
  const n = pattern.length;
  for (let i = 0; i < n && outer + cur.chars + cur.groups <= limit; i++) {
    const c = pattern[i];
    if (c === '(') {
      open.push(cur);
      outer += (cur.alt ? 0 : cur.chars) + cur.groups;
      cur = { chars: 0, groups: 0, alt: false };
      last = 0;
    } else if (c === ')' && open.length > 0) {
      const inner = (cur.alt ? 0 : cur.chars) + cur.groups + 2;
      cur = open.pop()!;
      outer -= (cur.alt ? 0 : cur.chars) + cur.groups;
      cur.groups += inner;
      last = inner;
      lastIsChar = false;
    } else if (c === '|') {
      cur.alt = true;
      last = 0;
    } else if (c === '*' || c === '+' || c === '?') {
      // Adds at least nothing: RE2 may fold repeated quantifiers into one.
    } else {
      const m = c === '{' ? /^\{([0-9]{1,9})(?:,([0-9]{0,9}))?\}/.exec(pattern.slice(i, i + 24)) : null;
      if (m) {
        const reps = Math.max(Number(m[1]), m[2] ? Number(m[2]) : 0);
        const added = last * reps - last;
        if (lastIsChar) cur.chars += added;
        else cur.groups += added;
        last *= reps;
        i += m[0].length - 1;
        continue;
      }
      if (c === '\\') i++;
      else if (c === '[') i = bracketEnd(pattern, i);
      cur.chars += 1;
      last = 1;
      lastIsChar = true;
    }
  }
  while (open.length > 0) {
    const inner = (cur.alt ? 0 : cur.chars) + cur.groups;
    cur = open.pop()!;
    cur.groups += inner;
  }
  return (cur.alt ? 0 : cur.chars) + cur.groups;
}

/** Index of the `]` that closes the bracket expression opening at `start` (the end if none). */
function bracketEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  if (p[i] === ']') i++;
  while (i < p.length && p[i] !== ']') {
    if (p[i] === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const close = p.indexOf(`${p[i + 1]}]`, i + 2);
      i = close < 0 ? p.length : close + 2;
    } else i++;
  }
  return i;
}

/**
 * Refuses, before any compilation, a pattern too long or whose program would surely be too
 * large: RE2 takes seconds to compile a megabyte of `(|a)(|a)...` only to refuse it then.
 */
export function checkRegexSize(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN) return `expression too long (limit ${MAX_PATTERN} characters)`;
  if (estimateProgram(pattern, MAX_PROGRAM) > MAX_PROGRAM)
    return `expression too large (limit ${MAX_PROGRAM} instructions)`;
  return null;
}

/**
 * Compiles a Sieve regex; throws RegexSyntaxError for a pattern that cannot be used. Only the
 * first `maxGroups` groups capture (all by default).
 */
export function compileRegex(pattern: string, caseInsensitive: boolean, maxGroups = Infinity): RE2JS {
  const problem = checkRegexSize(pattern);
  if (problem !== null) throw new RegexSyntaxError(problem);
  const { RE2JS: Re } = re2js();
  const flags = Re.LONGEST_MATCH | Re.DOTALL | (caseInsensitive ? Re.CASE_INSENSITIVE : 0);
  let re: RE2JS;
  try {
    re = Re.compile(posixToRe2(pattern, maxGroups), flags);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw e;
    throw new RegexSyntaxError((e as Error).message.replace(/^error parsing regexp: /, ''));
  }
  if (re.programSize() > MAX_PROGRAM)
    throw new RegexSyntaxError(`expression too large (limit ${MAX_PROGRAM} instructions)`);
  return re;
}

/** Work units a match over `value` counts for the CPU time limit (about one per 10 µs). */
function cost(re: RE2JS, value: string): number {
  return 1 + Math.floor((value.length * re.programSize()) / 1000);
}

/**
 * Finding the groups runs a second, slower match that tracks every group at every step of the
 * value, so its cost grows with the number of groups too. A script can read no group above
 * maxMatchIndex, so the pattern is compiled again, once, with only those groups capturing when
 * it has more (Pigeonhole's CPU-limit test has 379).
 */
function matcherFor(re: RE2JS, pattern: string, fold: boolean): KeyMatcher {
  let capturing: RE2JS | null = null;
  return (value, rt) => {
    rt?.tick(cost(re, value));
    // The search without groups is far cheaper; groups are only computed for a match that sets variables.
    if (!re.test(value)) return false;
    if (rt?.captureMatches) {
      const wanted = rt.config.maxMatchIndex;
      capturing ??= re.groupCount() > wanted ? compileRegex(pattern, fold, wanted) : re;
      // Charged before the match, which cannot be interrupted.
      rt.tick(cost(capturing, value) * (2 + capturing.groupCount()));
      const m = capturing.matcher(value);
      if (m.find()) {
        const values: string[] = [];
        for (let g = 0; g <= m.groupCount(); g++) values.push(m.group(g) ?? '');
        rt.setMatchValues(values);
      }
    }
    return true;
  };
}

/** The error for a pattern, quoting at most its first 100 characters. */
function invalid(pattern: string, problem: string): string {
  const shown = pattern.length > 100 ? `${pattern.slice(0, 100)}...` : pattern;
  return `invalid regular expression "${shown}" for :regex: ${problem}`;
}

const regexMatch: MatchTypeDef = {
  name: 'regex',
  substring: true,
  maxPreparesPerRun: MAX_RUN_COMPILATIONS,
  checkKey(key) {
    const problem = checkRegexSize(key);
    return problem === null ? null : invalid(key, problem);
  },
  prepare(key, spec) {
    // Case-folding comparators (i;ascii-casemap, i;unicode-casemap) match without regard to case.
    const fold = spec.comparator.name !== 'i;octet' && spec.comparator.normalize !== undefined;
    try {
      return matcherFor(compileRegex(key, fold), key, fold);
    } catch (e) {
      // At compile time the compiler reports this as an error of the script; for a key built from
      // variables it fails the run (the message is then kept).
      throw new SieveRuntimeError(invalid(key, (e as Error).message));
    }
  },
};

/** Escapes the characters special in a POSIX extended regex, stopping before the size limit. */
function quoteRegex(value: string, maxSize: number): string {
  let out = '';
  let size = 0;
  for (const ch of value) {
    const piece = /[\\.+*?()|[\]{}^$]/.test(ch) ? `\\${ch}` : ch;
    const n = Buffer.byteLength(piece);
    if (size + n > maxSize) break;
    out += piece;
    size += n;
  }
  return out;
}

const quoteRegexModifier: SetModifier = { name: 'quoteregex', precedence: 20, apply: quoteRegex };
defineSetModifier(quoteRegexModifier);

/** draft-ietf-sieve-regex: the :regex match type and the :quoteregex modifier of `set`. */
export const regexExtension: Extension = {
  name: 'regex',
  matchTypes: [regexMatch],
  tagsFor: [
    { command: 'set', tag: setModifierTag(quoteRegexModifier) },
    { command: 'extracttext', tag: setModifierTag(quoteRegexModifier) },
  ],
};
