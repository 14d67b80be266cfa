import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';
import { scratch } from './fixtures.js';

describe('tamis check', { timeout: 90_000 }, () => {
  const f = scratch({
    'good.sieve': 'require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n',
    'bad.sieve': 'require "fileinto";\nif heder :contains "subject" "x" {\n\tfileinto :copy "y";\n}\n',
    'warn.sieve': 'if header :is "bad name:" "x" { discard; }\n',
    'broken.sieve': 'if header :is "a" "b" {\n  keep;\n',
    'binary.sieve': Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b, 0x7d]).toString('latin1'),
  });

  it.concurrent('exits 0 and prints nothing for a valid script', async () => {
    const r = await runCli(['check', f('good.sieve')]);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it.concurrent('reports each error with file:line:col, the source line and a caret', async () => {
    const r = await runCli(['check', f('good.sieve'), f('bad.sieve')]);
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n');
    const at = lines.findIndex((l) => l.startsWith(`${f('bad.sieve')}:2:4: unknown test 'heder'`));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines[at + 1]).toBe('  if heder :contains "subject" "x" {');
    expect(lines[at + 2]).toBe('     ^');
    expect(r.stderr).toContain(`${f('bad.sieve')}:3:11: `);
    expect(r.stderr).toMatch(/:copy/);
  });

  it.concurrent('prints warnings without failing', async () => {
    const r = await runCli(['check', f('warn.sieve')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${f('warn.sieve')}:1:15: warning: `);
    expect(r.stderr).toContain('^');
  });

  it.concurrent('fails on unterminated blocks, binary junk and missing files', async () => {
    const r = await runCli(['check', f('broken.sieve'), f('binary.sieve'), f('missing.sieve')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${f('broken.sieve')}:`);
    expect(r.stderr).toContain(`${f('binary.sieve')}:1:`);
    expect(r.stderr).toContain(`${f('missing.sieve')}: cannot read script: ENOENT`);
  });

  it.concurrent('needs at least one script', async () => {
    const r = await runCli(['check']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/missing required argument/);
  });
});
