import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand, jsonLines, runCli } from './run-cli.js';
import { listMail, personal, scratch } from './fixtures.js';

const f = scratch({
  'spam-before.sieve': [
    'require ["spamtest", "fileinto", "relational", "comparator-i;ascii-numeric"];',
    'if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "Junk"; stop; }',
    '',
  ].join('\n'),
  'sort.sieve': [
    'require ["fileinto", "copy"];',
    'if header :contains "list-id" "dev.lists.example.net" { fileinto "Lists/dev"; stop; }',
    'redirect :copy "boss@example.com";',
    '',
  ].join('\n'),
  'seen-after.sieve': 'require "imap4flags";\naddflag "\\\\Seen";\n',
  'runtime-error.sieve': 'require "variables";\nset "a" "not an address";\nredirect "${a}";\n',
  'bad.sieve': 'require "fileinto";\nfileinto;\n',
  'spam.json': JSON.stringify({ spamtest: { header: 'X-Spam-Score', max: 15 } }),
  'personal.eml': personal,
  'list.eml': listMail,
});

describe('tamis test and filter with --before and --after', { timeout: 90_000 }, () => {
  it.concurrent('a before-script that files the message ends the sequence', async () => {
    const r = await runCli([
      'test',
      '--json',
      '--config',
      f('spam.json'),
      '--before',
      f('spam-before.sieve'),
      f('sort.sieve'),
      f('personal.eml'),
      f('list.eml'),
    ]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((l) => l.actions)).toEqual([
      [{ type: 'fileinto', mailbox: 'Junk' }],
      [{ type: 'fileinto', mailbox: 'Lists/dev' }],
    ]);
  });

  it.concurrent('after-scripts run, in order, while the keep is in force', async () => {
    const r = await runCli([
      'test',
      '--after',
      f('seen-after.sieve'),
      '--after',
      f('sort.sieve'),
      f('sort.sieve'),
      f('personal.eml'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `${f('personal.eml')}:`,
        ' actions:',
        '  redirect: send to <boss@example.com> (copy)',
        ' implicit keep: store in "INBOX" with flags \\Seen',
        '',
      ].join('\n'),
    );
  });

  it.concurrent('names the script a run-time error is in, and keeps the message', async () => {
    const args = ['--before', f('runtime-error.sieve'), f('sort.sieve'), f('personal.eml')];
    const j = await runCli(['test', '--json', ...args]);
    expect(j.code).toBe(1);
    const [line] = jsonLines(j.stdout);
    expect(line).toMatchObject({ status: 'error', actions: [{ type: 'keep', implicit: true }] });
    expect(line!.errors).toEqual([expect.objectContaining({ line: 3, script: f('runtime-error.sieve') })]);
    const h = await runCli(['test', ...args]);
    expect(h.stdout).toContain(` run-time error: ${f('runtime-error.sieve')}:3:`);
    expect(h.stdout).toContain('redirect "${a}";');
  });

  it.concurrent(
    'traces each script under its name, and refuses a before-script that does not compile',
    async () => {
      const r = await runCli([
        'test',
        '--trace',
        '--after',
        f('seen-after.sieve'),
        f('sort.sieve'),
        f('list.eml'),
      ]);
      // sort.sieve stops after filing: the after-script does not run.
      expect(r.stdout).toContain(`  ${f('sort.sieve')}:\n`);
      expect(r.stdout).not.toContain(`  ${f('seen-after.sieve')}:\n`);
      const p = await runCli([
        'test',
        '--trace',
        '--after',
        f('seen-after.sieve'),
        f('sort.sieve'),
        f('personal.eml'),
      ]);
      expect(p.stdout).toMatch(new RegExp(`  ${f('seen-after.sieve')}:\\n +2: addflag`));
      const j = await runCli([
        'test',
        '--json',
        '--trace',
        '--after',
        f('seen-after.sieve'),
        f('sort.sieve'),
        f('personal.eml'),
      ]);
      const trace = jsonLines(j.stdout)[0]!.trace as Array<{ name: string; script: string }>;
      expect(trace.at(-1)).toMatchObject({ name: 'addflag', script: f('seen-after.sieve') });
      expect(trace[0]).toMatchObject({ script: f('sort.sieve') });
      const bad = await runCli(['test', '--before', f('bad.sieve'), f('sort.sieve'), f('personal.eml')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(`${f('bad.sieve')}:2:1: `);
      expect(bad.stdout).toBe('');
    },
  );

  it.concurrent('tamis filter runs the sequence over a folder, also in worker threads', async () => {
    const maildir = mkdtempSync(join(tmpdir(), 'tamis-seq-'));
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub));
    writeFileSync(join(maildir, 'new', '1000.a.host'), personal);
    writeFileSync(join(maildir, 'cur', '1001.b.host:2,S'), listMail);
    const args = ['--config', f('spam.json'), '--before', f('spam-before.sieve'), f('sort.sieve'), maildir];
    // Worker threads start the built command line; from the sources only one thread can run.
    const built = cliCommand()[0] !== '--import';
    for (const jobs of built ? ['1', '2'] : ['1']) {
      const r = await runCli(['filter', '--json', '--jobs', jobs, ...args]);
      expect(r.code).toBe(0);
      const actions = jsonLines(r.stdout).map((l) => l.actions);
      expect(actions).toEqual([
        [{ type: 'fileinto', mailbox: 'Junk' }],
        [{ type: 'fileinto', mailbox: 'Lists/dev' }],
      ]);
    }
  });
});
