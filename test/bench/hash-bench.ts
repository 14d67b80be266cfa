/**
 * Part of section 4 of `npm run bench`: the time to verify one password per scheme, tamis in process
 * next to crypt(3) from the system's libcrypt (what Dovecot calls for the crypt schemes), read through
 * Python's crypt module in the same run.
 */
import { spawnSync } from 'node:child_process';
import { hashPassword, verifyPassword, type HashScheme } from '../../src/accounts/index.js';
import { useJsRounds } from '../../src/accounts/sha-crypt.js';
import { median } from './stats.js';

async function tamisMs(password: string, stored: string, runs: number): Promise<number> {
  await verifyPassword(password, stored);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    if (!(await verifyPassword(password, stored))) throw new Error(`verification failed: ${stored}`);
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Median ms of crypt(3) over `runs` calls, or null when Python's crypt module is not available. */
function libcryptMs(password: string, hash: string, runs: number): number | null {
  const code = `
import crypt, sys, time
pw, h, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
assert crypt.crypt(pw, h) == h
ts = []
for _ in range(n):
    t = time.perf_counter(); crypt.crypt(pw, h); ts.append(time.perf_counter() - t)
ts.sort(); print(ts[len(ts) // 2] * 1000)`;
  const r = spawnSync('python3', ['-W', 'ignore', '-c', code, password, hash, String(runs)], {
    encoding: 'utf8',
  });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

export async function benchHashes(say: (line?: string) => void): Promise<void> {
  const password = 'bench-password';
  const runs = 40;
  const rows: [string, HashScheme, Record<string, number>][] = [
    ['SHA512-CRYPT, 5,000 rounds', 'SHA512-CRYPT', {}],
    ['SHA256-CRYPT, 5,000 rounds', 'SHA256-CRYPT', {}],
    ['BLF-CRYPT, cost 10', 'BLF-CRYPT', { rounds: 10 }],
    ['SCRAM-SHA-256, 4,096 iterations', 'SCRAM-SHA-256', {}],
    ['ARGON2ID, t=3, 64 MiB', 'ARGON2ID', {}],
  ];
  say('#### Password verification, one check');
  say();
  say(
    `Median of ${runs} checks of one password, on one thread; libcrypt is the system's crypt(3), the function Dovecot's`,
  );
  say('crypt schemes call, timed in the same run (–: not a crypt(3) scheme).');
  say();
  say('| scheme | tamis | tamis, JavaScript rounds | libcrypt crypt(3) | tamis ÷ libcrypt |');
  say('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, scheme, options] of rows) {
    const stored = await hashPassword(password, scheme, options);
    const ours = await tamisMs(password, stored, runs);
    let js = NaN;
    if (scheme.endsWith('-CRYPT') && scheme !== 'BLF-CRYPT') {
      useJsRounds(true);
      js = await tamisMs(password, stored, runs);
      useJsRounds(false);
    }
    const value = stored.replace(/^\{[^}]+\}/, '');
    const theirs = scheme.endsWith('-CRYPT') ? libcryptMs(password, value, runs) : null;
    const f = (x: number | null) => (x === null || Number.isNaN(x) ? '–' : `${x.toFixed(2)} ms`);
    say(
      `| ${label} | ${f(ours)} | ${f(js)} | ${f(theirs)} | ${theirs ? `${(ours / theirs).toFixed(2)}×` : '–'} |`,
    );
  }
  say();
}
