import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';

// Pigeonhole's test suite, kept next to the repository (not part of it).
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const suite = resolve(repoRoot, '../shared/conformance/pigeonhole/tests');
const present = existsSync(suite);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.(sieve|svtest)$/.test(name) ? [path] : [];
  });
}

// Folders whose scripts are broken on purpose.
const BROKEN = /(^|\/)(errors|failures|recover)\//;

describe.skipIf(!present)('Pigeonhole test scripts', () => {
  if (!present) console.warn(`skipping: ${suite} not found`);
  const files = present ? walk(suite) : [];

  it('finds the scripts', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('parses every valid script without errors', () => {
    const failures: string[] = [];
    for (const file of files) {
      const rel = relative(suite, file);
      if (BROKEN.test(rel)) continue;
      const { diagnostics } = parse(readFileSync(file, 'utf8'));
      for (const d of diagnostics) failures.push(`${rel}:${d.line}:${d.column}: ${d.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('never throws on the broken ones', () => {
    for (const file of files.filter((f) => BROKEN.test(relative(suite, f)))) {
      const r = parse(readFileSync(file, 'utf8'));
      expect(r.ast.type).toBe('script');
    }
  });

  it('finds the syntax errors of compile/recover', () => {
    const read = (name: string) =>
      parse(readFileSync(join(suite, 'compile/recover', name), 'utf8')).diagnostics.map(
        (d) => `${d.line}: ${d.message}`,
      );
    expect(read('tests-endcomma.sieve')).toEqual([
      "4: expected a test after ',' in the test list of anyof",
      "12: expected a test after ',' in the test list of anyof",
    ]);
    expect(read('commands-endblock.sieve')).toEqual([
      '4: missing semicolon after keep command',
      "10: expected ';' or '{' after keep command, found ','",
      '24: missing semicolon after discard command',
    ]);
    // Here each missing ';' makes the next command a test of `keep`: valid syntax, left to the compiler.
    expect(read('commands-semicolon.sieve')).toEqual([]);
  });

  it('finds the syntax errors of compile/errors/parser.sieve', () => {
    const r = parse(readFileSync(join(suite, 'compile/errors/parser.sieve'), 'utf8'));
    expect(r.diagnostics.map((d) => `${d.line}: ${d.message}`)).toEqual([
      '9: too many arguments for frop command (limit 32)',
      "15: unexpected characters starting with '$'",
      "15: expected ';' or '{' after friep command, found unknown characters",
      '22: blocks nested too deeply (limit 32)',
      '40: tests nested too deeply (limit 32)',
      '65: tests nested too deeply (limit 32)',
      "76: unexpected characters starting with '$'",
      "76: expected ';' or '{' after frop command, found unknown characters",
    ]);
  });
});
