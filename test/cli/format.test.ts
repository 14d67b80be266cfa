import { describe, expect, it } from 'vitest';
import {
  actionJson,
  describeAction,
  formatDiagnosticWithSource,
  shortAction,
  sourceLine,
} from '../../src/cli/format.js';
import { formatTraceLines, quoteValue, traceJson } from '../../src/cli/trace-format.js';
import { SieveEngine, type TraceEvent } from '../../src/index.js';

describe('formatDiagnosticWithSource', () => {
  const source = 'require "fileinto";\nif heder :is "a" "b" {\n\tfileinto "x";\n}\n';

  it('prints file:line:col, the source line and a caret under the column', () => {
    const text = formatDiagnosticWithSource(
      { severity: 'error', code: 'test', line: 2, column: 4, message: "unknown test 'heder'" },
      's.sieve',
      source,
    );
    expect(text.split('\n')).toEqual([
      "s.sieve:2:4: unknown test 'heder'",
      '  if heder :is "a" "b" {',
      '     ^',
    ]);
  });

  it('keeps tabs in the padding so the caret lines up', () => {
    const text = formatDiagnosticWithSource(
      { severity: 'error', code: 'test', line: 3, column: 11, message: 'm' },
      'f',
      source,
    );
    expect(text.split('\n')[2]).toBe('  \t         ^');
  });

  it('marks warnings as such', () => {
    const text = formatDiagnosticWithSource(
      { severity: 'warning', code: 'test', line: 1, column: 1, message: 'w' },
      'f',
      source,
    );
    expect(text.split('\n')[0]).toBe('f:1:1: warning: w');
  });

  it('prints only the heading when the position is unknown or outside the text', () => {
    expect(
      formatDiagnosticWithSource(
        { severity: 'error', code: 'test', line: 0, column: 0, message: 'too big' },
        'f',
        source,
      ),
    ).toBe('f:0:0: too big');
    expect(
      formatDiagnosticWithSource(
        { severity: 'error', code: 'test', line: 99, column: 3, message: 'm' },
        'f',
        source,
      ),
    ).toBe('f:99:3: m');
  });

  it('puts the caret after the text for a column past the end (unexpected end of line)', () => {
    const text = formatDiagnosticWithSource(
      { severity: 'error', code: 'test', line: 1, column: 40, message: 'm' },
      'f',
      'abc',
    );
    expect(text.split('\n')[2]).toBe('     ^');
  });

  it('cuts very long lines to a window around the column', () => {
    const long = 'x'.repeat(5000) + 'BAD' + 'y'.repeat(5000);
    const lines = formatDiagnosticWithSource(
      { severity: 'error', code: 'test', line: 1, column: 5001, message: 'm' },
      'f',
      long,
    ).split('\n');
    expect(lines[1]!.length).toBeLessThan(200);
    expect(lines[1]![lines[2]!.length - 1]).toBe('B');
  });

  it('handles CRLF scripts', () => {
    expect(sourceLine('a\r\nbc\r\n', 2)).toBe('bc');
  });
});

describe('actionJson', () => {
  const pos = { line: 1, column: 1, offset: 0 };

  it('drops internal fields and keeps the action fields', () => {
    expect(actionJson({ type: 'fileinto', mailbox: 'A', copy: true, flags: ['\\Seen'], pos })).toEqual({
      type: 'fileinto',
      mailbox: 'A',
      copy: true,
      flags: ['\\Seen'],
    });
    expect(actionJson({ type: 'keep', mailbox: 'INBOX', implicit: true })).toEqual({
      type: 'keep',
      mailbox: 'INBOX',
      implicit: true,
    });
  });

  it('gives vacation its reply fields', () => {
    const json = actionJson({
      type: 'vacation',
      reason: 'away',
      subject: 'Out',
      from: 'me@example.com',
      addresses: [],
      seconds: 604800,
      handle: 'h',
      mime: false,
      pos,
    });
    expect(json).toMatchObject({
      type: 'vacation',
      reason: 'away',
      subject: 'Out',
      from: 'me@example.com',
      seconds: 604800,
    });
    expect(json).toMatchObject({ handle: 'h', mime: false });
    expect(json).not.toHaveProperty('pos');
  });

  it('says when a vacation reply is suppressed, and why, in plain and JSON output', () => {
    const base = {
      type: 'vacation' as const,
      reason: 'away',
      addresses: [],
      seconds: 60,
      handle: 'h',
      mime: false,
    };
    const sent = describeAction({ ...base, to: 'a@example.com' });
    expect(sent).toMatch(/^vacation: reply to <a@example.com>/);
    expect(sent).not.toContain('suppressed');
    const quiet = describeAction({ ...base, suppressed: 'the envelope sender is null' });
    expect(quiet).toMatch(/^vacation: no reply /);
    expect(quiet).toContain('(suppressed: the envelope sender is null)');
    expect(shortAction({ ...base, suppressed: 'x' })).toBe('vacation (suppressed)');
    expect(actionJson({ ...base, suppressed: 'x' })).toMatchObject({ suppressed: 'x' });
  });

  it('flattens extension actions to their name and fields', () => {
    expect(actionJson({ type: 'other', name: 'notify', fields: { method: 'mailto:x@y' }, pos })).toEqual({
      type: 'notify',
      method: 'mailto:x@y',
    });
  });
});

describe('describeAction and traces', () => {
  it('describes actions in words', () => {
    expect(describeAction({ type: 'keep', mailbox: 'INBOX', implicit: true })).toBe(
      'implicit keep: store in "INBOX"',
    );
    expect(describeAction({ type: 'redirect', address: 'a@b.c', copy: true })).toBe(
      'redirect: send to <a@b.c> (copy)',
    );
    expect(describeAction({ type: 'reject', reason: 'no\nmore' })).toBe('reject: "no..."');
  });

  it('leaves the edited message an action carries out of its JSON', () => {
    const a = {
      type: 'keep' as const,
      mailbox: 'INBOX',
      message: {} as never,
      pos: { line: 1, column: 1, offset: 0 },
    };
    expect(actionJson(a)).toEqual({ type: 'keep', mailbox: 'INBOX' });
  });
});

const ENVELOPE = { from: 'a@example.com', to: 'b@example.com' };

describe('traces', () => {
  const at = (line: number, column: number) => ({ line, column, offset: 0 });
  const source = 'if header :is "subject" "x" { keep; }\n';
  const events: TraceEvent[] = [
    { kind: 'test-start', name: 'header', pos: at(1, 4), depth: 0 },
    {
      kind: 'values',
      source: 'header',
      name: 'subject',
      values: ['a\u202eb\x1b[31m'],
      pos: at(1, 4),
      depth: 1,
    },
    {
      kind: 'match',
      matchType: 'is',
      comparator: 'i;ascii-casemap',
      values: ['a\u202eb\x1b[31m'],
      keys: ['x'],
      comparisons: [{ value: 'a\u202eb\x1b[31m', key: 'x', matched: false }],
      result: false,
      pos: at(1, 4),
      depth: 1,
    },
    { kind: 'test', name: 'header', result: false, pos: at(1, 4), depth: 0 },
  ];

  it('shows a test with its outcome first, the source at its place, and its details indented', () => {
    const lines = formatTraceLines(events, source);
    expect(lines[0]).toMatch(/^ {3}1: header → false +\| header :is "subject" "x"/);
    expect(lines[1]).toBe('   1:   header "subject": "a\\u{202e}b\\u{1b}[31m"');
    expect(lines[2]).toBe('   1:   :is (i;ascii-casemap) → no match');
    expect(lines[3]).toBe('   1:     "a\\u{202e}b\\u{1b}[31m" with "x": no');
    expect(lines).toHaveLength(4);
  });

  it('indents tests inside anyof, allof and not, and leaves out what short-circuit skipped', () => {
    const script = [
      'if anyof (not exists "subject", header :is "subject" "hi", size :over 1M) { keep; }',
      'if allof (false, true) { discard; }',
    ].join('\n');
    const engine = new SieveEngine();
    const events: TraceEvent[] = [];
    engine.run(engine.compile(script).program!, Buffer.from('Subject: hi\r\n\r\n'), ENVELOPE, {
      trace: (e) => events.push(e),
    });
    const lines = formatTraceLines(events, script).map((l) => l.replace(/ +\|.*$/, ''));
    expect(lines).toEqual([
      '   1: anyof → true',
      '   1:   not → false',
      '   1:     exists → true',
      '   1:       header "subject": present',
      '   1:   header → true',
      '   1:     header "subject": "hi"',
      '   1:     :is (i;ascii-casemap) → match',
      '   1:       "hi" with "hi": yes',
      '   1:   keep: store in "INBOX"',
      '   2: allof → false',
      '   2:   false → false',
    ]);
  });

  it('quotes values, escaping what a terminal would act on and cutting long ones', () => {
    expect(quoteValue('say "hi"\r\n\t\\')).toBe('"say \\"hi\\"\\r\\n\\t\\\\"');
    expect(quoteValue('x'.repeat(100), 10)).toBe('"xxxxxxxxxx"… (100 chars)');
    // A surrogate pair is not split by the cut.
    expect(quoteValue('😀'.repeat(5), 3)).toBe('"😀😀😀"… (10 chars)');
  });

  it('lists many comparisons only up to a limit', () => {
    const comparisons = Array.from({ length: 40 }, (_, i) => ({ value: `v${i}`, key: 'k', matched: false }));
    const match: TraceEvent = { ...(events[2] as Extract<TraceEvent, { kind: 'match' }>), comparisons };
    const lines = formatTraceLines([match], source);
    expect(lines.at(-1)).toBe('   1:     … 24 more comparisons');
  });

  it('gives JSON the fields, line and column, with long strings cut', () => {
    expect(traceJson(events[3]!)).toEqual({
      kind: 'test',
      name: 'header',
      result: false,
      depth: 0,
      line: 1,
      column: 4,
    });
    const long: TraceEvent = { kind: 'set', name: 'v', value: 'y'.repeat(5000), pos: at(2, 1), depth: 1 };
    expect((traceJson(long).value as string).length).toBe(1001);
  });
});
