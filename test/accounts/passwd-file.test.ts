import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hashPassword,
  parsePasswdFile,
  PasswdFileDirectory,
  upsertPasswdEntry,
} from '../../src/accounts/index.js';

const SCRAM =
  '{SCRAM-SHA-256}4096,bszJEogFpTyBca6fukT7Jw==,4FHuKZXiaeAQ1Fy3OwxjS5vdEzt3Vw39JYseqCvtiJ4=,vuFpdjmDjPBTPLKd7lFL0OWNXc/CJ4khRBXovxhBrIM=';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tamis-passwd-'));
  file = path.join(dir, 'users');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parsePasswdFile', () => {
  it('reads fields, comments, blank lines and extra fields', () => {
    const { entries, errors } = parsePasswdFile(
      [
        '# comment',
        '',
        '   ',
        'alice:{PLAIN}secret:1000:1000:Alice A:/home/alice:/bin/sh:userdb_quota_rule=*:storage=1G nologin',
        'bob:{PLAIN}pw',
        ':nouser',
        'bad user:{PLAIN}x',
        'carol:{PLAIN}c\r',
      ].join('\n'),
    );
    expect(errors).toHaveLength(2);
    expect(entries.map((e) => e.user)).toEqual(['alice', 'bob', 'carol']);
    const a = entries[0]!;
    expect(a).toMatchObject({
      password: '{PLAIN}secret',
      uid: '1000',
      gid: '1000',
      gecos: 'Alice A',
      home: '/home/alice',
    });
    expect(a.extra).toEqual({ userdb_quota_rule: '*:storage=1G', nologin: '' });
    expect(entries[1]).toMatchObject({ password: '{PLAIN}pw', home: '' });
    expect(entries[2]!.password).toBe('{PLAIN}c');
  });
});

describe('PasswdFileDirectory', () => {
  it('verifies passwords, knows users and homes, gives SCRAM credentials', async () => {
    await writeFile(
      file,
      [
        `alice:${SCRAM}::::/srv/alice::`,
        'bob:{PLAIN}pw::::::userdb_home=/srv/bob',
        'carol:nocrypt',
        'dave:',
        'erin:{PLAIN}pw::::::nologin',
        'bob:{PLAIN}other',
      ].join('\n') + '\n',
    );
    const d = new PasswdFileDirectory(file);
    expect(await d.verifyPassword('alice', 'secret')).toBe(true);
    expect(await d.verifyPassword('alice', 'nope')).toBe(false);
    expect(await d.verifyPassword('bob', 'pw')).toBe(true);
    expect(await d.verifyPassword('bob', 'other')).toBe(false); // first line wins
    expect(await d.verifyPassword('carol', 'nocrypt')).toBe(false); // unprefixed + CRYPT default
    expect(
      await new PasswdFileDirectory(file, { defaultScheme: 'PLAIN' }).verifyPassword('carol', 'nocrypt'),
    ).toBe(true);
    expect(await d.verifyPassword('dave', '')).toBe(false);
    expect(await d.verifyPassword('erin', 'pw')).toBe(false);
    expect(await d.verifyPassword('nobody', 'pw')).toBe(false);
    expect(await d.verifyPassword('ALICE', 'secret')).toBe(false);
    expect(await d.exists('alice')).toBe(true);
    expect(await d.exists('nobody')).toBe(false);
    expect(await d.home('alice')).toBe('/srv/alice');
    expect(await d.home('bob')).toBe('/srv/bob');
    expect(await d.home('carol')).toBeNull();
    expect(await d.home('nobody')).toBeNull();
    expect((await d.scramSha256('alice'))?.iterations).toBe(4096);
    expect(await d.scramSha256('bob')).toBeNull();
    expect(await d.scramSha256('nobody')).toBeNull();
    expect(d.errors.join()).toContain('duplicate');
  });

  it('treats a missing file as no users and picks up changes', async () => {
    const d = new PasswdFileDirectory(file);
    expect(await d.exists('alice')).toBe(false);
    await writeFile(file, 'alice:{PLAIN}one\n');
    expect(await d.verifyPassword('alice', 'one')).toBe(true);
    // Same size, different content, mtime moved explicitly: must reload.
    await writeFile(file, 'alice:{PLAIN}two\n');
    const t = new Date(Date.now() + 5000);
    await utimes(file, t, t);
    expect(await d.verifyPassword('alice', 'two')).toBe(true);
    expect(await d.verifyPassword('alice', 'one')).toBe(false);
    await rm(file);
    expect(await d.exists('alice')).toBe(false);
  });
});

describe('upsertPasswdEntry', () => {
  const entry = (user: string, password: string, home = '') => ({
    user,
    password,
    uid: '',
    gid: '',
    gecos: '',
    home,
    shell: '',
    extra: {},
  });

  it('creates the file with mode 0600 and replaces entries keeping other lines', async () => {
    expect(await upsertPasswdEntry(file, entry('alice', '{PLAIN}a'))).toBe('added');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, '# users\nalice:{PLAIN}a\nbob:{PLAIN}b:1:2:Bob::/bin/sh:x=y\nalice:{PLAIN}dup\n');
    expect(
      await upsertPasswdEntry(file, entry('alice', await hashPassword('new', 'SHA512-CRYPT'), '/h/a')),
    ).toBe('replaced');
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('# users');
    expect(lines[1]).toMatch(/^alice:\{SHA512-CRYPT\}\$6\$.*::::\/h\/a::$/);
    expect(lines[2]).toBe('bob:{PLAIN}b:1:2:Bob::/bin/sh:x=y');
    expect(lines).toHaveLength(3);
    const d = new PasswdFileDirectory(file);
    expect(await d.verifyPassword('alice', 'new')).toBe(true);
    expect(await d.home('alice')).toBe('/h/a');
  });

  it('refuses values that would break the file', async () => {
    await expect(upsertPasswdEntry(file, entry('a:b', '{PLAIN}x'))).rejects.toThrow();
    await expect(upsertPasswdEntry(file, entry('a b', '{PLAIN}x'))).rejects.toThrow();
    await expect(upsertPasswdEntry(file, entry('', '{PLAIN}x'))).rejects.toThrow();
    await expect(upsertPasswdEntry(file, entry('a', '{PLAIN}x', '/a:b'))).rejects.toThrow();
    await expect(upsertPasswdEntry(file, entry('a', '{PLAIN}x\nroot:{PLAIN}y'))).rejects.toThrow();
  });
});

describe('PasswdFileDirectory with an auth cache', () => {
  it('forgets a cached success when the user line changes', async () => {
    await writeFile(file, 'alice:{PLAIN}one\nbob:{PLAIN}b\n');
    const d = new PasswdFileDirectory(file, {
      authCache: { size: 10, ttlMs: 60_000, negativeTtlMs: 60_000 },
    });
    expect(await d.verifyPassword('alice', 'one')).toBe(true);
    expect(await d.verifyPassword('alice', 'two')).toBe(false);
    await writeFile(file, 'alice:{PLAIN}two\nbob:{PLAIN}b\n');
    const t = new Date(Date.now() + 5000);
    await utimes(file, t, t);
    expect(await d.verifyPassword('alice', 'one')).toBe(false);
    expect(await d.verifyPassword('alice', 'two')).toBe(true);
    expect(await d.verifyPassword('bob', 'b')).toBe(true);
  });
});
