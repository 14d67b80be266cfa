import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';

/** Small deterministic PRNG so failures can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function messages(src: string, options?: Parameters<typeof parse>[1]): string[] {
  return parse(src, options).diagnostics.map((d) => d.message);
}

describe('hostile input', () => {
  it('refuses 10 MB of junk by size, cleanly', () => {
    const junk = 'x'.repeat(10 * 1024 * 1024);
    expect(messages(junk)).toEqual([`script is too large (${junk.length} characters, limit 2097152)`]);
  });

  it('gives up on 10 MB of random bytes after the error limit', () => {
    const next = rng(42);
    const chars: string[] = [];
    for (let i = 0; i < 10 * 1024 * 1024; i += 1) chars.push(String.fromCharCode(Math.floor(next() * 256)));
    const r = parse(chars.join(''), { maxSize: Infinity });
    expect(r.diagnostics.length).toBe(51);
    expect(r.diagnostics[50]!.message).toMatch(/^too many errors/);
    for (const d of r.diagnostics) {
      expect(d.line).toBeGreaterThan(0);
      expect(d.column).toBeGreaterThan(0);
    }
  });

  it('parses a string list of 100k items', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => `"v${i}"`).join(',');
    const r = parse(`if header :is "x" [${items}] { keep; }`);
    expect(r.diagnostics).toEqual([]);
    const list = r.ast.commands[0]!.tests[0]!.args[2]!;
    expect(list.type === 'stringlist' && list.items.length).toBe(100_000);
  });

  it('parses 1 MB strings, quoted and multi-line', () => {
    const big = 'a'.repeat(1024 * 1024);
    const q = parse(`set "v" "${big}";`);
    expect(q.diagnostics).toEqual([]);
    expect(q.ast.commands[0]!.args[1]).toMatchObject({ type: 'string', value: big });
    const lines = 'abcdefghijklmno\n'.repeat(65536);
    const m = parse(`set "v" text:\n${lines}.\n;`);
    expect(m.diagnostics).toEqual([]);
    expect(m.ast.commands[0]!.args[1]).toMatchObject({ type: 'string', value: lines, multiline: true });
  });

  it('reports NUL bytes and invalid UTF-8 without crashing', () => {
    expect(messages('keep;\0\0\0stop;')).toEqual([
      'unexpected characters starting with U+0000',
      'expected a command, found unknown characters',
    ]);
    const decoded = Buffer.from([0x6b, 0x65, 0x65, 0x70, 0x3b, 0xff, 0xfe, 0xc3]).toString('utf8');
    expect(messages(decoded)).toEqual([
      'unexpected characters starting with U+FFFD',
      'expected a command, found unknown characters',
    ]);
    // Inside strings and comments such characters are just text.
    expect(messages('x "\uFFFD\0"; # \0\uFFFD\n/* \0 */')).toEqual([]);
  });

  it('survives very deep nesting without a stack overflow', () => {
    expect(messages('{'.repeat(100_000))).toEqual(["unexpected '{'"]);
    // Sorted by position: the 32 open blocks come first, then the one too many.
    expect(messages('if true {'.repeat(100_000))).toEqual(
      Array(32)
        .fill("missing '}' to close the block of if command")
        .concat(['blocks nested too deeply (limit 32)']),
    );
    expect(messages('if ' + 'not '.repeat(100_000) + 'true {}')).toEqual([
      'tests nested too deeply (limit 32)',
    ]);
    expect(messages('if ' + 'anyof('.repeat(100_000) + 'true' + ')'.repeat(100_000) + ' {}')).toEqual([
      'tests nested too deeply (limit 32)',
    ]);
    expect(messages('if ' + '('.repeat(100_000))).toEqual([
      "expected a test in the test list of if, found '('",
    ]);
    expect(messages('x ' + '['.repeat(100_000))).toEqual([
      "expected a string in string list of x command, found '['",
    ]);
  });

  it('allows a high maxNesting without overflowing the stack', () => {
    const n = 300;
    const r = parse('if true { '.repeat(n) + 'stop;' + ' }'.repeat(n), { maxNesting: n });
    expect(r.diagnostics).toEqual([]);
    const deep = parse('if true { '.repeat(50_000) + 'stop;' + ' }'.repeat(50_000), { maxNesting: Infinity });
    // Either it parses, or it says the script is nested too deeply; it never throws.
    expect(deep.diagnostics.every((d) => d.message === 'script is nested too deeply')).toBe(true);
  });

  it('gives one error for constructs left open at the end', () => {
    expect(messages('if true {\n  fileinto "INBOX')).toEqual(['unterminated string (started at line 2)']);
    expect(messages('if true {\n  /* note')).toEqual(['unterminated bracket comment (started at line 2)']);
    expect(messages('if true {\n  vacation text:\nbye\n')).toEqual([
      'unterminated multi-line string (started at line 2)',
    ]);
    expect(messages('"')).toEqual(['unterminated string (started at line 1)']);
    expect(messages('text:')).toEqual(['unterminated multi-line string (started at line 1)']);
  });

  it('does not carry state from one parse to the next', () => {
    expect(messages('if anyof(true, { ')).not.toEqual([]);
    expect(parse('if anyof(true, false) { keep; }').diagnostics).toEqual([]);
  });

  it('never throws on random token soup', () => {
    const pieces = [
      'if',
      'keep',
      ' ',
      '\n',
      '\r\n',
      ';',
      ',',
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      ':is',
      '"s"',
      '"',
      '12K',
      '99999999999999999999',
      'text:\n',
      '.\n',
      '..x\n',
      '#c\n',
      '/*',
      '*/',
      '\\',
      '$',
      '\0',
      'not',
      'anyof',
    ];
    const next = rng(7);
    for (let n = 0; n < 2000; n++) {
      let src = '';
      const len = Math.floor(next() * 40);
      for (let i = 0; i < len; i++) src += pieces[Math.floor(next() * pieces.length)];
      const r = parse(src, { maxErrors: 10 });
      expect(r.ast.type).toBe('script');
      expect(r.diagnostics.length).toBeLessThanOrEqual(11);
      for (const d of r.diagnostics) {
        expect(Number.isInteger(d.line) && d.line > 0, `${JSON.stringify(src)}: ${d.message}`).toBe(true);
        expect(Number.isInteger(d.column) && d.column > 0, `${JSON.stringify(src)}: ${d.message}`).toBe(true);
        expect(d.message).not.toMatch(/Expecting|token of type|internal parser error/);
      }
    }
  });
});
