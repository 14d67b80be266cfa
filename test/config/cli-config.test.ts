import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { scratch } from '../cli/fixtures.js';

const f = scratch({
  'bad.json': '{"maxRedirect":15,"vacation":{"minPeriod":"abc"}}',
  'good.json': '{"maxRedirects":15,"vacation":{"minPeriod":0}}',
  'keep.sieve': 'keep;\n',
  'm.eml': 'Subject: x\r\n\r\nbody\r\n',
});

describe('tamis test --config', () => {
  it('refuses a wrong type and an unknown key instead of running with them', async () => {
    const r = await runCli(['test', '--config', f('bad.json'), f('keep.sieve'), f('m.eml')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('engine.maxRedirect: unknown setting; did you mean maxRedirects?');
    expect(r.stderr).toContain('engine.vacation.minPeriod: expected a number, got "abc"');
  });

  it('runs with a valid file', async () => {
    const r = await runCli(['test', '--config', f('good.json'), f('keep.sieve'), f('m.eml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('keep');
  });
});
