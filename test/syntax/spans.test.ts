import { describe, expect, it } from 'vitest';
import { parseScript, type CommandNode } from '../../src/index.js';

const SOURCE = [
  '# filters\r',
  'require ["fileinto", /* inline */ "imap4flags"];',
  '',
  'if anyof (header :contains "subject" "[list]", size :over 10K) {',
  '  fileinto "Lists"; # to the list folder',
  '  stop;',
  '} /* trailing */ elsif not exists "x" { keep; }',
  'vacation :days 3 text:',
  'Away.',
  '.',
  ';',
  '',
].join('\n');

describe('parseScript spans and comments', () => {
  const { ast, diagnostics } = parseScript(SOURCE);

  it('parses without errors and keeps the comments', () => {
    expect(diagnostics).toEqual([]);
    expect(ast.comments!.map((c) => [c.kind, c.text, c.line])).toEqual([
      ['hash', ' filters', 1],
      ['bracket', ' inline ', 2],
      ['hash', ' to the list folder', 5],
      ['bracket', ' trailing ', 7],
    ]);
    for (const c of ast.comments!) {
      const raw = SOURCE.slice(c.start, c.end);
      expect(raw.replace(/\r$/, '')).toBe(c.kind === 'hash' ? `#${c.text}` : `/*${c.text}*/`);
    }
  });

  it('cuts the source into commands, comments and whitespace only', () => {
    const pieces: [number, number][] = [
      ...ast.commands.map((c): [number, number] => [c.pos.offset, c.end!]),
      ...ast.comments!.filter((c) => !within(c.start)).map((c): [number, number] => [c.start, c.end]),
    ].sort((a, b) => a[0] - b[0]);
    let at = 0;
    let rebuilt = '';
    for (const [start, end] of pieces) {
      expect(SOURCE.slice(at, start)).toMatch(/^\s*$/);
      rebuilt += SOURCE.slice(at, start) + SOURCE.slice(start, end);
      at = end;
    }
    rebuilt += SOURCE.slice(at);
    expect(SOURCE.slice(at)).toMatch(/^\s*$/);
    expect(rebuilt).toBe(SOURCE);
  });

  it('gives tests, arguments and blocks their exact text', () => {
    const [, ifCmd, , vacation] = ast.commands;
    const text = (n: { pos: { offset: number }; end?: number }) => SOURCE.slice(n.pos.offset, n.end);
    expect(ast.commands.map((c) => c.name)).toEqual(['require', 'if', 'elsif', 'vacation']);
    expect(text(ifCmd!.tests[0]!)).toBe('anyof (header :contains "subject" "[list]", size :over 10K)');
    expect(text(ifCmd!.tests[0]!.tests[1]!)).toBe('size :over 10K');
    expect(ifCmd!.tests[0]!.tests[0]!.args.map(text)).toEqual([':contains', '"subject"', '"[list]"']);
    expect(text(ast.commands[0]!.args[0]!)).toBe('["fileinto", /* inline */ "imap4flags"]');
    expect(SOURCE.slice(ifCmd!.blockStart, ifCmd!.blockEnd)).toMatch(/^\{\n {2}fileinto[^]*stop;\n\}$/);
    expect(text(ifCmd!.block![0]!)).toBe('fileinto "Lists";');
    expect(text(vacation!.args[2]!)).toBe('text:\nAway.\n.');
  });

  it('replacing one command by its span keeps every other byte', () => {
    const target = ast.commands[1]!.block![1]!;
    const edited = SOURCE.slice(0, target.pos.offset) + 'discard;' + SOURCE.slice(target.end);
    const again = parseScript(edited);
    expect(again.diagnostics).toEqual([]);
    const before = (cs: CommandNode[]) => cs.map((c) => edited.slice(c.pos.offset, c.end));
    expect(before(again.ast.commands[1]!.block!)).toEqual(['fileinto "Lists";', 'discard;']);
    expect(edited.slice(0, target.pos.offset)).toBe(SOURCE.slice(0, target.pos.offset));
    expect(edited.slice(target.pos.offset + 'discard;'.length)).toBe(SOURCE.slice(target.end));
    expect(again.ast.comments).toEqual(
      ast.comments!.map((c) =>
        c.start > target.pos.offset ? { ...c, start: c.start + 3, end: c.end + 3 } : c,
      ),
    );
  });

  it('leaves spans and comments out by default', () => {
    const plain = parseScript('keep; # x\n', {});
    expect(plain.ast.comments).toBeUndefined();
    expect(plain.ast.commands[0]!.end).toBeUndefined();
  });

  function within(offset: number): boolean {
    return ast.commands.some((c) => c.pos.offset <= offset && offset < c.end!);
  }
});
