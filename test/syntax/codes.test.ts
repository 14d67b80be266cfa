import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';

function codes(src: string, options?: Parameters<typeof parse>[1]): (string | undefined)[] {
  return parse(src, options).diagnostics.map((d) => d.code);
}

describe('diagnostic codes', () => {
  const cases: [string, string, Parameters<typeof parse>[1]?][] = [
    ['keep\n', 'missing-semicolon'],
    ['keep ,', 'expected-semicolon-or-block'],
    ['if anyof(true,) {}', 'expected-test'],
    ['if anyof(true {}', 'missing-closing-paren'],
    ['if anyof(anyof(true) false) {}', 'missing-comma'],
    ['if anyof(true ] ) {}', 'expected-comma-or-paren'],
    ['require [];', 'empty-string-list'],
    ['require ["a",];', 'expected-string'],
    ['require ["a" "b"];', 'missing-comma'],
    ['require ["a";', 'missing-closing-bracket'],
    ['require ["a" :x];', 'expected-comma-or-bracket'],
    ['"foo";', 'expected-command'],
    ['}', 'unexpected-token'],
    ['if true {', 'missing-closing-brace'],
    ['keep "abc', 'unterminated-string'],
    ['keep text:\nabc\n', 'unterminated-multi-line-string'],
    ['keep; /* abc', 'unterminated-comment'],
    ['keep text: abc\n.\n;', 'expected-line-end'],
    ['keep @;', 'unexpected-character'],
    ['keep : ;', 'missing-tag-name'],
    ['keep 99999999999999999999999;', 'number-too-large'],
    [`${'k'.repeat(40)};`, 'identifier-too-long'],
    [`keep :${'k'.repeat(40)};`, 'tag-too-long'],
    ['keep 1 2 3;', 'too-many-arguments', { maxArguments: 2 }],
    ['if true { if true { keep; } }', 'block-nesting-too-deep', { maxNesting: 1 }],
    ['if not not true {}', 'test-nesting-too-deep', { maxNesting: 1 }],
    ['keep;', 'script-too-large', { maxSize: 2 }],
  ];
  for (const [src, code, options] of cases) {
    it(`${code}: ${JSON.stringify(src).slice(0, 40)}`, () => {
      expect(codes(src, options)).toContain(code);
    });
  }

  it('gives every diagnostic a kebab-case code, the error limit included', () => {
    const d = parse('@ '.repeat(10), { maxErrors: 3 }).diagnostics;
    expect(d.at(-1)!.code).toBe('too-many-errors');
    for (const x of d) expect(x.code).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('keeps the English text next to the code', () => {
    const [d] = parse('keep\n').diagnostics;
    expect(d).toMatchObject({ code: 'missing-semicolon', message: 'missing semicolon after keep command' });
  });
});
