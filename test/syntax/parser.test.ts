import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';

function errors(src: string, options?: Parameters<typeof parse>[1]): string[] {
  return parse(src, options).diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);
}

function clean(src: string) {
  const r = parse(src);
  expect(r.diagnostics).toEqual([]);
  return r.ast;
}

describe('AST', () => {
  it('builds commands, arguments, tests and blocks', () => {
    const ast = clean(
      'require ["fileinto"];\nif header :is "subject" "hi" {\n  fileinto "A";\n} else { keep; }\n',
    );
    expect(ast).toEqual({
      type: 'script',
      commands: [
        {
          type: 'command',
          name: 'require',
          args: [
            {
              type: 'stringlist',
              items: [
                {
                  type: 'string',
                  value: 'fileinto',
                  multiline: false,
                  pos: { line: 1, column: 10, offset: 9 },
                },
              ],
              pos: { line: 1, column: 9, offset: 8 },
            },
          ],
          tests: [],
          testList: false,
          block: null,
          pos: { line: 1, column: 1, offset: 0 },
        },
        {
          type: 'command',
          name: 'if',
          args: [],
          tests: [
            {
              type: 'test',
              name: 'header',
              args: [
                { type: 'tag', name: 'is', pos: { line: 2, column: 11, offset: 32 } },
                {
                  type: 'string',
                  value: 'subject',
                  multiline: false,
                  pos: { line: 2, column: 15, offset: 36 },
                },
                { type: 'string', value: 'hi', multiline: false, pos: { line: 2, column: 25, offset: 46 } },
              ],
              tests: [],
              testList: false,
              pos: { line: 2, column: 4, offset: 25 },
            },
          ],
          testList: false,
          block: [
            {
              type: 'command',
              name: 'fileinto',
              args: [
                { type: 'string', value: 'A', multiline: false, pos: { line: 3, column: 12, offset: 64 } },
              ],
              tests: [],
              testList: false,
              block: null,
              pos: { line: 3, column: 3, offset: 55 },
            },
          ],
          pos: { line: 2, column: 1, offset: 22 },
        },
        {
          type: 'command',
          name: 'else',
          args: [],
          tests: [],
          testList: false,
          block: [
            {
              type: 'command',
              name: 'keep',
              args: [],
              tests: [],
              testList: false,
              block: null,
              pos: { line: 4, column: 10, offset: 78 },
            },
          ],
          pos: { line: 4, column: 3, offset: 71 },
        },
      ],
    });
  });

  it('marks parenthesised test lists', () => {
    const [cmd] = clean('if anyof (true, not false) { stop; }').commands;
    const anyof = cmd!.tests[0]!;
    expect(cmd!.testList).toBe(false);
    expect(anyof.name).toBe('anyof');
    expect(anyof.testList).toBe(true);
    expect(anyof.tests.map((t) => t.name)).toEqual(['true', 'not']);
    expect(anyof.tests[1]!.testList).toBe(false);
    expect(anyof.tests[1]!.tests[0]!.name).toBe('false');
    expect(clean('if allof (exists "x") {}').commands[0]!.tests[0]!.testList).toBe(true);
  });

  it('keeps a one-item bracketed list as a string list', () => {
    const [cmd] = clean('x ["a"] "b" :t 5 ["c", text:\nd\n.\n];').commands;
    expect(cmd!.args.map((a) => a.type)).toEqual(['stringlist', 'string', 'tag', 'number', 'stringlist']);
    const last = cmd!.args[4]!;
    expect(last.type === 'stringlist' && last.items.map((i) => [i.value, i.multiline])).toEqual([
      ['c', false],
      ['d\n', true],
    ]);
  });

  it('gives positions on CRLF scripts', () => {
    const ast = clean('keep;\r\n\r\n  stop;\r\n');
    expect(ast.commands[1]!.pos).toEqual({ line: 3, column: 3, offset: 11 });
  });

  it('accepts an empty script and empty blocks', () => {
    expect(clean('').commands).toEqual([]);
    expect(clean('  # only a comment\n').commands).toEqual([]);
    expect(clean('if true {}').commands[0]!.block).toEqual([]);
  });
});

describe('errors', () => {
  it('reports a missing semicolon after the command', () => {
    expect(errors('require "fileinto"\n}')).toEqual([
      '1:19: missing semicolon after require command',
      "2:1: unexpected '}'",
    ]);
    expect(errors('if true {\n  keep\n}\n')).toEqual(['2:7: missing semicolon after keep command']);
    expect(errors('keep')).toEqual(['1:5: missing semicolon after keep command']);
  });

  it('leaves a following command read as a test to the compiler when the grammar allows it', () => {
    // `require "x" NEWLINE if true {...}` is valid RFC 5228 syntax: `if` is a test of require.
    const [cmd] = clean('require "fileinto"\nif true { stop; }').commands;
    expect(cmd!.tests[0]!.name).toBe('if');
    expect(cmd!.tests[0]!.pos.line).toBe(2);
    expect(cmd!.block).toHaveLength(1);
  });

  it('gives back a command that was read as a test of the one before', () => {
    const r = parse('if true {\n  keep\n  stop\n}');
    expect(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`)).toEqual([
      '2:7: missing semicolon after keep command',
      '3:7: missing semicolon after stop command',
    ]);
    expect(r.ast.commands[0]!.block!.map((c) => [c.name, c.tests.length])).toEqual([
      ['keep', 0],
      ['stop', 0],
    ]);
  });

  it('reports something other than ; or { after a command', () => {
    expect(errors('keep ) ;\nstop;')).toEqual(["1:6: expected ';' or '{' after keep command, found ')'"]);
    expect(errors('keep, stop;')).toEqual(["1:5: expected ';' or '{' after keep command, found ','"]);
  });

  it('leaves a missing test after if and elsif to the compiler (it is valid syntax)', () => {
    expect(errors('if { stop; }')).toEqual([]);
    expect(errors('if true { stop; } elsif { keep; }')).toEqual([]);
  });

  it('reports too many arguments once per command or test', () => {
    const many = Array.from({ length: 40 }, (_, i) => `"a${i}"`).join(' ');
    // Reported at the 33rd argument.
    const cmd = `frop ${many};`;
    expect(errors(cmd)).toEqual([
      `1:${cmd.indexOf('"a32"') + 1}: too many arguments for frop command (limit 32)`,
    ]);
    const test = `if t ${many} { }`;
    expect(errors(test)).toEqual([
      `1:${test.indexOf('"a32"') + 1}: too many arguments for t test (limit 32)`,
    ]);
    expect(errors(`frop ${many};`, { maxArguments: 40 })).toEqual([]);
    const exact = Array.from({ length: 32 }, () => '1').join(' ');
    expect(errors(`frop ${exact};`)).toEqual([]);
  });

  it('reports test list problems', () => {
    expect(errors('if anyof(true,true,) {}')).toEqual([
      "1:20: expected a test after ',' in the test list of anyof",
    ]);
    expect(errors('if anyof() {}')).toEqual(["1:10: expected a test after '(' in the test list of anyof"]);
    expect(errors('if anyof("x") {}')).toEqual([
      '1:10: expected a test in the test list of anyof, found string "x"',
    ]);
    expect(errors('if anyof(true, false {}')).toEqual(["1:21: missing ')' to close the test list of anyof"]);
    expect(errors('if anyof(anyof(true) true) {}')).toEqual([
      "1:22: missing ',' between tests in the test list of anyof",
    ]);
    expect(errors('if anyof(true ] ) {}')).toEqual([
      "1:15: expected ',' or ')' in the test list of anyof, found ']'",
    ]);
  });

  it('reports string list problems', () => {
    expect(errors('if header ["a" "b"] "x" {}')).toEqual([
      "1:16: missing ',' between strings in string list of header test",
    ]);
    expect(errors('if header ["a", ] "x" {}')).toEqual([
      "1:17: expected a string after ',' in string list of header test",
    ]);
    expect(errors('require [];')).toEqual(['1:9: empty string list of require command']);
    expect(errors('x [1];')).toEqual(['1:4: expected a string in string list of x command, found number 1']);
    expect(errors('x ["a";')).toEqual(["1:7: missing ']' to close the string list of x command"]);
    expect(errors('x ["a" :t];')).toEqual([
      "1:8: expected ',' or ']' in string list of x command, found tag ':t'",
    ]);
  });

  it('reports stray tokens where a command should start', () => {
    expect(errors('"foo"; keep;')).toEqual(['1:1: expected a command, found string "foo"']);
    expect(errors('keep;;')).toEqual(["1:6: unexpected ';'"]);
    expect(errors('}')).toEqual(["1:1: unexpected '}'"]);
    expect(errors('{ keep; } stop;')).toEqual(["1:1: unexpected '{'"]);
    expect(errors('if true { :tag; keep; }')).toEqual(["1:11: expected a command, found tag ':tag'"]);
  });

  it('reports an unclosed block where it was opened', () => {
    expect(errors('if true {\n  if false {\n    keep;\n}')).toEqual([
      "1:9: missing '}' to close the block of if command",
    ]);
  });

  it('reports several errors in one parse and keeps the good commands', () => {
    const src = [
      'if true { stop }', //      1: missing ;
      'if anyof(true,) {', //     2: spurious comma
      '  fileinto "A"', //        3: missing ;
      '}',
      'if header ["a" "b"] "c" { keep; }', // 5: missing comma
      'keep ) ;', //              6: junk after command
      'stop;',
    ].join('\n');
    const r = parse(src);
    expect(r.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`)).toEqual([
      '1:15: missing semicolon after stop command',
      "2:15: expected a test after ',' in the test list of anyof",
      '3:15: missing semicolon after fileinto command',
      "5:16: missing ',' between strings in string list of header test",
      "6:6: expected ';' or '{' after keep command, found ')'",
    ]);
    expect(r.ast.commands.map((c) => c.name)).toEqual(['if', 'if', 'if', 'keep', 'stop']);
    expect(r.ast.commands[1]!.block!.map((c) => c.name)).toEqual(['fileinto']);
    expect(r.ast.commands[2]!.block!.map((c) => c.name)).toEqual(['keep']);
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('recovers inside the block of a broken test', () => {
    expect(errors('if anyof(true,) {\n  keep\n}\nstop;')).toEqual([
      "1:15: expected a test after ',' in the test list of anyof",
      '2:7: missing semicolon after keep command',
    ]);
  });

  it('matches Pigeonhole recovery counts', () => {
    const endcomma =
      'if true {\n\tif true {\n\t\t# Spurious comma\n\t\tif anyof(true,true,true,) {\n\t\t}\n\t}\n}\n';
    expect(errors(endcomma)).toHaveLength(1);
  });

  it('never shows chevrotain wording', () => {
    const junk = 'if ( ] { ) } [ , ; :x 1 "s" text:\n.\n ( (';
    for (let i = 0; i < junk.length; i++) {
      for (const d of parse(junk.slice(i)).diagnostics) {
        expect(d.message).not.toMatch(/Expecting|token of type|NoViableAlt|EOF|-->/);
      }
    }
  });
});

describe('limits', () => {
  const nestBlocks = (n: number) => 'if true { '.repeat(n) + 'stop;' + ' }'.repeat(n);

  it('limits block nesting (default 32)', () => {
    expect(parse(nestBlocks(32)).diagnostics).toEqual([]);
    expect(errors(nestBlocks(33))).toEqual(['1:329: blocks nested too deeply (limit 32)']);
    expect(errors(nestBlocks(5), { maxNesting: 4 })).toEqual(['1:49: blocks nested too deeply (limit 4)']);
  });

  it('limits test nesting with and without parentheses', () => {
    expect(parse('if ' + 'not '.repeat(31) + 'true {}').diagnostics).toEqual([]);
    expect(errors('if ' + 'not '.repeat(32) + 'true {}')).toEqual([
      '1:132: tests nested too deeply (limit 32)',
    ]);
    const lists = (n: number) => 'if ' + 'anyof('.repeat(n) + 'true' + ')'.repeat(n) + ' { keep; }';
    expect(parse(lists(31)).diagnostics).toEqual([]);
    expect(errors(lists(32))).toEqual(['1:196: tests nested too deeply (limit 32)']);
  });

  it('keeps parsing after a nesting error', () => {
    const r = parse(nestBlocks(40) + '\nfrop $$;\nkeep;');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'blocks nested too deeply (limit 32)',
      "unexpected characters starting with '$'",
      "expected ';' or '{' after frop command, found unknown characters",
    ]);
    expect(r.ast.commands.map((c) => c.name)).toEqual(['if', 'frop', 'keep']);
  });

  it('stops after maxErrors errors and says so', () => {
    const r = parse('}'.repeat(20), { maxErrors: 5 });
    expect(r.diagnostics).toHaveLength(6);
    expect(r.diagnostics[5]!.message).toBe('too many errors (more than 5), stopped here');
  });

  it('refuses scripts over maxSize', () => {
    expect(errors('keep;'.repeat(10), { maxSize: 20 })).toEqual([
      '1:1: script is too large (50 characters, limit 20)',
    ]);
  });
});

describe('top-level commands handed over as they are read', () => {
  it('gives each top-level command in order and keeps none in the AST', () => {
    const src = 'require "fileinto";\nif true { fileinto "a"; keep; }\nstop;';
    const seen: unknown[] = [];
    const r = parse(src, { onCommand: (c) => seen.push(c) });
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.commands).toEqual([]);
    expect(seen).toEqual(clean(src).commands);
  });

  it('stops handing over commands at the first syntax error', () => {
    const names: string[] = [];
    const r = parse('keep;\nstop;\nfileinto "x" {\nkeep;\ndiscard;', {
      onCommand: (c) => names.push(c.name),
    });
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "missing '}' to close the block of fileinto command",
    ]);
    expect(names).toEqual(['keep', 'stop']);
    const none: string[] = [];
    parse('keep;\nstop; @', { onCommand: (c) => none.push(c.name) });
    expect(none).toEqual([]);
  });

  it('parses another script from inside the handler', () => {
    const inner: number[] = [];
    const r = parse('keep;\nif true { stop; }\nkeep;', {
      onCommand: () => inner.push(parse('if anyof (true, false) { keep; } discard;').ast.commands.length),
    });
    expect(r.diagnostics).toEqual([]);
    expect(inner).toEqual([2, 2, 2]);
  });
});
