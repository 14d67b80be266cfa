/**
 * The two delivery agents the delivery bench compares, set up over the same users and scripts:
 * the real `tamis lmtp` process, and Dovecot's lmtp with Pigeonhole in a scratch folder (the master
 * started here, nothing installed system-wide). As root, Dovecot's mail processes run as `nobody`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { freePort } from '../managesieve/helpers/dovecot.js';

export const DOVECOT_LMTP = '/usr/lib/dovecot/lmtp';
export const DOVECOT_LDA = '/usr/lib/dovecot/dovecot-lda';

/** Why the Dovecot side cannot run here, or null. */
export function dovecotLmtpProblem(): string | null {
  if (!existsSync('/usr/sbin/dovecot') || !existsSync(DOVECOT_LMTP))
    return 'Dovecot lmtp not installed (apt-get install dovecot-lmtpd dovecot-sieve)';
  if (!existsSync('/usr/lib/dovecot/modules/lib90_sieve_plugin.so'))
    return 'Pigeonhole (dovecot-sieve) missing';
  return null;
}

/** Waits until the service answers with an LMTP greeting (the child still running). */
async function waitForGreeting(port: number, child: ChildProcess, what: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${what()}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port });
      s.setEncoding('latin1');
      s.once('data', (d: string) => {
        s.destroy();
        resolve(d.startsWith('220'));
      });
      s.once('error', () => resolve(false));
    });
    if (greeted) return;
    if (Date.now() > deadline) throw new Error(`no LMTP greeting on ${port} in time: ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Peer {
  port: number;
  pid: number;
  /** Every user's Maildir root. */
  maildir(user: string): string;
  stop(): Promise<void>;
}

/** Writes a user's active script the way ManageSieve does: sieve/NAME.sieve and a .dovecot.sieve link. */
export function installScript(home: string, source: string): void {
  mkdirSync(join(home, 'sieve'), { recursive: true });
  writeFileSync(join(home, 'sieve', 'rules.sieve'), source);
  symlinkSync('sieve/rules.sieve', join(home, '.dovecot.sieve'));
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** `tamis lmtp`, the built CLI, over `<dir>/home/<user>`; the spam rule as shipped. */
export async function startTamisLmtp(
  cliPath: string,
  dir: string,
  users: string[],
  script: string,
  nodeArgs: string[] = [],
): Promise<Peer> {
  mkdirSync(join(dir, 'home'), { recursive: true });
  writeFileSync(join(dir, 'users'), users.map((u) => `${u}:{PLAIN}x::::::\n`).join(''));
  for (const u of users) installScript(join(dir, 'home', u), script);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ delivery: { dataDir: dir, logFile: join(dir, 'lmtp.log') } }),
  );
  const child = spawn(
    process.execPath,
    [...nodeArgs, cliPath, 'lmtp', '--config', join(dir, 'config.json'), '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await waitForGreeting(port, child, () => stderr);
  return {
    port,
    pid: child.pid!,
    maildir: (u) => join(dir, 'home', u, 'Maildir'),
    stop: () => stopChild(child),
  };
}

/**
 * Pigeonhole's spamtest reading the same score tamis reads: the first number in the brackets of
 * X-Spamd-Result, with the threshold as the maximum, so `:percent` reaches 100 at the threshold.
 */
export const DOVECOT_SPAMTEST = [
  'sieve_extensions = +spamtest +spamtestplus',
  'sieve_spamtest_status_type = score',
  'sieve_spamtest_status_header = X-Spamd-Result: [^[]*[[] *(-?[0-9]+[.][0-9]+)',
  'sieve_spamtest_max_value = 4.5',
];

export interface DovecotPeer extends Peer {
  /** The configuration file, for dovecot-lda -c. */
  conf: string;
}

/** Dovecot's lmtp + Pigeonhole with `before` as sieve_before, mail_fsync at its default (optimized). */
export async function startDovecotLmtp(
  dir: string,
  users: string[],
  script: string,
  before: string,
): Promise<DovecotPeer> {
  const asRoot = process.getuid?.() === 0;
  const id = (flag: string, name?: string) =>
    Number(execFileSync('id', [flag, ...(name ? [name] : [])], { encoding: 'utf8' }).trim());
  const uid = asRoot ? id('-u', 'nobody') : id('-u');
  const gid = asRoot ? id('-g', 'nobody') : id('-g');
  const account = asRoot
    ? { user: 'nobody', group: execFileSync('id', ['-gn', 'nobody'], { encoding: 'utf8' }).trim() }
    : {
        user: execFileSync('id', ['-un'], { encoding: 'utf8' }).trim(),
        group: execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim(),
      };
  for (const d of ['base', 'state', 'home']) mkdirSync(join(dir, d), { recursive: true });
  const usersFile = join(dir, 'users');
  writeFileSync(
    usersFile,
    users.map((u) => `${u}:{PLAIN}x:${uid}:${gid}::${join(dir, 'home', u)}::\n`).join(''),
  );
  for (const u of users) installScript(join(dir, 'home', u), script);
  const beforeFile = join(dir, 'spam-before.sieve');
  writeFileSync(beforeFile, before);
  if (asRoot) chownTree(join(dir, 'home'), uid, gid);
  // Pigeonhole writes the compiled before-script next to it: let the mail user do so.
  chownSync(dir, uid, gid);
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  const log = join(dir, 'dovecot.log');
  writeFileSync(
    conf,
    `instance_name = tamis-bench-lmtp-${port}
base_dir = ${dir}/base
state_dir = ${dir}/state
log_path = ${log}
protocols = lmtp
listen = 127.0.0.1
ssl = no
default_internal_user = ${account.user}
default_internal_group = ${account.group}
default_login_user = ${account.user}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = username_format=%n ${usersFile}
}
userdb {
  driver = passwd-file
  args = username_format=%n ${usersFile}
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
protocol lmtp {
  mail_plugins = sieve
}
protocol lda {
  mail_plugins = sieve
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${port}
  }
}
service anvil {
  chroot =
}
service auth {
  user = ${account.user}
}
service auth-worker {
  user = ${account.user}
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_before = ${beforeFile}
${DOVECOT_SPAMTEST.map((l) => `  ${l}\n`).join('')}}
`,
  );
  const child = spawn('/usr/sbin/dovecot', ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const logText = () => stderr + (existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '');
  await waitForGreeting(port, child, logText);
  return {
    port,
    pid: child.pid!,
    conf,
    maildir: (u) => join(dir, 'home', u, 'Maildir'),
    stop: () => stopChild(child),
  };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/** Messages per folder (`user/INBOX`, `user/.Junk`, …) in new/ and cur/, folders holding any. */
export function countFolders(peer: Peer, users: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const count = (dir: string) =>
    ['new', 'cur'].reduce((n, sub) => {
      try {
        return n + readdirSync(join(dir, sub)).length;
      } catch {
        return n;
      }
    }, 0);
  for (const u of users) {
    const root = peer.maildir(u);
    if (!existsSync(root)) continue;
    const folders = ['', ...readdirSync(root).filter((e) => e.startsWith('.') && e !== '..')];
    for (const f of folders) {
      const n = count(join(root, f));
      if (n > 0) out.set(`${u}/${f || 'INBOX'}`, n);
    }
  }
  return out;
}

/** The folders whose counts differ, as `folder: a vs b` lines (empty when the same). */
export function folderDifferences(a: Map<string, number>, b: Map<string, number>): string[] {
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? 0} vs ${b.get(k) ?? 0}`);
}
