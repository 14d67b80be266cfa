/**
 * Section 4 of `npm run bench`: the same ManageSieve load against tamis's server (the real CLI process)
 * and Dovecot's managesieved, both started here on loopback with the same users and password hashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPasswdEntry, hashPassword } from '../../src/accounts/index.js';
import { dovecotAvailable, dovecotSkipReason, startDovecot } from '../managesieve/helpers/dovecot.js';
import { benchHashes } from './hash-bench.js';
import { runManageSieveLoad, type ManageSieveLoadResult } from './managesieve-load.js';
import { median } from './stats.js';

export interface ManageSieveBenchOptions {
  /** Built CLI (dist/cli/main.cjs); when it does not exist the CLI runs from source through tsx. */
  cliPath: string;
  root: string;
  /** Concurrent sessions per round. */
  sizes: number[];
  /** Rounds of each size per server; the median is reported. */
  repeats: number;
  /** Sessions of the final round, which must all be logged in at the same time. */
  holdSessions: number;
  /** Distinct users the sessions are spread over. */
  users: number;
  /** Rounds still to start are skipped once this much time has gone by (ms). */
  budgetMs: number;
  say: (line?: string) => void;
}

const USER = 'bench';
const PASSWORD = 'bench-password';
const SCHEME = 'SHA512-CRYPT';
const SESSION_TIMEOUT_MS = 30_000;

interface Target {
  label: string;
  port: number;
  /** Sessions of the held round (Dovecot runs a process per session, so it holds fewer here). */
  hold: number;
  /** Proportional set size of the server's processes, in KiB (shared pages split between them). */
  memoryKiB(): Promise<number>;
  stop(): Promise<void>;
}

/** PSS of a process and all its descendants, from /proc (Linux). */
async function pssKiB(root: number): Promise<number> {
  const parents = new Map<number, number>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid) parents.set(Number(name), ppid);
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parents)
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
  }
  let total = 0;
  for (const pid of tree) {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
  }
  return total;
}

/** Starts `tamis managesieve` as its own process (as deployed) and waits for its "listening on" line. */
async function startTamis(opts: ManageSieveBenchOptions, dir: string, usersFile: string): Promise<Target> {
  // No TLS at all, as on the Dovecot side (ssl = no): nothing is encrypted in either run.
  const config = join(dir, 'tamis.json');
  // All sessions come from loopback: lift the per-address cap, as the load needs.
  await writeFile(
    config,
    JSON.stringify({
      tls: { enabled: false },
      limits: { maxConnections: 6000, maxConnectionsPerAddress: 1_000_000 },
    }),
  );
  const args = [
    'managesieve',
    '--config',
    config,
    '--listen',
    '127.0.0.1:0',
    '--data',
    join(dir, 'tamis-data'),
    '--users',
    usersFile,
    '--insecure-auth',
  ];
  const argv = existsSync(opts.cliPath)
    ? [opts.cliPath, ...args]
    : ['--import', 'tsx', join(opts.root, 'src/cli/cli.ts'), ...args];
  const child: ChildProcess = spawn(process.execPath, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  // Keep reading stderr whatever it says, so a chatty server never blocks on a full pipe.
  child.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tamis managesieve did not start:\n${log}`)), 20_000);
    const check = (): void => {
      const m = /listening on [^\s]*:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve(Number(m[1]));
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tamis managesieve exited with ${code}:\n${log}`));
    });
  });
  return {
    label: existsSync(opts.cliPath) ? 'tamis' : 'tamis (from source)',
    port,
    hold: opts.holdSessions,
    memoryKiB: () => pssKiB(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs the section and prints its Markdown through `say`. */
export async function benchManageSieve(opts: ManageSieveBenchOptions): Promise<void> {
  const { say } = opts;
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'tamis-bench-ms-'));
  const targets: Target[] = [];
  try {
    // One set of hashes, made by tamis, read by both servers from the same passwd-file format.
    const users = await Promise.all(
      Array.from({ length: opts.users }, async (_, i) => ({
        user: `${USER}${i}`,
        password: await hashPassword(PASSWORD, SCHEME),
      })),
    );
    const usersFile = join(dir, 'users');
    const lines = users.map((u) =>
      formatPasswdEntry({ ...u, uid: '', gid: '', gecos: '', home: '', shell: '', extra: {} }),
    );
    await writeFile(usersFile, lines.join('\n') + '\n', { mode: 0o600 });

    targets.push(await startTamis(opts, dir, usersFile));
    if (dovecotAvailable()) {
      // Dovecot's defaults (100 processes per service) cap it at 100 sessions: each login and each logged-in
      // session is a process of its own (service_count = 1). Raised here so it can hold 1,000 at once.
      const d = await startDovecot({
        users,
        mechanisms: ['plain'],
        extraConfig: 'default_process_limit = 1100\ndefault_client_limit = 4000\n',
      });
      targets.push({
        label: 'Dovecot managesieved',
        port: d.port,
        hold: Math.min(opts.holdSessions, 1000),
        memoryKiB: () => pssKiB(d.pid),
        stop: () => d.stop(),
      });
    }

    say(
      `${opts.users} users, ${SCHEME} hashes (made with tamis's hashPassword, default 5,000 rounds) in one ` +
        `passwd-file format; each session: connect, AUTHENTICATE PLAIN, PUTSCRIPT, GETSCRIPT (checked), ` +
        `LISTSCRIPTS, LOGOUT; all sessions of a round opened at once from one client process; ` +
        `servers take turns round by round; median of ${opts.repeats} rounds each; p99: the 99th percentile of ` +
        `one session's time from connect to the OK of LOGOUT (median over the rounds).`,
    );
    say();
    if (targets.length < 2) {
      say(`Dovecot skipped: ${dovecotSkipReason}`);
      say();
    }

    const load = (
      t: Target,
      sessions: number,
      hold = false,
      whenAllLoggedIn?: () => Promise<void>,
    ): Promise<ManageSieveLoadResult> =>
      runManageSieveLoad({
        port: t.port,
        sessions,
        user: USER,
        password: PASSWORD,
        users: opts.users,
        timeoutMs: hold ? SESSION_TIMEOUT_MS * 4 : SESSION_TIMEOUT_MS,
        hold,
        whenAllLoggedIn,
      });

    // Warm-up: JIT on the tamis side, first process starts and page cache on Dovecot's.
    for (const t of targets) await load(t, 50);

    const seconds = new Map<string, number[]>(); // `${label}/${size}`
    const p99 = new Map<string, number[]>();
    const failures = new Map<string, string>();
    let skipped = 0;
    for (let rep = 0; rep < opts.repeats; rep++) {
      for (const size of opts.sizes) {
        // Alternate which server goes first, so drifting machine load falls on both alike.
        const order = rep % 2 ? [...targets].reverse() : targets;
        for (const t of order) {
          if (failures.has(t.label)) continue;
          if (Date.now() - started > opts.budgetMs) {
            skipped++;
            continue;
          }
          try {
            const r = await load(t, size);
            const key = `${t.label}/${size}`;
            seconds.set(key, [...(seconds.get(key) ?? []), r.seconds]);
            p99.set(key, [...(p99.get(key) ?? []), r.p99Ms]);
          } catch (err) {
            failures.set(t.label, `${size} sessions: ${(err as Error).message}`);
          }
        }
      }
    }

    // The largest round: every session stays logged in until the last one is, so the server must hold
    // them all at once (peakLoggedIn proves it); run once per server, after the repeated rounds.
    const held = new Map<string, ManageSieveLoadResult & { perSessionKiB: number; idleKiB: number }>();
    for (const t of targets) {
      if (failures.has(t.label)) continue;
      try {
        const idleKiB = await t.memoryKiB();
        let fullKiB = 0;
        const r = await load(t, t.hold, true, async () => {
          fullKiB = await t.memoryKiB();
        });
        held.set(t.label, { ...r, idleKiB, perSessionKiB: (fullKiB - idleKiB) / t.hold });
      } catch (err) {
        failures.set(t.label, `${t.hold} held sessions: ${(err as Error).message}`);
      }
    }

    const cols = targets.map((t) => t.label);
    const two = cols.length > 1;
    say(
      `| concurrent sessions | runs | ${cols.map((c) => `${c}: s | sessions/s | p99 ms`).join(' | ')} |` +
        (two ? ' tamis sessions/s ÷ Dovecot sessions/s |' : ''),
    );
    say(`| --- | ---: | ${cols.map(() => '---: | ---: | ---:').join(' | ')} |` + (two ? ' ---: |' : ''));
    for (const size of opts.sizes) {
      const secs = cols.map((c) => seconds.get(`${c}/${size}`) ?? []);
      const m = secs.map((xs) => (xs.length ? median(xs) : NaN));
      const cells = cols.map((c, i) => {
        const lat = p99.get(`${c}/${size}`) ?? [];
        return Number.isNaN(m[i]!)
          ? '– | – | –'
          : `${m[i]!.toFixed(2)} | ${(size / m[i]!).toFixed(0)} | ${median(lat).toFixed(0)}`;
      });
      const ratio = two && m.every((x) => !Number.isNaN(x)) ? `${(m[1]! / m[0]!).toFixed(2)}×` : '–';
      say(
        `| ${size.toLocaleString('en-US')} | ${[...new Set(secs.map((xs) => xs.length))].join('/')} | ` +
          `${cells.join(' | ')} |` +
          (two ? ` ${ratio} |` : ''),
      );
    }
    say();
    say('Held round: every session stays logged in until all are, so the server holds them all at once.');
    say();
    say(
      '| server | sessions held | s (connect, log in, all held, then the session and LOGOUT) | sessions/s | memory before | memory per held session |',
    );
    say('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [label, r] of held) {
      say(
        `| ${label} | ${r.peakLoggedIn.toLocaleString('en-US')} of ${r.sessions.toLocaleString('en-US')} | ` +
          `${r.seconds.toFixed(2)} | ${(r.sessions / r.seconds).toFixed(0)} | ${(r.idleKiB / 1024).toFixed(0)} MiB | ` +
          `${r.perSessionKiB.toFixed(0)} KiB |`,
      );
    }
    say();
    say('Memory is the proportional set size (PSS) of the server and all its processes, read from /proc.');
    say();
    for (const [label, why] of failures) {
      say(`${label} failed: ${why}`);
      say();
    }
    if (skipped) {
      say(`${skipped} rounds skipped: the section's time budget (${opts.budgetMs / 1000} s) ran out.`);
      say();
    }
    await benchHashes(say);
    say(`Section time: ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    say();
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}
