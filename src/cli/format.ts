import type { Diagnostic, Action } from '../index.js';

// Only type imports above: this module is loaded at CLI start-up and must stay light.

/** The 1-based line `line` of `source`, without its line break ('' when out of range). */
export function sourceLine(source: string, line: number): string {
  if (line < 1) return '';
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = source.indexOf('\n', start);
    if (nl < 0) return '';
    start = nl + 1;
  }
  let end = source.indexOf('\n', start);
  if (end < 0) end = source.length;
  return source.slice(start, end).replace(/\r$/, '');
}

const MAX_EXCERPT = 160;

/**
 * A diagnostic as `file:line:col: message` (warnings say so), followed by the source line and a
 * caret under the column when the position is known.
 */
export function formatDiagnosticWithSource(d: Diagnostic, file: string, source: string): string {
  const head = `${file}:${d.line}:${d.column}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
  let text = sourceLine(source, d.line);
  if (d.line < 1 || d.column < 1 || (text === '' && d.column > 1)) return head;
  let col = Math.min(d.column - 1, text.length);
  // Very long lines (a base64 blob, a minified script) are cut to a window around the column.
  if (text.length > MAX_EXCERPT) {
    const from = Math.max(0, Math.min(col - MAX_EXCERPT / 2, text.length - MAX_EXCERPT));
    text = text.slice(from, from + MAX_EXCERPT);
    col -= from;
  }
  // Tabs are kept in the padding so the caret lines up whatever the tab width.
  const pad = text.slice(0, col).replace(/[^\t]/g, ' ');
  return `${head}\n  ${text}\n  ${pad}^`;
}

/** A diagnostic for JSON output: position, message and (in a sequence) the script. */
export function diagnosticJson(d: Diagnostic): {
  line: number;
  column: number;
  message: string;
  script?: string;
} {
  const out = { line: d.line, column: d.column, message: d.message };
  // In a sequence of scripts, which one it was.
  return d.script === undefined ? out : { ...out, script: d.script };
}

/**
 * An action as plain JSON: `type` plus its own fields, without internal ones (`pos`, and the
 * edited `message` an action carries after editheader). Extension
 * actions outside the core set are flattened to their name and fields.
 */
export function actionJson(a: Action): Record<string, unknown> {
  if (a.type === 'other') return { type: a.name, ...a.fields };
  const out: Record<string, unknown> = {};
  for (const k in a) {
    const v = (a as unknown as Record<string, unknown>)[k];
    if (k !== 'pos' && k !== 'message' && v !== undefined && Object.hasOwn(a, k)) out[k] = v;
  }
  return out;
}

const quote = (s: string) => JSON.stringify(s);

function flagsText(flags: string[] | undefined): string {
  return flags && flags.length ? ` with flags ${flags.join(' ')}` : '';
}

function firstLine(s: string, max = 60): string {
  const line = s.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max || s.includes('\n') ? `${line.slice(0, max)}...` : line;
}

/** One action in words, for the human-readable output of `tamis test` and `tamis filter`. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'keep':
      return `${a.implicit ? 'implicit keep' : 'keep'}: store in ${quote(a.mailbox)}${flagsText(a.flags)}`;
    case 'fileinto':
      return (
        `fileinto: store in ${quote(a.mailbox)}${flagsText(a.flags)}` +
        `${a.create ? ' (create)' : ''}${a.copy ? ' (copy)' : ''}`
      );
    case 'redirect':
      return `redirect: send to <${a.address}>${a.copy ? ' (copy)' : ''}`;
    case 'discard':
      return 'discard';
    case 'reject':
    case 'ereject':
      return `${a.type}: ${quote(firstLine(a.reason))}`;
    case 'vacation': {
      // The guard's reason shows that the script asked for a reply that will not be sent.
      const parts = [a.suppressed === undefined ? 'vacation: reply' : 'vacation: no reply'];
      if (a.to !== undefined) parts.push(`to <${a.to}>`);
      if (a.subject !== undefined) parts.push(`subject ${quote(a.subject)}`);
      if (a.from !== undefined) parts.push(`from ${quote(a.from)}`);
      parts.push(`at most every ${a.seconds} s`, `handle ${quote(a.handle)}`);
      if (a.mime) parts.push('(MIME)');
      if (a.suppressed !== undefined) parts.push(`(suppressed: ${a.suppressed})`);
      return parts.join(' ');
    }
    case 'notify': {
      const note = a.suppressed ? ` (not sent: ${a.suppressed})` : '';
      return `notify: ${a.method} importance ${a.importance} message ${quote(firstLine(a.text))}${note}`;
    }
    case 'other':
      return `${a.name}: ${JSON.stringify(a.fields)}`;
  }
}

/** A short label for one action, as `tamis filter` prints on one line per message. */
export function shortAction(a: Action): string {
  switch (a.type) {
    case 'keep':
      return a.implicit ? 'keep (implicit)' : 'keep';
    case 'fileinto':
      return `fileinto ${quote(a.mailbox)}${a.copy ? ' :copy' : ''}`;
    case 'redirect':
      return `redirect <${a.address}>${a.copy ? ' :copy' : ''}`;
    case 'vacation':
      return a.suppressed === undefined ? 'vacation' : 'vacation (suppressed)';
    case 'other':
      return a.name;
    default:
      return a.type;
  }
}
