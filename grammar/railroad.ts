// Writes docs/diagrams/sieve-grammar.html: railroad diagrams of the Sieve grammar, drawn from
// the parser itself so they cannot drift from what is accepted. Run: npm run diagrams
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { serializedGrammar } from '../src/syntax/parse.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'docs/diagrams/sieve-grammar.html');

const html = createSyntaxDiagramsCode(serializedGrammar()).replace(
  '<div id="diagrams"',
  '<h1>Sieve grammar (RFC 5228 §8)</h1>\n' +
    '<p>Generated from the tamis parser by <code>npm run diagrams</code>. Lexical tokens ' +
    '(identifier, tag, number, quoted-string, multi-line) are described in <a href="../syntax.md">syntax.md</a>.</p>\n' +
    '<div id="diagrams"',
);
// chevrotain's page loads its drawing scripts from a CDN; inline them so the page works offline.
const diagrams = resolve(root, 'node_modules/chevrotain/diagrams/src');
const asset = (rel: string) => readFileSync(resolve(diagrams, rel), 'utf8');
const selfContained = html
  .replace(
    /<link rel='stylesheet' href='[^']*diagrams\.css'>/,
    () => `<style>${asset('../diagrams.css')}</style>`,
  )
  .replace(
    /<script src='[^']*\/diagrams\/([^']+)'><\/script>/g,
    (_, rel: string) => `<script>${asset(`../${rel}`)}</script>`,
  );
if (/unpkg\.com/.test(selfContained)) throw new Error('diagram page still refers to a CDN');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, selfContained);
console.log(`wrote ${out}`);
