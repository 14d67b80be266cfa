// Writes docs/diagrams/sieve-grammar.html: railroad diagrams of the Sieve grammar, drawn from
// the parser itself so they cannot drift from what is accepted. Run: npm run diagrams
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { serializedGrammar } from '../src/syntax/parser.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'docs/diagrams/sieve-grammar.html');

const html = createSyntaxDiagramsCode(serializedGrammar()).replace(
  '<div id="diagrams"',
  '<h1>Sieve grammar (RFC 5228 §8)</h1>\n' +
    '<p>Generated from the tamis parser by <code>npm run diagrams</code>. Lexical tokens ' +
    '(identifier, tag, number, quoted-string, multi-line) are described in <a href="../syntax.md">syntax.md</a>.</p>\n' +
    '<div id="diagrams"',
);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
console.log(`wrote ${out}`);
