import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool, HashPoolBusyError, PasswdFileDirectory, shaCrypt } from '../../src/accounts/index.js';
import { useJsRounds } from '../../src/accounts/sha-crypt.js';

const ROOT = join(import.meta.dirname, '../..');
// "secret", as `doveadm pw -s SHA512-CRYPT` writes it.
const SECRET =
  '{SHA512-CRYPT}$6$rounds=6000$CA1YFEfSbKjgPu.e$09yJ0jFbf4M2i5dCdAmqOolO/ACxWlbib.FQkrUZaaiu.RVJx4JD7fjI5Q.qTcr1pCoGTOb7XP.2nQaqNrF320';
// Slow enough (about 0.1 s) that a check on the main thread would visibly stop it.
const SLOW = `{SHA512-CRYPT}${shaCrypt('pw', '$6$rounds=200000$slowsalt')}`;

const pools: HashPool[] = [];
const pool = (o?: ConstructorParameters<typeof HashPool>[0]) => {
  const p = new HashPool(o);
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('HashPool', () => {
  it('gives the same answers as verifyPassword', async () => {
    const p = pool({ size: 2 });
    expect(await p.verify('secret', SECRET)).toBe(true);
    expect(await p.verify('Secret', SECRET)).toBe(false);
    expect(await p.verify('', SECRET)).toBe(false);
    expect(await p.verify('pw', '{PLAIN}pw')).toBe(true);
    expect(await p.verify('x', '{NOPE}x')).toBe(false);
  });

  it('keeps the event loop free while hashes are checked', async () => {
    const p = pool({ size: 2 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const results = await Promise.all([1, 2, 3, 4].map(() => p.verify('pw', SLOW)));
    clearInterval(timer);
    expect(results).toEqual([true, true, true, true]);
    // Four 0.1 s checks on this thread would leave no room for the timer at all.
    expect(ticks).toBeGreaterThan(20);
  });

  it('refuses checks beyond its queue at once', async () => {
    const p = pool({ size: 1, maxQueue: 1 });
    const first = p.verify('pw', SLOW);
    const second = p.verify('pw', SLOW);
    await expect(p.verify('pw', SLOW)).rejects.toBeInstanceOf(HashPoolBusyError);
    expect(await first).toBe(true);
    expect(await second).toBe(true);
  });

  it('refuses a check that waited too long for a worker', async () => {
    const p = pool({ size: 1, maxWaitMs: 20 });
    const first = p.verify('pw', SLOW);
    await expect(p.verify('pw', SLOW)).rejects.toBeInstanceOf(HashPoolBusyError);
    expect(await first).toBe(true);
  });

  it('serves a passwd-file directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tamis-pool-'));
    writeFileSync(join(dir, 'users'), `alice:${SECRET}::::::\n`);
    const d = new PasswdFileDirectory(join(dir, 'users'), { hashPool: pool({ size: 1 }) });
    expect(await d.verifyPassword('alice', 'secret')).toBe(true);
    expect(await d.verifyPassword('alice', 'nope')).toBe(false);
    expect(await d.verifyPassword('bob', 'secret')).toBe(false);
  });

  it.skipIf(!existsSync(join(ROOT, 'dist/accounts.js')))('finds its worker in the package build', () => {
    for (const [file, load] of [
      ['dist/accounts.js', 'import'],
      ['dist/accounts.cjs', 'require'],
    ]) {
      const script = `(async () => {
        const { HashPool } = await ${load}(${JSON.stringify(join(ROOT, file))});
        const p = new HashPool({ size: 1 });
        console.log(await p.verify('secret', ${JSON.stringify(SECRET)}), await p.verify('x', ${JSON.stringify(SECRET)}));
        await p.close();
      })();`;
      const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(out.trim()).toBe('true false');
    }
  });
});

describe('SHA-crypt rounds', () => {
  it('WebAssembly and JavaScript agree for every password and salt length', () => {
    for (let n = 0; n < 160; n += 7) {
      const password = 'é'.repeat(n % 13) + 'p'.repeat(n);
      const salt = 'abcdefghijklmnop'.slice(0, n % 17);
      for (const id of ['5', '6']) {
        const setting = `$${id}$rounds=1000$${salt}`;
        const wasm = shaCrypt(password, setting);
        useJsRounds(true);
        try {
          expect(shaCrypt(password, setting)).toBe(wasm);
        } finally {
          useJsRounds(false);
        }
      }
    }
  });
});
