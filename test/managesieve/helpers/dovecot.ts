/**
 * Starts a real Dovecot + Pigeonhole ManageSieve server on 127.0.0.1 for interop tests, in a temp directory,
 * on a free port. As root, the master runs as root and every service and mail process runs as `nobody`;
 * otherwise everything runs as the current user. Tests skip when `dovecotAvailable()` is false.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DOVECOT_BIN = '/usr/sbin/dovecot';
const MANAGESIEVE_BIN = '/usr/lib/dovecot/managesieve';

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT_BIN) && existsSync(MANAGESIEVE_BIN);
}

/** Why Dovecot tests are skipped, for the skip message. */
export const dovecotSkipReason = dovecotAvailable()
  ? ''
  : 'Dovecot ManageSieve not installed (apt-get install dovecot-core dovecot-managesieved dovecot-sieve)';

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface DovecotUser {
  user: string;
  /** Stored password value, e.g. `{PLAIN}secret` or a `{SHA512-CRYPT}...` hash. */
  password: string;
}

export interface DovecotOptions {
  users: DovecotUser[];
  /** Enable STARTTLS with a fresh self-signed certificate for localhost/127.0.0.1. */
  tls?: boolean;
  /** Pigeonhole quota settings, e.g. { sieve_max_script_size: '1K', sieve_quota_max_scripts: '8' }. */
  sieveSettings?: Record<string, string>;
  /** SASL mechanisms (default plain login scram-sha-256). */
  mechanisms?: string[];
  /** Offer PLAIN/LOGIN without TLS (default true; loopback only). */
  allowPlaintext?: boolean;
  /** passdb default scheme for unprefixed passwords (default CRYPT, Dovecot's own default). */
  defaultScheme?: string;
  /** Also listen with implicit TLS (needs `tls`); its port is `tlsPort`. */
  implicitTls?: boolean;
  /** Seconds Dovecot waits before answering a failed login (default 0 here; Dovecot's own default is 2). */
  authFailureDelay?: number;
  /** Appended verbatim to the config. */
  extraConfig?: string;
}

export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  /** Implicit-TLS port when `implicitTls` was asked for. */
  tlsPort?: number;
  dir: string;
  usersFile: string;
  /** Process id of the Dovecot master (every login and session process is its child). */
  pid: number;
  /** PEM of the self-signed certificate when tls was requested. */
  certPem?: string;
  /** Where Dovecot keeps a user's scripts (`~/sieve`). */
  sieveDir(user: string): string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  logFile: string,
  timeoutMs = 15000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`dovecot exited with ${child.exitCode}:\n${log}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error('dovecot did not start listening in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function startDovecot(opts: DovecotOptions): Promise<DovecotServer> {
  if (!dovecotAvailable()) throw new Error(dovecotSkipReason);
  const asRoot = process.getuid?.() === 0;
  const account = asRoot ? { user: 'nobody', group: 'nogroup' } : currentAccount();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tamis-dovecot-'));
  await chmod(dir, 0o755);
  const base = path.join(dir, 'base');
  const home = path.join(dir, 'home');
  for (const d of [base, path.join(dir, 'state'), home]) await mkdir(d, { recursive: true });
  const usersFile = path.join(dir, 'users');
  await writeFile(usersFile, opts.users.map((u) => `${u.user}:${u.password}::::::`).join('\n') + '\n', {
    mode: 0o644,
  });
  for (const u of opts.users) await mkdir(path.join(home, u.user), { recursive: true });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', account.user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', account.user], { encoding: 'utf8' }).trim());
    chownSync(home, uid, gid);
    for (const u of opts.users) chownSync(path.join(home, u.user), uid, gid);
  }

  let certPem: string | undefined;
  let tlsConf = 'ssl = no\n';
  if (opts.tls) {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    await chmod(key, 0o644);
    certPem = await readFile(cert, 'utf8');
    tlsConf = `ssl = yes\nssl_cert = <${cert}\nssl_key = <${key}\n`;
  }

  const port = await freePort();
  const tlsPort = opts.tls && opts.implicitTls ? await freePort() : undefined;
  const tlsListener =
    tlsPort !== undefined
      ? `  inet_listener sieves {\n    address = 127.0.0.1\n    port = ${tlsPort}\n    ssl = yes\n  }\n`
      : '';
  const logFile = path.join(dir, 'dovecot.log');
  const sieveSettings = Object.entries(opts.sieveSettings ?? {})
    .map(([k, v]) => `  ${k} = ${v}\n`)
    .join('');
  const conf = `instance_name = tamis-test-${port}
base_dir = ${base}
state_dir = ${path.join(dir, 'state')}
protocols = sieve
listen = 127.0.0.1
${tlsConf}disable_plaintext_auth = ${opts.allowPlaintext === false ? 'yes' : 'no'}
auth_mechanisms = ${(opts.mechanisms ?? ['plain', 'login', 'scram-sha-256']).join(' ')}
log_path = ${logFile}
auth_verbose = yes
auth_failure_delay = ${opts.authFailureDelay ?? 0} secs
default_internal_user = ${account.user}
default_internal_group = ${account.group}
default_login_user = ${account.user}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=${opts.defaultScheme ?? 'CRYPT'} username_format=%u ${usersFile}
}
userdb {
  driver = static
  args = uid=${account.user} gid=${account.group} home=${home}/%u
}
mail_location = maildir:~/Maildir
service anvil {
  chroot =
}
service managesieve-login {
  chroot =
  inet_listener sieve {
    address = 127.0.0.1
    port = ${port}
  }
${tlsListener}}
service auth {
  user = ${account.user}
}
service auth-worker {
  user = ${account.user}
}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
${sieveSettings}}
${opts.extraConfig ?? ''}
`;
  const confFile = path.join(dir, 'dovecot.conf');
  await writeFile(confFile, conf);
  const child = spawn(DOVECOT_BIN, ['-F', '-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    await waitForPort(port, child, logFile);
    if (tlsPort !== undefined) await waitForPort(tlsPort, child, logFile);
  } catch (err) {
    child.kill('SIGKILL');
    running.delete(child);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }

  return {
    host: '127.0.0.1',
    port,
    ...(tlsPort !== undefined ? { tlsPort } : {}),
    dir,
    usersFile,
    pid: child.pid!,
    ...(certPem !== undefined ? { certPem } : {}),
    sieveDir: (user) => path.join(home, user, 'sieve'),
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function currentAccount(): { user: string; group: string } {
  const user = os.userInfo().username;
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { user, group };
}
