/** Runs Pigeonhole's sieve-test over one script and message, for differential tests. */
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIEVE_TEST = ['/usr/bin/sieve-test', '/usr/local/bin/sieve-test'].find((p) => existsSync(p)) ?? null;

/** sieve-test refuses to run as root; as root it runs as the unprivileged vmail user. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const r = spawnSync('id', ['-u', 'vmail'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'vmail'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

const user = runAs();

/** Why the oracle cannot run here, or null when it can. */
export const oracleMissing: string | null = !SIEVE_TEST
  ? 'sieve-test (dovecot-sieve) is not installed'
  : process.getuid?.() === 0 && !user
    ? 'running as root without a vmail user for sieve-test'
    : null;

export interface OracleRun {
  /** stdout and stderr together. */
  output: string;
}

/**
 * `execute` adds -e: the result is executed (vacation decides whether to send, nothing leaves
 * the machine: sieve-test prints the message instead of sending it).
 */
export function sieveTest(
  script: string,
  message: string,
  opts: { from: string; to: string; execute?: boolean; extensions?: string },
): OracleRun {
  if (!SIEVE_TEST) throw new Error('sieve-test missing');
  const dir = mkdtempSync(join(tmpdir(), 'tamis-oracle-'));
  try {
    writeFileSync(
      join(dir, 'dovecot.conf'),
      [
        user ? 'mail_uid = vmail\nmail_gid = vmail' : '',
        'first_valid_uid = 0',
        'first_valid_gid = 0',
        `mail_location = maildir:${dir}/Maildir`,
        'plugin {',
        `  sieve_extensions = ${opts.extensions ?? '+vacation-seconds'}`,
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'script.sieve'), script);
    writeFileSync(join(dir, 'message.eml'), message);
    if (user) {
      for (const f of ['', 'dovecot.conf', 'script.sieve', 'message.eml'])
        chownSync(join(dir, f), user.uid, user.gid);
    }
    const args = ['-c', join(dir, 'dovecot.conf'), '-f', opts.from, '-r', opts.to];
    if (opts.execute) args.push('-e');
    args.push(join(dir, 'script.sieve'), join(dir, 'message.eml'));
    const cmd = user ? 'runuser' : SIEVE_TEST;
    const cmdArgs = user ? ['-u', 'vmail', '--', 'env', `HOME=${dir}`, SIEVE_TEST, ...args] : args;
    const r = spawnSync(cmd, cmdArgs, {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, HOME: dir },
      timeout: 20_000,
    });
    if (r.error) throw r.error;
    return { output: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
