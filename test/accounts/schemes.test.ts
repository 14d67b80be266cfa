import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  detectCryptScheme,
  hashPassword,
  parseScramSha256,
  shaCrypt,
  splitScheme,
  verifyPassword,
} from '../../src/accounts/index.js';

// Hashes of "secret" made by `doveadm pw` (Dovecot 2.3.19).
const DOVECOT = {
  sha512:
    '{SHA512-CRYPT}$6$rounds=6000$CA1YFEfSbKjgPu.e$09yJ0jFbf4M2i5dCdAmqOolO/ACxWlbib.FQkrUZaaiu.RVJx4JD7fjI5Q.qTcr1pCoGTOb7XP.2nQaqNrF320',
  blf: '{BLF-CRYPT}$2y$05$sV2AQdeGaaE08ObIrAxrBO36lHkopXSM4uZ30R8P.MqzQqCYYLx7O',
  argon2id:
    '{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$gdjTVVd/4Ra4UUeG765ujQ$HHZCt/GyDzTvzA1AYXn6mXMjCVO7aiFYkOINw1D01JE',
  scram:
    '{SCRAM-SHA-256}4096,bszJEogFpTyBca6fukT7Jw==,4FHuKZXiaeAQ1Fy3OwxjS5vdEzt3Vw39JYseqCvtiJ4=,vuFpdjmDjPBTPLKd7lFL0OWNXc/CJ4khRBXovxhBrIM=',
};

describe('SHA-crypt', () => {
  // Vectors from the published SHA-crypt specification.
  it.each([
    [
      '$6$saltstring',
      'Hello world!',
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    ],
    [
      '$6$rounds=10000$saltstringsaltstring',
      'Hello world!',
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    ],
    [
      '$6$rounds=10$roundstoolow',
      'the minimum number is still observed',
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
    ],
    ['$5$saltstring', 'Hello world!', '$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5'],
    [
      '$5$rounds=10000$saltstringsaltstring',
      'Hello world!',
      '$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA',
    ],
  ])('%s', (setting, password, expected) => {
    expect(shaCrypt(password, setting)).toBe(expected);
  });

  it('handles passwords longer than one digest block', () => {
    const h = shaCrypt('x'.repeat(200), '$6$abc');
    expect(shaCrypt('x'.repeat(200), h)).toBe(h);
    expect(shaCrypt('x'.repeat(199), h)).not.toBe(h);
  });
});

describe('verifyPassword', () => {
  it.each(Object.entries(DOVECOT))('accepts Dovecot %s hashes', async (_name, stored) => {
    expect(await verifyPassword('secret', stored)).toBe(true);
    expect(await verifyPassword('Secret', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('PLAIN, CLEAR and unprefixed values', async () => {
    expect(await verifyPassword('pw', '{PLAIN}pw')).toBe(true);
    expect(await verifyPassword('pw', '{CLEAR}pw')).toBe(true);
    expect(await verifyPassword('pw', '{plain}pw')).toBe(true);
    expect(await verifyPassword('pw2', '{PLAIN}pw')).toBe(false);
    expect(await verifyPassword('p', '{PLAIN}pw')).toBe(false);
    // Unprefixed: crypt detection by default, PLAIN on request.
    expect(await verifyPassword('pw', 'pw')).toBe(false);
    expect(await verifyPassword('pw', 'pw', 'PLAIN')).toBe(true);
    expect(await verifyPassword('secret', DOVECOT.sha512.replace('{SHA512-CRYPT}', ''))).toBe(true);
    expect(await verifyPassword('secret', DOVECOT.blf.replace('{BLF-CRYPT}', ''))).toBe(true);
  });

  it('never matches unknown schemes or broken hashes', async () => {
    for (const bad of [
      '{MD5}secret',
      '{NOPE}secret',
      '{SHA512-CRYPT}secret',
      '{SHA512-CRYPT}$5$abc$xyz',
      '{BLF-CRYPT}$2y$05$short',
      '{ARGON2ID}$argon2id$v=19$m=1,t=1,p=1$AAAAAAAAAAA$AAAAAAAA',
      '{ARGON2ID}$argon2id$v=19$m=999999999,t=1,p=1$AAAAAAAAAAA$AAAAAAAA',
      '{ARGON2ID}$argon2i$v=19$m=65536,t=3,p=1$gdjTVVd/4Ra4UUeG765ujQ$HHZCt/GyDzTvzA1AYXn6mXMjCVO7aiFYkOINw1D01JE',
      '{SCRAM-SHA-256}4096,abc',
      '{SCRAM-SHA-256}0,AAAA,AAAA,AAAA',
      '{SCRAM-SHA-256}x,bszJEogFpTyBca6fukT7Jw==,4FHuKZXiaeAQ1Fy3OwxjS5vdEzt3Vw39JYseqCvtiJ4=,vuFpdjmDjPBTPLKd7lFL0OWNXc/CJ4khRBXovxhBrIM=',
      '',
      '{PLAIN}',
    ]) {
      expect(await verifyPassword('secret', bad), bad).toBe(false);
    }
  });
});

describe('hashPassword', () => {
  it.each(['SHA512-CRYPT', 'SHA256-CRYPT', 'BLF-CRYPT', 'ARGON2ID', 'SCRAM-SHA-256', 'PLAIN'] as const)(
    '%s round-trips',
    async (scheme) => {
      const opts =
        scheme === 'ARGON2ID' ? { memoryKiB: 1024, rounds: 1 } : scheme === 'BLF-CRYPT' ? { rounds: 4 } : {};
      const h = await hashPassword('pä55 wörd', scheme, opts);
      expect(splitScheme(h).scheme).toBe(scheme);
      expect(await verifyPassword('pä55 wörd', h)).toBe(true);
      expect(await verifyPassword('pa55 word', h)).toBe(false);
      if (scheme !== 'PLAIN') expect(h).not.toBe(await hashPassword('pä55 wörd', scheme, opts));
    },
  );

  it('writes rounds= when asked and uses $2y$ for bcrypt', async () => {
    expect(await hashPassword('x', 'SHA512-CRYPT', { rounds: 2000 })).toMatch(
      /^\{SHA512-CRYPT\}\$6\$rounds=2000\$/,
    );
    expect(await hashPassword('x', 'BLF-CRYPT', { rounds: 4 })).toMatch(/^\{BLF-CRYPT\}\$2y\$04\$/);
  });

  it('refuses PLAIN passwords that cannot be stored', async () => {
    await expect(hashPassword('a:b', 'PLAIN')).rejects.toThrow();
    await expect(hashPassword('a\nb', 'PLAIN')).rejects.toThrow();
  });

  it('parses SCRAM values and detects crypt prefixes', () => {
    const c = parseScramSha256(splitScheme(DOVECOT.scram).value)!;
    expect(c.iterations).toBe(4096);
    expect(c.storedKey).toHaveLength(32);
    expect(detectCryptScheme('$2b$10$...')).toBe('BLF-CRYPT');
    expect(detectCryptScheme('$1$abc$def')).toBeNull();
  });

  const doveadm = existsSync('/usr/bin/doveadm') && spawnSync('/usr/bin/doveadm', ['pw', '-l']).status === 0;
  it.skipIf(!doveadm)('Dovecot accepts the hashes we write (doveadm pw -t)', async () => {
    for (const scheme of [
      'SHA512-CRYPT',
      'SHA256-CRYPT',
      'BLF-CRYPT',
      'ARGON2ID',
      'SCRAM-SHA-256',
    ] as const) {
      const h = await hashPassword('s3cret!', scheme, scheme === 'BLF-CRYPT' ? { rounds: 4 } : {});
      const out = execFileSync('/usr/bin/doveadm', ['pw', '-t', h, '-p', 's3cret!'], { encoding: 'utf8' });
      expect(out, scheme).toContain('(verified)');
      const bad = spawnSync('/usr/bin/doveadm', ['pw', '-t', h, '-p', 'wrong']);
      expect(bad.status, scheme).not.toBe(0);
    }
  });

  it.skipIf(!doveadm)(
    'Dovecot accepts our SHA-crypt with rounds= and long or non-ASCII passwords',
    async () => {
      for (const scheme of ['SHA512-CRYPT', 'SHA256-CRYPT'] as const) {
        for (const [rounds, password] of [
          [1000, 'a'],
          [5001, 'mot de passe éprouvé'],
          [12345, 'x'.repeat(70)],
          [2000, 'ü'.repeat(65)],
        ] as const) {
          const h = await hashPassword(password, scheme, { rounds });
          const out = execFileSync('/usr/bin/doveadm', ['pw', '-t', h, '-p', password], { encoding: 'utf8' });
          expect(out, `${scheme} ${rounds}`).toContain('(verified)');
        }
      }
    },
  );
});
