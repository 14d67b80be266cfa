import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandNode } from '../../src/syntax/ast.js';
import { readDirect } from '../../src/syntax/direct-parser.js';
import { tokenize } from '../../src/syntax/lexer.js';
import { parse } from '../../src/syntax/parse.js';
import { SieveParser } from '../../src/syntax/parser.js';
import { Reporter } from '../../src/syntax/reporter.js';
import { ParseState } from '../../src/syntax/state.js';

// The fast reader must build exactly the tree the chevrotain grammar builds, or give up.
const grammar = new SieveParser();

function both(source: string, spans: boolean): { direct: CommandNode[] | null; grammar: CommandNode[] } {
  const lexed = tokenize(source, new Reporter(50), {});
  const state = () =>
    new ParseState(lexed.tokens, new Reporter(50), 32, lexed.truncated, 32, undefined, spans);
  const fast = state();
  const direct = readDirect(fast) < 0 ? fast.top : null;
  const slow = state();
  grammar.st = slow;
  grammar.setTokens(lexed.tokens);
  grammar.script();
  return { direct, grammar: slow.top };
}

function sieveFiles(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out = out.concat(sieveFiles(file));
    else if (name.endsWith('.sieve') || name.endsWith('.svtest')) out.push(file);
  }
  return out;
}

const conformance = path.resolve(import.meta.dirname, '../../../shared/conformance');
const corpus = [
  ...sieveFiles(path.resolve(import.meta.dirname, '../../examples')),
  ...(statSync(conformance, { throwIfNoEntry: false }) ? sieveFiles(conformance) : []),
];

// Small pieces of Sieve, valid and not, put together at random.
const piece = fc.constantFrom(
  'if',
  'elsif',
  'else',
  'keep',
  'stop',
  'header',
  'anyof',
  'not',
  'true',
  ':contains',
  ':is',
  ':comparator',
  '"subject"',
  '"a\\"b"',
  '["a", "b"]',
  '["x"]',
  '[]',
  '10K',
  '4294967295',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  ',',
  ';',
  'text:\r\nline\r\n..dot\r\n.\r\n',
  '# comment\n',
  '/* c */',
);

describe('the fast reader', () => {
  it('reads every example and conformance script as the grammar does', () => {
    let read = 0;
    for (const file of corpus) {
      const source = readFileSync(file, 'utf8');
      for (const spans of [false, true]) {
        const { direct, grammar } = both(source, spans);
        if (direct === null) continue;
        read++;
        expect(direct, file).toEqual(grammar);
      }
    }
    expect(read).toBeGreaterThan(statSync(conformance, { throwIfNoEntry: false }) ? 200 : 10);
  });

  it('agrees with the grammar on random token soups, or leaves them to it', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), (parts, spans) => {
        const source = parts.join(' ');
        const { direct, grammar } = both(source, spans);
        if (direct !== null) {
          read++;
          expect(direct).toEqual(grammar);
        }
        // Whatever the path, parse() reports what the grammar reports.
        const { diagnostics } = parse(source);
        if (direct === null) expect(diagnostics.length).toBeGreaterThan(0);
        else expect(diagnostics).toEqual([]);
      }),
      { numRuns: 3000 },
    );
    expect(read).toBeGreaterThan(30);
  });

  it('hands each top-level command to onCommand once when it gives up half way', () => {
    const source = 'keep;\r\nstop;\r\nif true { keep; }\r\nfileinto "x" ;;\r\n';
    const seen: string[] = [];
    const { diagnostics } = parse(source, { onCommand: (c) => seen.push(c.name) });
    expect(seen).toEqual(['keep', 'stop', 'if', 'fileinto']);
    expect(diagnostics.map((d) => d.line)).toEqual([4]);
  });

  it('leaves the limits to the grammar', () => {
    const deep = 'if true {'.repeat(40) + '}'.repeat(40);
    expect(parse(deep).diagnostics[0]?.code).toBe('block-nesting-too-deep');
    const many = 'keep ' + '"a" '.repeat(40) + ';';
    expect(parse(many).diagnostics[0]?.code).toBe('too-many-arguments');
    expect(parse('if ' + 'not '.repeat(40) + 'true {}').diagnostics.length).toBeGreaterThan(0);
  });
});
