/**
 * Runs Dovecot Pigeonhole's command-line tools (sieve-test, sievec, sieve-filter) as a reference.
 * They refuse to run as root, so they run as the `vmail` user through runuser, in a scratch
 * directory that user owns. Everything here is for tests and benchmarks only.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Action } from '../../src/runtime/result.js';

export const ORACLE_USER = 'vmail';

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** Why the Pigeonhole tools cannot be used here, or null when they can. */
export function pigeonholeUnavailable(tool = 'sieve-test'): string | null {
  if (!which(tool)) return `${tool} not installed (apt-get install dovecot-sieve)`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return `${tool} must run as user ${ORACLE_USER} through runuser, which needs root`;
  }
  if (!which('runuser')) return 'runuser not found';
  return null;
}

/** The engine settings matching the oracle's spamtest configuration below. */
export const ORACLE_TAMIS_CONFIG = { spamtest: { header: 'X-Spam-Score', max: 15 } };

export interface Oracle {
  /** Scratch directory owned by the oracle user. */
  dir: string;
  conf: string;
  uid: number;
  gid: number;
  /** Copies a file into the scratch directory (readable by the oracle user); returns its new path. */
  stage(file: string, name?: string): string;
  /** Writes text into the scratch directory; returns the path. */
  write(name: string, text: string | Buffer): string;
  /** Runs one of the tools as the oracle user; resolves with stdout (rejects with stderr on failure). */
  run(tool: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  /** The same, waiting for the tool to finish. */
  runSync(tool: string, args: string[]): { stdout: string; stderr: string; code: number };
  /** The runuser arguments that run a tool as the oracle user (for benchmarks timing whole runs). */
  argv(tool: string, args: string[]): string[];
}

function ensureUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, ORACLE_USER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['-m', ORACLE_USER], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

/**
 * Creates the scratch directory and Dovecot configuration; call only when pigeonholeUnavailable()
 * is null. `settings` are extra lines for the configuration's plugin section.
 */
export function createOracle(settings: string[] = []): Oracle {
  const { uid, gid } = ensureUser();
  const dir = mkdtempSync(join(tmpdir(), 'tamis-pigeonhole-'));
  chmodSync(dir, 0o755);
  chownSync(dir, uid, gid);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    [
      `mail_uid = ${ORACLE_USER}`,
      `mail_gid = ${ORACLE_USER}`,
      'first_valid_uid = 0',
      'first_valid_gid = 0',
      `mail_location = maildir:${dir}/Maildir`,
      'plugin {',
      '  sieve_extensions = +vacation-seconds +spamtest +spamtestplus +virustest +editheader',
      '  sieve_spamtest_status_type = score',
      '  sieve_spamtest_status_header = X-Spam-Score',
      '  sieve_spamtest_max_value = 15',
      ...settings.map((s) => `  ${s}`),
      '}',
      '',
    ].join('\n'),
  );
  const argv = (tool: string, args: string[]) => [
    '-u',
    ORACLE_USER,
    '--',
    'env',
    `HOME=${dir}`,
    tool,
    '-c',
    conf,
    ...args,
  ];
  return {
    dir,
    conf,
    uid,
    gid,
    stage(file, name = basename(file)) {
      const to = join(dir, name);
      copyFileSync(file, to);
      chmodSync(to, 0o644);
      return to;
    },
    write(name, text) {
      const to = join(dir, name);
      writeFileSync(to, text);
      chmodSync(to, 0o644);
      return to;
    },
    argv,
    runSync(tool, args) {
      const r = spawnSync('runuser', argv(tool, args), { encoding: 'utf8', timeout: 20_000 });
      if (r.error) throw r.error;
      return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 1 };
    },
    run(tool, args) {
      return new Promise((resolve) => {
        execFile('runuser', argv(tool, args), { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ stdout, stderr, code });
        });
      });
    },
  };
}

/**
 * What a delivery does, as a set of comparable outcomes: `store:<mailbox>`, `redirect:<address>`,
 * `vacation`, `reject`, `discard`. Flags and :copy are left out; a keep is a store into INBOX.
 */
export type Outcomes = Set<string>;

/** Outcomes from sieve-test's "Performed actions" and "Implicit keep" sections. */
export function parseSieveTestOutput(stdout: string): Outcomes {
  const out: Outcomes = new Set();
  for (const line of stdout.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^\s*\* store message in folder: (.*)$/))) out.add(`store:${normalizeBox(m[1]!)}`);
    else if ((m = line.match(/^\s*\* redirect message to: <?([^>]*)>?/)))
      out.add(`redirect:${lowerDomain(m[1]!)}`);
    else if (/^\s*\* send vacation message/.test(line)) out.add('vacation');
    else if (/^\s*\* (reject|ereject|refuse)/.test(line) || /^\s*\* reject message/.test(line))
      out.add('reject');
    else if (/^\s*\* discard/.test(line)) out.add('discard');
    else if (/^\s*\* keep/.test(line)) out.add('store:INBOX');
  }
  return out;
}

/** Outcomes from the actions tamis reports. */
export function tamisOutcomes(actions: Action[]): Outcomes {
  const out: Outcomes = new Set();
  for (const a of actions) {
    if (a.type === 'keep' || a.type === 'fileinto') out.add(`store:${normalizeBox(a.mailbox)}`);
    else if (a.type === 'redirect') out.add(`redirect:${lowerDomain(a.address)}`);
    else if (a.type === 'vacation') out.add('vacation');
    else if (a.type === 'reject' || a.type === 'ereject') out.add('reject');
    else if (a.type === 'discard') out.add('discard');
    else out.add(`other:${a.type === 'other' ? a.name : a.type}`);
  }
  return out;
}

function normalizeBox(name: string): string {
  return name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
}

function lowerDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? address : address.slice(0, at) + address.slice(at).toLowerCase();
}

/** Runs `fn` over items with at most `limit` running at once; results keep the items' order. */
export async function mapPool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
