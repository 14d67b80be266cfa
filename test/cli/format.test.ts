import { describe, expect, it } from 'vitest';
import {
  actionJson,
  describeAction,
  formatDiagnosticWithSource,
  formatTrace,
  shortAction,
  sourceLine,
  traceJson,
} from '../../src/cli/format.js';

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

  it('shows a trace event with its outcome and the source at its place', () => {
    const source = 'if header :is "subject" "x" { keep; }';
    const e = {
      kind: 'test' as const,
      name: 'header',
      pos: { line: 1, column: 4, offset: 3 },
      result: false,
    };
    expect(formatTrace(e, source)).toMatch(/^ {2}1:4 +test header → false +\| header :is "subject" "x"/);
    expect(traceJson(e)).toEqual({ kind: 'test', name: 'header', line: 1, column: 4, result: false });
  });
});
