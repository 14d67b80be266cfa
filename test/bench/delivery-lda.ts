/**
 * `tamis deliver` next to `dovecot-lda`, one message per process, runs alternating; with the steps
 * of tamis's run measured apart: start-up alone, with and without the code cache, the users file
 * and stores opened for an unknown user, a delivery with no personal script, and an fsync.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SPAM_RULE, spamBeforeScript } from '../../src/delivery/spam-rule.js';
import { deliveryMessage, deliveryScript } from './delivery-bench.js';
import { DOVECOT_LDA, dovecotLmtpProblem, startDovecotLmtp, startTamisLmtp } from './delivery-peers.js';
import { prng } from './generate.js';
import { median } from './stats.js';

interface Command {
  label: string;
  note: string;
  argv: () => string[];
  env?: Record<string, string>;
  /** Exit codes that count as the expected outcome. */
  ok: number[];
  /** The message on standard input, new for every run (tamis remembers what it delivered). */
  input?: () => Buffer;
}

function timeOne(c: Command): number {
  const [cmd, ...args] = c.argv();
  const input = c.input?.();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd!, args, {
    input,
    stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...c.env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (!c.ok.includes(r.status ?? -1))
    throw new Error(`${c.label}: exit ${r.status}: ${r.stderr?.toString().slice(0, 400)}`);
  return ms;
}

/** A 2 KB file written and fsynced, then its folder fsynced: what a Maildir delivery waits for. */
function fsyncCost(dir: string, runs: number): number {
  const times: number[] = [];
  const block = Buffer.alloc(2048, 0x61);
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const fd = openSync(join(dir, `f${i}`), 'w');
    writeSync(fd, block);
    fsyncSync(fd);
    closeSync(fd);
    const d = openSync(dir, 'r');
    fsyncSync(d);
    closeSync(d);
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function benchDeliveryLda(o: {
  cliPath: string;
  runs: number;
  say(line?: string): void;
}): Promise<void> {
  const say = o.say;
  const problem = dovecotLmtpProblem();
  const work = mkdtempSync(join(tmpdir(), 'tamis-bench-lda-'));
  chmodSync(work, 0o755);
  const users = ['u01', 'u02'];
  const script = deliveryScript(50);
  const tamisDir = join(work, 'tamis');
  // The LMTP helpers lay out both trees; only their files are used here, each delivery is a process.
  const tamis = await startTamisLmtp(o.cliPath, tamisDir, users, script);
  await tamis.stop();
  rmSync(join(tamisDir, 'home', 'u02', '.dovecot.sieve'));
  const dovecot = problem
    ? null
    : await startDovecotLmtp(join(work, 'dovecot'), users, script, spamBeforeScript(DEFAULT_SPAM_RULE));
  try {
    const rand = prng(5);
    let n = 0;
    const message = () => deliveryMessage(3, rand, `lda ${n++}`);
    const tamisArgs = (rcpt?: string) => [
      process.execPath,
      o.cliPath,
      'deliver',
      '--config',
      join(tamisDir, 'config.json'),
      '-f',
      'sender@example.org',
      ...(rcpt ? ['-a', rcpt] : []),
    ];
    const tamisRun = (label: string, user: string, exit: number, note: string): Command => ({
      label,
      note,
      argv: () => tamisArgs(`${user}@example.com`),
      input: message,
      ok: [exit],
    });
    const cmds: Command[] = [
      {
        label: '`node -e 0`',
        note: 'an empty Node process: the floor',
        argv: () => [process.execPath, '-e', '0'],
        ok: [0],
      },
      {
        label: '`tamis deliver`, no recipient',
        note: 'start-up: the bundle with its code cache, the command line, the configuration file (exit 64)',
        argv: () => tamisArgs(),
        ok: [64],
      },
      tamisRun(
        '`tamis deliver`, unknown user',
        'nobody',
        67,
        'plus the users file, the SQLite stores opened and closed, the look-up (exit 67)',
      ),
      tamisRun(
        '`tamis deliver`, no personal script',
        'u02',
        0,
        'plus the spam rule compiled and run, the message stored with fsync, the delivery record',
      ),
      tamisRun('`tamis deliver`', 'u01', 0, 'the whole delivery: spam rule and the 50-rule script'),
      {
        ...tamisRun('`tamis deliver`, TAMIS_CODE_CACHE=off', 'u01', 0, 'the same without the code cache'),
        env: { TAMIS_CODE_CACHE: 'off' },
      },
    ];
    if (dovecot)
      cmds.push({
        label: '`dovecot-lda`',
        note: 'the same message, before-script and 50-rule script (compiled .svbin files kept by Pigeonhole)',
        argv: () => [DOVECOT_LDA, '-c', dovecot.conf, '-d', 'u01', '-f', 'sender@example.org'],
        input: message,
        ok: [0],
      });
    for (const c of cmds) timeOne(c); // warm the page cache, let Pigeonhole write its .svbin files
    const times = new Map<Command, number[]>(cmds.map((c) => [c, []]));
    const loads: number[] = [];
    for (let i = 0; i < o.runs; i++) {
      loads.push(loadavg()[0]!);
      for (const c of cmds) times.get(c)!.push(timeOne(c));
    }
    const fsync = fsyncCost(work, 21);
    say(
      `One 2 KB message per process, ${o.runs} runs each, alternating; load average ${Math.min(...loads).toFixed(2)}–` +
        `${Math.max(...loads).toFixed(2)}.`,
    );
    say();
    say('| | median | min | what it adds |');
    say('| --- | ---: | ---: | --- |');
    for (const c of cmds) {
      const xs = times.get(c)!;
      say(`| ${c.label} | ${median(xs).toFixed(1)} ms | ${Math.min(...xs).toFixed(1)} ms | ${c.note} |`);
    }
    say(
      `| a 2 KB file written and fsynced, then its folder | ${fsync.toFixed(2)} ms | | in this process, for reference |`,
    );
    say();
    if (dovecot) {
      const full = median(times.get(cmds[4]!)!);
      const lda = median(times.get(cmds.at(-1)!)!);
      const floor = median(times.get(cmds[0]!)!);
      say(
        `\`tamis deliver\` is ${(full / lda).toFixed(2)}× \`dovecot-lda\`; ${(full - floor).toFixed(1)} ms of it above an empty Node process.`,
      );
      say();
    }
  } finally {
    await dovecot?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
