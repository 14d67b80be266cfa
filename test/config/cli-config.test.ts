import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { scratch } from '../cli/fixtures.js';

const f = scratch({
  'bad.json': '{"engine":{"maxRedirect":15,"vacation":{"minPeriod":"abc"}}}',
  'flat-bad.json': '{"maxRedirect":15,"vacation":{"minPeriod":"abc"}}',
  'good.json': '{"engine":{"maxRedirects":15,"disabled":["fileinto"]},"managesieve":{"listen":":4190"}}',
  'flat.json': '{"maxRedirects":15,"disabled":["fileinto"]}',
  'sections.json': '{"engine":{},"stores":{},"engnie":{},"managesieve":[]}',
  'syntax.json': '{\n  "engine": {\n    "maxActions": 3,\n  }\n}\n',
  'keep.sieve': 'keep;\n',
  'fileinto.sieve': 'require "fileinto";\nfileinto "x";\n',
  'm.eml': 'Subject: x\r\n\r\nbody\r\n',
});
const maildir = f('md');
for (const sub of ['cur', 'new', 'tmp']) mkdirSync(`${maildir}/${sub}`, { recursive: true });
writeFileSync(`${maildir}/cur/1:2,`, 'Subject: x\r\n\r\nbody\r\n');

// The arguments of each command that reads --config, around the file.
const commands: Record<string, (config: string) => string[]> = {
  test: (c) => ['test', '--config', c, f('keep.sieve'), f('m.eml')],
  check: (c) => ['check', '--config', c, f('keep.sieve')],
  filter: (c) => ['filter', '--config', c, f('keep.sieve'), maildir],
};

describe.each(Object.keys(commands))('tamis %s --config', (name) => {
  const run = (config: string) => runCli(commands[name]!(config));

  it.concurrent('refuses a wrong type and an unknown key with exit status 64, listing both', async () => {
    for (const file of ['bad.json', 'flat-bad.json']) {
      const r = await run(f(file));
      expect(r.code).toBe(64);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`tamis ${name}: config ${f(file)}:\n`);
      expect(r.stderr).toContain('  engine.maxRedirect: unknown setting; did you mean maxRedirects?\n');
      expect(r.stderr).toContain('  engine.vacation.minPeriod: expected an integer >= 0, got "abc"\n');
    }
  });

  it.concurrent('refuses unknown, unsupported and malformed sections', async () => {
    const r = await run(f('sections.json'));
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('stores: section "stores" is not supported by this version');
    expect(r.stderr).toContain(
      '"engnie": unknown section (sections: engine, managesieve, delivery, webmail); did you mean engine?',
    );
    expect(r.stderr).toContain('managesieve: expected an object, got an array');
  });

  it.concurrent('says where invalid JSON goes wrong, and that a file is missing', async () => {
    const bad = await run(f('syntax.json'));
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain(
      'not valid JSON at line 4, column 3: expected a key in double quotes, got "}"',
    );
    const missing = await run(f('nope.json'));
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain(
      `config ${f('nope.json')}:\n  cannot read the file: ENOENT (no such file)`,
    );
  });
});

describe('the engine section of the file is the engine the commands use', () => {
  it.concurrent(
    'runs with a valid sectioned file, and still with an old flat one (with a warning)',
    async () => {
      const good = await runCli(['test', '--config', f('good.json'), f('keep.sieve'), f('m.eml')]);
      expect([good.code, good.stderr]).toEqual([0, '']);
      expect(good.stdout).toContain('keep');
      for (const file of ['good.json', 'flat.json']) {
        const r = await runCli(['check', '--config', f(file), f('fileinto.sieve')]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/fileinto/);
      }
      const flat = await runCli(['test', '--config', f('flat.json'), f('keep.sieve'), f('m.eml')]);
      expect(flat.code).toBe(0);
      expect(flat.stderr).toBe(
        `tamis test: warning: config ${f('flat.json')}: engine settings at the top level are deprecated; put them under "engine"\n`,
      );
    },
  );
});
