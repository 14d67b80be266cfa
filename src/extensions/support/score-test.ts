import type { MessageView } from '../../message/types.js';
import type { Runtime } from '../../runtime/runtime.js';
import type { TraceInput } from '../../runtime/trace.js';
import type { CompiledKeys, MatchSpec, ScoreTestConfig, TestDef } from '../types.js';
import { map, number, object, oneOf, optional, string, type Setting } from '../../settings/schema.js';
import { stateKey, type StateKey } from '../../compiler/state.js';

/**
 * The status reading and scaling shared by spamtest and virustest (RFC 5235). The arithmetic
 * follows Pigeonhole's in single precision, so both engines give the same value for the same
 * header and settings.
 */

export type ScoreKind = 'spamtest' | 'virustest';

/** Highest value of the plain test: 1..10 for spamtest, 1..5 for virustest. */
const TOP: Record<ScoreKind, number> = { spamtest: 10, virustest: 5 };

const f32 = Math.fround;

/**
 * A decimal such as "-3", "4.50" or "7,5" as a single-precision float; null for anything else
 * (at most five digits on either side of the radix point, no blanks).
 */
export function parseDecimal(text: string): number | null {
  if (text === '') return null;
  let i = 0;
  let sign = 1;
  if (text[0] === '+' || text[0] === '-') {
    if (text[0] === '-') sign = -1;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < text.length && isDigit(text.charCodeAt(i))) {
    if (++digits > 5) return null;
    value = f32(f32(value * 10) + (text.charCodeAt(i) - 48));
    i++;
  }
  if (text[i] === '.' || text[i] === ',') {
    let radix = f32(0.1);
    i++;
    digits = 0;
    while (i < text.length && isDigit(text.charCodeAt(i))) {
      if (++digits > 5) return null;
      value = f32(value + f32((text.charCodeAt(i) - 48) * radix));
      radix = f32(radix / 10);
      i++;
    }
  }
  if (i !== text.length) return null;
  return f32(value * sign);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Length of a run of one repeated character ("" is 0); null when the characters differ. */
function parseStrlen(text: string): number | null {
  for (let i = 1; i < text.length; i++) if (text[i] !== text[0]) return null;
  return text.length;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  blank: ' \\t',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '!-\\/:-@\\[-`{-~',
  space: ' \\t\\n\\v\\f\\r',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
};

const patternCache = new Map<string, RegExp | null>();

/** Compiles a configured pattern once; POSIX bracket classes become their JavaScript ranges. */
export function compileStatusPattern(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re !== undefined) return re;
  const source = pattern.replace(/\[:([a-z]+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
  try {
    re = new RegExp(source);
  } catch {
    re = null;
  }
  if (patternCache.size < 100) patternCache.set(pattern, re);
  return re;
}

/** Reads one header through an optional pattern; null when absent or not matching. */
function readField(
  message: MessageView,
  header: string,
  pattern: string | undefined,
  unmatched?: string,
): { status: string; max?: string } | null {
  const value = message.header(header)[0];
  if (value === undefined) return null;
  if (pattern === undefined) return { status: value };
  const re = compileStatusPattern(pattern);
  if (!re) return null;
  const m = re.exec(value);
  if (!m) return unmatched === undefined ? null : { status: unmatched };
  if (m[1] === undefined) return null;
  return { status: m[1], ...(m[2] !== undefined ? { max: m[2] } : {}) };
}

/**
 * The status of a message as a ratio in [0, 1], or null when it was not tested (header absent,
 * pattern not matching, value unreadable, maximum of zero).
 */
export function statusRatio(config: ScoreTestConfig, kind: ScoreKind, message: MessageView): number | null {
  const field = readField(message, config.header, config.pattern, config.unmatched);
  if (!field) return null;
  let value: number | null;
  let max: number | null;
  if (config.type === 'text') {
    const table = config.textValues ?? {};
    const found = Object.hasOwn(table, field.status) ? table[field.status] : table['*'];
    if (found === undefined || !Number.isFinite(found)) return null;
    value = Math.min(Math.max(Math.trunc(found), 0), TOP[kind]);
    max = TOP[kind];
  } else {
    if (field.max !== undefined) {
      max = parseDecimal(field.max);
    } else if (config.maxHeader) {
      const m = readField(message, config.maxHeader.header, config.maxHeader.pattern);
      max = m ? parseDecimal(m.status) : null;
    } else {
      max = f32(config.max);
    }
    if (max === null || max === 0 || !Number.isFinite(max)) return null;
    value = config.type === 'score' ? parseDecimal(field.status) : parseStrlen(field.status);
  }
  if (value === null) return null;
  if (value < 0) return 0;
  if (value > max) return 1;
  return f32(value / max);
}

/** The test value RFC 5235 defines: "0" untested, else 1..10 (1..5 for virustest) or 0..100 with :percent. */
export function scaledValue(ratio: number | null, kind: ScoreKind, percent: boolean): string {
  if (ratio === null) return '0';
  const r = Math.min(ratio, 1);
  let n: number;
  if (percent) n = f32(r * 100) + 0.001;
  else n = f32(r * (TOP[kind] - 1)) + 1.001;
  return String(Math.trunc(n));
}

const STATE_KEY: Record<ScoreKind, StateKey<RunStatus>> = {
  spamtest: stateKey('spamtest.status'),
  virustest: stateKey('virustest.status'),
};

interface RunStatus {
  config: ScoreTestConfig;
  ratio: number | null;
  /** The test values, as one-element lists, worked out on first use. */
  plain: string[] | null;
  percent: string[] | null;
}

function runStatus(rt: Runtime, kind: ScoreKind): RunStatus {
  const key = STATE_KEY[kind];
  const config = rt.config[kind];
  let cached = rt.state.get(key);
  if (cached?.config !== config) {
    cached = { config, ratio: statusRatio(config, kind, rt.message), plain: null, percent: null };
    rt.state.set(key, cached);
  }
  return cached;
}

/**
 * The scaled status as the one-element value list a test matches: read once per run (again only
 * if the configuration object is replaced), the same list for the whole run.
 */
function runValues(rt: Runtime, kind: ScoreKind, percent: boolean): string[] {
  const st = runStatus(rt, kind);
  if (percent) return (st.percent ??= [scaledValue(st.ratio, kind, true)]);
  return (st.plain ??= [scaledValue(st.ratio, kind, false)]);
}

/** What a trace shows of the status read: the configured header's first field, and the ratio made of it. */
function scoreTrace(rt: Runtime, kind: ScoreKind, value: string): TraceInput {
  const header = rt.config[kind].header;
  const raw = rt.message.header(header)[0] ?? null;
  return { kind: 'score', test: kind, header, instance: 1, raw, ratio: runStatus(rt, kind).ratio, value };
}

export interface ScoreTestData {
  spec: MatchSpec;
  keys: CompiledKeys;
  percent: boolean;
}

/** The spamtest or virustest test: `[:percent] [COMPARATOR] [MATCH-TYPE] <value: string>`. */
export function scoreTest(kind: ScoreKind): TestDef<ScoreTestData> {
  return {
    name: kind,
    matching: true,
    tags: kind === 'spamtest' ? [{ name: 'percent' }] : [],
    positional: ['string'],
    compile(args, cx) {
      const percent = args.tags.has('percent');
      if (percent && !cx.has('spamtestplus')) {
        cx.error(args.tags.get('percent')!.pos, 'spamtest :percent used without require "spamtestplus"');
      }
      return { spec: args.match!, keys: cx.keys(args.positional[0]!, args.match!), percent };
    },
    test(d, rt) {
      const values = runValues(rt, kind, d.percent);
      rt.trace?.(scoreTrace(rt, kind, values[0]!));
      return rt.match(values, d.keys, d.spec);
    },
  };
}

/**
 * The settings of spamtest or virustest, with that test's defaults: where the status is read and
 * how it is scaled. `scale` is the top of the test's value range (10 or 5) that textValues map to.
 */
export function scoreTestSettings(
  defaults: ScoreTestConfig,
  scale: number,
  doc: string,
): Setting<ScoreTestConfig, Partial<ScoreTestConfig>> {
  const withDefault = <T>(s: Setting<T>, value: T | undefined): Setting<T> =>
    value === undefined ? optional(s) : { ...s, default: value };
  return object(
    {
      header: string({
        default: defaults.header,
        doc: 'Header field holding the status (its first occurrence is read).',
        check: (s) => (/^[!-9;-~]+$/.test(s) ? null : 'expected a header field name'),
      }),
      type: oneOf(['score', 'strlen', 'text'], {
        default: defaults.type,
        doc:
          'How the status reads: `score` a decimal number scaled against the maximum, `strlen` the length ' +
          'of a run of one repeated character ("*****"), `text` a string looked up in `textValues`.',
      }),
      pattern: withDefault(
        string({
          doc:
            'Regular expression applied to the header value: group 1 is the status, group 2 (score and ' +
            'strlen) the maximum; POSIX classes such as `[[:digit:]]` are accepted. Without one the whole ' +
            'value is the status. Naming another `header` drops the default pattern and type.',
          check: (s) => (compileStatusPattern(s) ? null : 'expected a valid regular expression'),
        }),
        defaults.pattern,
      ),
      max: number({
        min: 0,
        default: defaults.max,
        doc: 'Maximum score for score and strlen when neither group 2 nor `maxHeader` gives one.',
      }),
      maxHeader: optional(
        object(
          {
            header: string({ doc: 'Header field holding the maximum (a decimal number).' }),
            pattern: optional(string({ doc: 'Regular expression whose group 1 is the maximum.' })),
          },
          { doc: 'Header holding the maximum.' },
        ),
      ),
      textValues: withDefault(
        map(number({ min: 0, max: scale }), {
          doc: `For type "text": status string → value (0 to ${scale}), compared case-sensitively; "*" stands for any other status.`,
        }),
        defaults.textValues,
      ),
      unmatched: withDefault(
        string({
          doc: 'Status used when the header is present but `pattern` does not match (default: not tested).',
        }),
        defaults.unmatched,
      ),
    },
    { doc },
  ) as unknown as Setting<ScoreTestConfig, Partial<ScoreTestConfig>>;
}
