import type { TraceEvent, TraceMatch } from '../index.js';
import { actionJson, describeAction, sourceLine } from './format.js';

// Only type imports from the engine: this module is loaded at CLI start-up and must stay light.

/** Characters of a value shown in the terminal before it is cut. */
const VALUE_WIDTH = 60;
/** Values and comparisons listed per test before the rest is only counted. */
const LIST_LIMIT = 8;
/** Characters of a string kept in JSON output; longer ones are cut and end with "…". */
const JSON_STRING_LIMIT = 1000;
const EXCERPT_WIDTH = 50;

/**
 * Escapes what would garble a terminal or hide text: control characters, DEL and C1 controls,
 * line and paragraph separators, zero-width and bidirectional formatting characters.
 */
const UNPRINTABLE =
  /[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const SHORT_ESCAPES: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u{${c.charCodeAt(0).toString(16).padStart(2, '0')}}`;
}

/** A value quoted for the terminal: escaped, and cut (with its length) when longer than `width`. */
export function quoteValue(s: string, width = VALUE_WIDTH): string {
  // Cut on code points so that a surrogate pair is never split; 2 × width + 2 units hold more
  // than `width` code points whenever the value has more.
  const chars = Array.from(s.length > width * 2 + 2 ? s.slice(0, width * 2 + 2) : s);
  const cut = chars.length > width;
  const shown = (cut ? chars.slice(0, width).join('') : s)
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(UNPRINTABLE, escapeChar);
  return cut ? `"${shown}"… (${s.length} chars)` : `"${shown}"`;
}

function quoteList(values: string[]): string {
  if (values.length === 0) return '(none)';
  const shown = values.slice(0, LIST_LIMIT).map((v) => quoteValue(v));
  if (values.length > LIST_LIMIT) shown.push(`… ${values.length - LIST_LIMIT} more`);
  return shown.join(', ');
}

/** The source text at a position, cut, for the reader to see which rule a line is about. */
function excerpt(source: string, e: TraceEvent): string {
  const text = sourceLine(source, e.pos.line)
    .slice(Math.max(0, e.pos.column - 1))
    .trim();
  const cut = text.length > EXCERPT_WIDTH ? `${text.slice(0, EXCERPT_WIDTH)}...` : text;
  return cut.replace(UNPRINTABLE, escapeChar);
}

function matchLines(e: TraceMatch): string[] {
  const how = `:${e.matchType}${e.relation !== undefined ? ` "${e.relation}"` : ''} (${e.comparator})`;
  const lines: string[] = [];
  if (e.count !== undefined) {
    lines.push(`${how}: count ${e.count} against ${quoteList(e.keys)} → ${e.result ? 'match' : 'no match'}`);
  } else if (e.comparisons.length === 0) {
    const against = e.values.length === 0 ? 'no values' : quoteList(e.values);
    lines.push(`${how}: ${against} against ${quoteList(e.keys)} → ${e.result ? 'match' : 'no match'}`);
  } else {
    lines.push(`${how} → ${e.result ? 'match' : 'no match'}`);
    for (const c of e.comparisons.slice(0, LIST_LIMIT * 2)) {
      lines.push(`  ${quoteValue(c.value)} with ${quoteValue(c.key)}: ${c.matched ? 'yes' : 'no'}`);
    }
    const more = e.comparisons.length - LIST_LIMIT * 2;
    if (more > 0) lines.push(`  … ${more} more comparisons`);
  }
  if (e.matchValues) {
    const vars = e.matchValues.slice(0, LIST_LIMIT).map((v, i) => `\${${i}} = ${quoteValue(v, 30)}`);
    lines.push(`match variables: ${vars.join(', ')}`);
  }
  return lines;
}

function ratioText(r: number): string {
  return `${Math.round(r * 1000) / 10} %`;
}

/** What one event says, as lines without indentation; the first may get the source excerpt. */
function describe(e: TraceEvent, result: boolean | undefined): string[] {
  switch (e.kind) {
    case 'test-start':
      return [`${e.name} → ${result === undefined ? '(not finished)' : String(result)}`];
    case 'test':
      return [];
    case 'values': {
      const what = [e.source, e.name !== undefined ? quoteValue(e.name, 40) : '', e.part ? `:${e.part}` : '']
        .filter(Boolean)
        .join(' ');
      return [`${what}: ${quoteList(e.values)}`];
    }
    case 'match':
      return matchLines(e);
    case 'exists':
      return [`header ${quoteValue(e.header, 40)}: ${e.present ? 'present' : 'missing'}`];
    case 'size': {
      const holds = e.comparison === 'over' ? e.size > e.limit : e.size < e.limit;
      return [`message size ${e.size} ${e.comparison} ${e.limit}: ${holds ? 'yes' : 'no'}`];
    }
    case 'score': {
      const read = e.raw === null ? 'absent' : quoteValue(e.raw);
      const ratio = e.ratio === null ? 'not tested' : `ratio ${ratioText(e.ratio)}`;
      return [
        `${e.test}: ${e.header} (instance ${e.instance}) ${read}, ${ratio} → value ${quoteValue(e.value)}`,
      ];
    }
    case 'set':
      return [`set ${e.name} = ${quoteValue(e.value)}`];
    case 'action':
      if (e.actions.length === 0) return [e.name];
      return e.actions.map((a) => describeAction(a));
    case 'include':
      return [`include ${e.location} ${quoteValue(e.script, 40)}${e.ran ? '' : ' (skipped)'}`];
    case 'return':
      return ['return'];
    case 'stop':
      return ['stop'];
    case 'error':
      return [`error: ${e.message.replace(UNPRINTABLE, escapeChar)}`];
  }
}

/**
 * A run's trace for the terminal: one line per step, the script line in front, indented by
 * nesting; a test shows its outcome on its first line and what it compared below it. Source
 * excerpts are left out inside included scripts (their lines are not the main script's).
 */
export function formatTraceLines(events: TraceEvent[], source: string): string[] {
  // A test's outcome comes after its details: find it first, so it can be shown up front.
  const results = new Map<number, boolean>();
  const open: number[] = [];
  events.forEach((e, i) => {
    if (e.kind === 'test-start') open.push(i);
    else if (e.kind === 'test') {
      const start = open.pop();
      if (start !== undefined) results.set(start, e.result);
    }
  });
  const lines: string[] = [];
  const includes: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    while (includes.length && e.depth <= includes[includes.length - 1]!) includes.pop();
    const prev = events[i - 1];
    // A command that added no action and already said what it did (set, include) needs no line.
    if (e.kind === 'action' && e.actions.length === 0 && prev && samePlace(prev, e) && prev.kind !== 'test') {
      continue;
    }
    const text = describe(e, results.get(i));
    const withSource =
      (e.kind === 'test-start' || e.kind === 'action' || e.kind === 'stop') && includes.length === 0;
    const where = `${String(e.pos.line).padStart(4)}: `;
    const indent = '  '.repeat(e.depth);
    text.forEach((t, n) => {
      let line = `${where}${indent}${t}`;
      if (n === 0 && withSource) {
        const ex = excerpt(source, e);
        if (ex) line = `${line.padEnd(44)} | ${ex}`;
      }
      lines.push(line);
    });
    if (e.kind === 'include' && e.ran) includes.push(e.depth);
  }
  return lines;
}

function samePlace(a: TraceEvent, b: TraceEvent): boolean {
  return a.depth === b.depth && a.pos.line === b.pos.line && a.pos.column === b.pos.column;
}

function capString(s: string): string {
  return s.length > JSON_STRING_LIMIT ? `${s.slice(0, JSON_STRING_LIMIT)}…` : s;
}

function capStrings(xs: string[]): string[] {
  return xs.some((s) => s.length > JSON_STRING_LIMIT) ? xs.map(capString) : xs;
}

/** A trace event for JSON output: its fields, the position as line and column, long strings cut. */
export function traceJson(e: TraceEvent): Record<string, unknown> {
  const { pos, ...rest } = e;
  const out: Record<string, unknown> = { ...rest, line: pos.line, column: pos.column };
  switch (e.kind) {
    case 'values':
      out.values = capStrings(e.values);
      break;
    case 'match':
      out.values = capStrings(e.values);
      out.keys = capStrings(e.keys);
      out.comparisons = e.comparisons.map((c) => ({
        ...c,
        value: capString(c.value),
        key: capString(c.key),
      }));
      if (e.matchValues) out.matchValues = capStrings(e.matchValues);
      break;
    case 'score':
      if (e.raw !== null) out.raw = capString(e.raw);
      break;
    case 'set':
      out.value = capString(e.value);
      break;
    case 'action':
      out.actions = e.actions.map(actionJson);
      break;
  }
  return out;
}
