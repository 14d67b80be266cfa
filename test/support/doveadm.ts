import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

export const hasDovecot =
  spawnSync('which', ['doveadm']).status === 0 && spawnSync('which', ['dovecot']).status === 0;

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/**
 * A rootless Dovecot over one Maildir, to read back what delivery wrote with Dovecot's own tools.
 * Dovecot refuses uid 0 for mail users, so as root the tree is handed to nobody first.
 */
export async function withDoveadm<T>(
  maildir: string,
  use: (fetch: (fields: string, query?: string) => string, doveadm: (args: string[]) => string) => T,
  options: { conf?: string } = {},
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tamis-dovecot-'));
  const asRoot = process.getuid?.() === 0;
  const me = userInfo();
  const uid = asRoot ? Number(spawnSync('id', ['-u', 'nobody']).stdout.toString()) : me.uid;
  const gid = asRoot ? Number(spawnSync('id', ['-g', 'nobody']).stdout.toString()) : me.gid;
  mkdirSync(join(dir, 'home'));
  if (asRoot) {
    chownTree(maildir, uid, gid);
    chownSync(dirname(maildir), uid, gid);
    // Folders above the home are private to root (data folder 0700): let the mail user pass.
    for (let d = dirname(dirname(maildir)); d.startsWith(tmpdir() + '/'); d = dirname(d)) chmodSync(d, 0o711);
    chownTree(join(dir, 'home'), uid, gid);
  }
  const group = spawnSync('id', ['-gn']).stdout.toString().trim();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run\nstate_dir = ${dir}/state\nlog_path = ${dir}/log\n` +
      `default_internal_user = ${me.username}\ndefault_internal_group = ${group}\nfirst_valid_uid = 1\n` +
      `protocols =\nlisten = 127.0.0.1\nmail_location = maildir:${maildir}\n` +
      `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${dir}/home\n}\n` +
      `passdb {\n  driver = static\n  args = nopassword=y\n}\n` +
      `service anvil {\n  chroot =\n}\nservice auth {\n  user = ${me.username}\n}\n` +
      (options.conf ?? ''),
  );
  const master: ChildProcess = spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
  const fetch = (fields: string, query = 'ALL'): string => {
    const r = spawnSync(
      'doveadm',
      ['-c', conf, 'fetch', '-u', 'testu', fields, 'mailbox', '*', ...query.split(' ')],
      { encoding: 'utf8' },
    );
    return r.stdout + r.stderr;
  };
  const doveadm = (args: string[]): string => {
    const r = spawnSync('doveadm', ['-c', conf, ...args], { encoding: 'utf8' });
    return r.stdout + r.stderr;
  };
  try {
    for (let i = 0; i < 100; i++) {
      const r = spawnSync('doveadm', ['-c', conf, 'mailbox', 'list', '-u', 'testu']);
      if (r.status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return use(fetch, doveadm);
  } finally {
    master.kill('SIGTERM');
    await new Promise((r) => master.once('exit', r));
  }
}
