import {
  mkdirSync,
  mkdtempSync,
  opendirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommand, jsonLines, runCli } from './run-cli.js';
import { listMail, personal, scratch } from './fixtures.js';

function snapshot(dir: string): string[] {
  return ['new', 'cur', 'tmp'].flatMap((sub) =>
    readdirSync(join(dir, sub))
      .sort()
      .map((n) => `${sub}/${n}:${statSync(join(dir, sub, n)).size}:${statSync(join(dir, sub, n)).mtimeMs}`),
  );
}

describe('tamis filter', { timeout: 90_000 }, () => {
  const f = scratch({
    'sort.sieve': [
      'require ["fileinto", "spamtest", "relational", "comparator-i;ascii-numeric"];',
      'if spamtest :value "ge" :comparator "i;ascii-numeric" "8" { fileinto "Junk"; stop; }',
      'if exists "list-id" { fileinto "Lists"; }',
      '',
    ].join('\n'),
    'spam.json': JSON.stringify({ engine: { spamtest: { header: 'X-Spam-Score', max: 15 } } }),
    'bad.sieve': 'if true {',
  });
  const maildir = mkdtempSync(join(tmpdir(), 'tamis-filter-'));
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub));
  writeFileSync(join(maildir, 'new', '1000.a.host'), personal);
  writeFileSync(join(maildir, 'cur', '1001.b.host:2,S'), listMail);
  writeFileSync(join(maildir, 'cur', '1002.c.host:2,'), 'Subject: plain\r\n\r\nx\r\n');
  writeFileSync(join(maildir, 'cur', '.keep'), 'not a message');
  writeFileSync(join(maildir, 'tmp', '1003.d.host'), personal);

  it.concurrent('prints one JSON line per message and changes nothing', async () => {
    const before = snapshot(maildir);
    const r = await runCli(['filter', '--json', '--config', f('spam.json'), f('sort.sieve'), maildir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const byName = new Map(jsonLines(r.stdout).map((l) => [l.message as string, l]));
    expect([...byName.keys()].sort()).toEqual(
      [
        join(maildir, 'cur', '1001.b.host:2,S'),
        join(maildir, 'cur', '1002.c.host:2,'),
        join(maildir, 'new', '1000.a.host'),
      ].sort(),
    );
    expect(byName.get(join(maildir, 'new', '1000.a.host'))!.actions).toEqual([
      { type: 'fileinto', mailbox: 'Junk' },
    ]);
    expect(byName.get(join(maildir, 'cur', '1001.b.host:2,S'))!.actions).toEqual([
      { type: 'fileinto', mailbox: 'Lists' },
    ]);
    expect(byName.get(join(maildir, 'cur', '1002.c.host:2,'))).toMatchObject({
      status: 'ok',
      actions: [{ type: 'keep', mailbox: 'INBOX', implicit: true }],
    });
    expect(snapshot(maildir)).toEqual(before);
  });

  it.concurrent('prints a line per message and a summary in human mode', async () => {
    const r = await runCli(['filter', '--config', f('spam.json'), f('sort.sieve'), maildir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${join(maildir, 'new', '1000.a.host')}: fileinto "Junk"`);
    expect(r.stdout).toContain(`${join(maildir, 'cur', '1002.c.host:2,')}: keep (implicit)`);
    expect(r.stderr).toMatch(/^3 messages; /);
    expect(r.stderr).toContain('stored in Junk: 1');
    expect(r.stderr).toContain('stored in INBOX: 1');
  });

  it.concurrent('refuses a folder that is not a Maildir and a script that does not compile', async () => {
    const notMaildir = await runCli(['filter', f('sort.sieve'), tmpdir()]);
    expect(notMaildir.code).toBe(1);
    expect(notMaildir.stderr).toMatch(/not a Maildir folder/);
    const bad = await runCli(['filter', '--json', f('bad.sieve'), maildir]);
    expect(bad.code).toBe(1);
    expect(jsonLines(bad.stdout)).toEqual([
      { status: 'error', errors: [expect.objectContaining({ line: 1 })] },
    ]);
  });

  // A larger folder: messages of varied sizes, and a file that is listed but cannot be read.
  const big = mkdtempSync(join(tmpdir(), 'tamis-filter-big-'));
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(big, sub));
  for (let i = 0; i < 300; i++) {
    const sub = i % 3 === 0 ? 'new' : 'cur';
    const text = i % 2 ? listMail : personal.replace('Subject:', `X-N: ${'x'.repeat(i * 50)}\r\nSubject:`);
    writeFileSync(join(big, sub, `${2000 + i}.m${i}.host${sub === 'cur' ? ':2,' : ''}`), text);
  }
  // A dangling link: listed as a message, unreadable.
  symlinkSync(join(big, 'nowhere'), join(big, 'cur', '3000.gone.host:2,'));
  // Large messages, one larger than the first read (256 KB), which makes the reader grow its buffer.
  writeFileSync(join(big, 'new', '4000.m1.host'), listMail + 'x'.repeat(200 * 1024) + '\r\n');
  writeFileSync(join(big, 'cur', '4001.m2.host:2,'), personal + 'y'.repeat(600 * 1024) + '\r\n');
  // Not a message: a folder inside cur/ is skipped.
  mkdirSync(join(big, 'cur', '4002.dir.host:2,'));

  it.concurrent('runs over a larger folder in folder order and reports unreadable files', async () => {
    const r = await runCli(['filter', '--json', '--config', f('spam.json'), f('sort.sieve'), big]);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    // Directory order (as opendir gives it), new/ before cur/.
    const order = ['new', 'cur'].flatMap((sub) => {
      const dir = opendirSync(join(big, sub));
      const names: string[] = [];
      for (let e = dir.readSync(); e !== null; e = dir.readSync())
        if (!e.isDirectory()) names.push(join(big, sub, e.name));
      dir.closeSync();
      return names;
    });
    expect(lines.map((l) => l.message)).toEqual(order);
    for (const l of lines) {
      const name = l.message as string;
      if (name.endsWith('3000.gone.host:2,')) {
        expect(l.status).toBe('error');
        expect(JSON.stringify(l.errors)).toContain('ENOENT');
        continue;
      }
      const n = Number(/\.m(\d+)\./.exec(name)![1]);
      expect(l.actions).toEqual([{ type: 'fileinto', mailbox: n % 2 ? 'Lists' : 'Junk' }]);
    }
  });
});

describe('tamis filter on several threads', { timeout: 120_000 }, () => {
  // Worker threads start the built command line; from the sources the main thread runs alone.
  const built = cliCommand()[0] !== '--import';
  const f = scratch({
    'sort.sieve': 'require "fileinto";\nif header :contains "subject" "odd" { fileinto "Odd"; }\n',
  });
  const maildir = mkdtempSync(join(tmpdir(), 'tamis-filter-jobs-'));
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(maildir, sub));
  // More than the 5,000 messages the main thread runs alone before worker threads are started.
  for (let i = 0; i < 5400; i++) {
    const sub = i % 4 === 0 ? 'new' : 'cur';
    writeFileSync(
      join(maildir, sub, `${5000 + i}.m${i}.host${sub === 'cur' ? ':2,' : ''}`),
      `Subject: ${i % 2 ? 'odd' : 'even'} ${i}\r\n\r\nbody ${i}\r\n`,
    );
  }

  it.concurrent(
    'gives the same lines in folder order with one thread, --jobs 2 and the default',
    async () => {
      const one = await runCli(['filter', '--jobs', '1', f('sort.sieve'), maildir]);
      expect(one.code).toBe(0);
      const lines = one.stdout.trim().split('\n');
      expect(lines).toHaveLength(5400);
      for (const line of lines) {
        const n = Number(/\.m(\d+)\./.exec(line)![1]);
        expect(line.endsWith(n % 2 ? ': fileinto "Odd"' : ': keep (implicit)')).toBe(true);
      }
      expect(one.stderr).toMatch(/^5400 messages; stored in INBOX: 2700, stored in Odd: 2700\n$/);
      for (const args of built ? [['--jobs', '2'], ['--jobs', '3'], []] : [[]]) {
        const r = await runCli(['filter', ...args, f('sort.sieve'), maildir]);
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(one.stdout);
        expect(r.stderr).toBe(one.stderr);
      }
    },
  );
});
