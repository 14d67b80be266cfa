import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';
import { tokenize } from '../../src/syntax/lexer.js';
import { Reporter } from '../../src/syntax/reporter.js';
import type { Argument, StringArgument } from '../../src/syntax/ast.js';

function lex(src: string) {
  const reporter = new Reporter(50);
  const { tokens } = tokenize(src, reporter);
  const list: Array<[string, string | number]> = [];
  for (let i = 0; i < tokens.length; i++) list.push([tokens.type(i).name, tokens.value(i)]);
  return { tokens: list, errors: reporter.result() };
}

/** Arguments of the first command of a script that must parse cleanly. */
function args(src: string): Argument[] {
  const r = parse(src);
  expect(r.diagnostics).toEqual([]);
  return r.ast.commands[0]!.args;
}

function errors(src: string): string[] {
  return parse(src).diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

describe('tokens', () => {
  it('reads every token kind', () => {
    expect(lex('Foo :Is 12 "s" text:\nx\n.\n[ ] ( ) { } , ;').tokens).toEqual([
      ['Identifier', 'foo'],
      ['Tag', 'is'],
      ['Number', 12],
      ['QuotedString', 's'],
      ['MultiLine', 'x\n'],
      ['LBracket', ''],
      ['RBracket', ''],
      ['LParen', ''],
      ['RParen', ''],
      ['LCurly', ''],
      ['RCurly', ''],
      ['Comma', ''],
      ['Semicolon', ''],
      ['EOF', ''],
    ]);
  });

  it('lower-cases identifiers and tags', () => {
    const r = parse('IF HeAdEr :CONTAINS "Subject" "X" { KEEP; }');
    expect(r.diagnostics).toEqual([]);
    const cmd = r.ast.commands[0]!;
    expect(cmd.name).toBe('if');
    expect(cmd.tests[0]!.name).toBe('header');
    expect(cmd.tests[0]!.args[0]).toMatchObject({ type: 'tag', name: 'contains' });
    expect(cmd.block![0]!.name).toBe('keep');
  });

  it('accepts identifiers with digits and underscores', () => {
    expect(lex('_a1_b2 x9').tokens.slice(0, 2)).toEqual([
      ['Identifier', '_a1_b2'],
      ['Identifier', 'x9'],
    ]);
  });
});

describe('positions', () => {
  it('tracks lines and columns across multi-line tokens and comments', () => {
    const src = 'a text:\nx\n.\n;\n  b "1\n2" /* c\n */ c;\r\n\td;';
    const r = parse(src);
    expect(r.diagnostics).toEqual([]);
    const [a, b, c] = r.ast.commands;
    expect(a!.pos).toEqual({ line: 1, column: 1, offset: 0 });
    expect(a!.args[0]!.pos).toEqual({ line: 1, column: 3, offset: 2 });
    expect(b!.pos).toEqual({ line: 5, column: 3, offset: 16 });
    expect(b!.args[0]!.pos).toEqual({ line: 5, column: 5, offset: 18 });
    expect(b!.tests[0]!.pos).toEqual({ line: 7, column: 5, offset: 33 });
    expect(c!.pos).toEqual({ line: 8, column: 2, offset: 38 });
    expect(src.slice(c!.pos.offset, c!.pos.offset + 1)).toBe('d');
  });
});

describe('numbers', () => {
  it('applies K, M and G quantifiers in either case', () => {
    const values = args('x 0 7 1K 2k 3M 4m 5G 6g;').map((a) => (a.type === 'number' ? a.value : null));
    expect(values).toEqual([0, 7, 1024, 2048, 3 * 1024 ** 2, 4 * 1024 ** 2, 5 * 1024 ** 3, 6 * 1024 ** 3]);
  });

  it('accepts numbers up to 2^64-1, as Pigeonhole does', () => {
    expect(args('x 9007199254740991;')[0]).toMatchObject({ type: 'number', value: 9007199254740991 });
    expect(args('x 8388607G;')[0]).toMatchObject({ value: 8388607 * 1024 ** 3 });
    expect(errors('x 9007199254740992; y 18446744073709551615; z 17179869183G;')).toEqual([]);
    // Above 2^53 the value is the nearest double.
    expect(args('x 18446744073709551615;')[0]).toMatchObject({ value: 2 ** 64 });
  });

  it('keeps large values exact up to 2^53', () => {
    const values = args('x 2147483647 2147483648 3000000000 4G 999999M 123456789012345;').map((a) =>
      a.type === 'number' ? a.value : null,
    );
    expect(values).toEqual([
      2147483647,
      2147483648,
      3000000000,
      4 * 1024 ** 3,
      999999 * 1024 ** 2,
      123456789012345,
    ]);
  });

  it('rejects numbers that do not fit', () => {
    expect(errors('x 18446744073709551616;')).toEqual(['1:3: number is too large (limit 2^64-1)']);
    expect(errors('x 17179869184G;')).toEqual(['1:3: number is too large (limit 2^64-1)']);
    expect(errors('x 49834598293485814273947921734981723971293741923;')).toEqual([
      '1:3: number is too large (limit 2^64-1)',
    ]);
  });
});

describe('names', () => {
  it('lower-cases every spelling of a name, however many names a script uses', () => {
    const names = Array.from({ length: 700 }, (_, i) => `Cmd${i}X`);
    const r = parse(names.map((n) => `${n} :Tag${n} "v";`).join('\n'));
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.commands.map((c) => c.name)).toEqual(names.map((n) => n.toLowerCase()));
    expect(r.ast.commands.map((c) => (c.args[0] as { name: string }).name)).toEqual(
      names.map((n) => `tag${n.toLowerCase()}`),
    );
  });

  it('reads long names whole', () => {
    const long = 'Aa'.repeat(40);
    const r = parse(`${long} :${long};`, { maxIdentifierLength: 100 });
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.commands[0]!.name).toBe(long.toLowerCase());
    expect(r.ast.commands[0]!.args[0]).toMatchObject({ type: 'tag', name: long.toLowerCase() });
  });
});

describe('identifier length', () => {
  it('accepts 32 characters and rejects more, for identifiers and tags', () => {
    const ok = 'a'.repeat(32);
    expect(errors(`${ok} :${ok};`)).toEqual([]);
    expect(errors(`${ok}b;`)).toEqual([`1:1: identifier '${ok}...' is too long (limit 32 characters)`]);
    expect(errors(`x :${ok}b;`)).toEqual([`1:3: tag ':${ok}...' is too long (limit 32 characters)`]);
  });

  it('reports a long identifier once and still parses what follows', () => {
    const long = 'x'.repeat(5000);
    expect(
      errors(`if ${long} { stop; }
keep`),
    ).toEqual([
      `1:4: identifier '${'x'.repeat(32)}...' is too long (limit 32 characters)`,
      '2:5: missing semicolon after keep command',
    ]);
  });
});

describe('quoted strings', () => {
  const str = (src: string) => (args(`x ${src};`)[0] as StringArgument).value;

  it('handles escapes', () => {
    expect(str('"a\\\\b"')).toBe('a\\b');
    expect(str('"say \\"hi\\""')).toBe('say "hi"');
    expect(str('"\\a\\b\\c"')).toBe('abc');
    expect(str('""')).toBe('');
  });

  it('may span lines, keeping CRLF or LF as written', () => {
    expect(str('"one\r\ntwo\nthree"')).toBe('one\r\ntwo\nthree');
  });

  it('counts the lines inside strings, with and without escapes', () => {
    const r = parse('a "x\ny\nz" "p\\"\nq";\nb "1\n2";\n  c;');
    expect(r.diagnostics).toEqual([]);
    const [a, b, c] = r.ast.commands;
    expect(a!.args.map((x) => x.pos)).toEqual([
      { line: 1, column: 3, offset: 2 },
      { line: 3, column: 4, offset: 10 },
    ]);
    expect((a!.args[1] as StringArgument).value).toBe('p"\nq');
    expect(b!.pos).toEqual({ line: 5, column: 1, offset: 19 });
    expect(b!.args[0]!.pos).toEqual({ line: 5, column: 3, offset: 21 });
    expect(c!.pos).toEqual({ line: 7, column: 3, offset: 30 });
  });

  it('keeps non-ASCII text and comment-like content', () => {
    expect(str('"héllo # not /* a comment */"')).toBe('héllo # not /* a comment */');
  });

  it('reports an unterminated string once, where it started', () => {
    expect(errors('keep;\nfileinto "abc;\nkeep;\n')).toEqual([
      '2:10: unterminated string (started at line 2)',
    ]);
    expect(errors('x "abc\\')).toEqual(['1:3: unterminated string (started at line 1)']);
  });
});

describe('multi-line strings', () => {
  const ml = (src: string) => {
    const a = args(src)[0] as StringArgument;
    expect(a.multiline).toBe(true);
    return a.value;
  };

  it('reads lines up to a line holding only a dot', () => {
    expect(ml('x text:\nline 1\nline 2\n.\n;')).toBe('line 1\nline 2\n');
    expect(ml('x text:\n.\n;')).toBe('');
  });

  it('removes dot-stuffing only from lines starting with two dots', () => {
    expect(ml('x text:\n.a\n..b\n...c\n.\n;')).toBe('.a\n.b\n..c\n');
  });

  it('allows spaces, tabs and a hash comment after text:', () => {
    expect(ml('x text: \t # note\nbody\n.\n;')).toBe('body\n');
    expect(ml('x TEXT:\nbody\n.\n;')).toBe('body\n');
  });

  it('accepts CRLF line endings', () => {
    expect(ml('x text:\r\nA\r\n..B\r\n.\r\n;')).toBe('A\r\n.B\r\n');
  });

  it('does not treat # or /* inside the text as comments', () => {
    expect(ml('x text:\n# hash\n/* star */\n.\n;')).toBe('# hash\n/* star */\n');
  });

  it('accepts a final dot at the very end of the script', () => {
    const r = parse('x text:\nbody\n.');
    expect(r.diagnostics.map((d) => d.message)).toEqual(['missing semicolon after x command']);
  });

  it('matches the quoted form (Pigeonhole lexer.svtest)', () => {
    const r = parse(
      'set "text" text: # Comment\nLine 1\n.Line 2\n..Line 3\n.Line 4\nLine 5\n.\n;\n' +
        'set "quoted"\n"Line 1\n.Line 2\n.Line 3\n.Line 4\nLine 5\n";',
    );
    expect(r.diagnostics).toEqual([]);
    const a = r.ast.commands[0]!.args[1] as StringArgument;
    const b = r.ast.commands[1]!.args[1] as StringArgument;
    expect(a.value).toBe(b.value);
  });

  it('reports a multi-line string without its final dot', () => {
    expect(errors('keep;\nx text:\nabc\n')).toEqual([
      '2:3: unterminated multi-line string (started at line 2)',
    ]);
  });

  it('reports junk after text:', () => {
    expect(errors('x text: junk\nabc\n.\n;')).toEqual(["1:9: expected end of line after 'text:'"]);
  });
});

describe('comments and whitespace', () => {
  it('skips hash and bracket comments anywhere whitespace may be', () => {
    const r = parse('# first\nif /* a */ true /* multi\nline */ { # c\n keep /**/; } # end');
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.commands[0]!.block![0]!.name).toBe('keep');
  });

  it('does not nest bracket comments', () => {
    expect(errors('/* a /* b */ keep; */')).toEqual([
      "1:20: unexpected characters starting with '*'",
      '1:20: expected a command, found unknown characters',
    ]);
    expect(parse('/* a /* b */ keep;').diagnostics).toEqual([]);
  });

  it('reports an unterminated bracket comment once', () => {
    expect(errors('keep;\n  /* never\nclosed')).toEqual([
      '2:3: unterminated bracket comment (started at line 2)',
    ]);
  });

  it('accepts a hash comment at the end without a newline', () => {
    expect(parse('keep; # bye').diagnostics).toEqual([]);
  });
});

describe('bad characters', () => {
  // As Pigeonhole does: the scanner reports the run once, the parser says what it expected there.
  it('reports a run of unknown characters once, then what was expected in its place', () => {
    expect(errors('friep $$$;')).toEqual([
      "1:7: unexpected characters starting with '$'",
      "1:7: expected ';' or '{' after friep command, found unknown characters",
    ]);
    expect(errors('keep; @')).toEqual([
      "1:7: unexpected character '@'",
      '1:7: expected a command, found unknown characters',
    ]);
    expect(errors('if header :is "a" ["b", $ "c"] { stop; }')).toEqual([
      "1:25: unexpected character '$'",
      '1:25: expected a string in string list of header test, found unknown characters',
    ]);
    expect(errors('if anyof(true, @@ false) { stop; }')).toEqual([
      "1:16: unexpected characters starting with '@'",
      '1:16: expected a test in the test list of anyof, found unknown characters',
    ]);
  });

  it('names control and non-ASCII characters by code point', () => {
    expect(errors('keep;\u0000')).toEqual([
      '1:6: unexpected character U+0000',
      '1:6: expected a command, found unknown characters',
    ]);
    expect(errors('keep; \uFFFD\uFFFD')).toEqual([
      '1:7: unexpected characters starting with U+FFFD',
      '1:7: expected a command, found unknown characters',
    ]);
  });

  it('reports a colon without a tag name', () => {
    expect(errors('x : y;')).toEqual(["1:3: expected a tag name after ':'"]);
  });

  it('reports a lone slash', () => {
    expect(errors('x / y;')).toEqual([
      "1:3: unexpected character '/'",
      "1:3: expected ';' or '{' after x command, found unknown characters",
    ]);
  });
});
