/**
 * `npm run bench`: speed of tamis next to Dovecot Pigeonhole on the same inputs.
 *
 *   1. compile time of a generated 5,000-rule script (≈ 470 KB), tamis vs sievec
 *   2. run time per message of a 50-rule script (in process)
 *   3. whole process: `tamis filter` over a 5,000-message Maildir vs sieve-filter
 *   4. ManageSieve load: tamis's server and Dovecot's managesieved, both started here on loopback
 *      (test/bench/managesieve-bench.ts)
 *   5. run against runAsync on the same scripts and messages, and run with a trace sink
 *   6. import time of the `tamis` and `tamis/managesieve` entries (test/bench/engine-bench.ts)
 *   7. delivery: `tamis lmtp` against Dovecot's lmtp + Pigeonhole, `tamis deliver` against dovecot-lda
 *      (test/bench/delivery-bench.ts, test/bench/delivery-lda.ts)
 *
 * Results are printed and written into docs/benchmarks.md, sections 1–3 between the bench markers and
 * section 4 between the bench:managesieve markers, sections 5–6 between the bench:runtime markers,
 * section 7 between the bench:delivery markers
 * (`--no-write` leaves the file alone). Speed targets
 * are checked here only, never in tests.
 * Options: --runs N (whole-process repetitions, default 7), --messages N (default 5000),
 * --only engine|managesieve|runtime|delivery (sections 1–3, 4, 5–6 or 7 alone); for section 7
 * --delivery-messages N (deliveries per run, default 2000), --delivery-rounds N (default 3; 0 for 7b alone) and
 * --delivery-profile DIR (the tamis lmtp process writes a --cpu-prof profile there).
 * The built CLI is dist/cli/main.cjs (run `npm run build` first) or the file named by TAMIS_CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SieveEngine } from '../../src/engine.js';
import {
  generateFilterScript,
  generateLargeScript,
  generateMessage,
  prng,
  writeMaildir,
} from './generate.js';
import {
  createOracle,
  pigeonholeUnavailable,
  ORACLE_TAMIS_CONFIG,
  type Oracle,
} from '../differential/pigeonhole.js';
import { median } from './stats.js';

const ROOT = join(import.meta.dirname, '../..');
const argv = process.argv.slice(2);
const opt = (name: string, def: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const RUNS = opt('--runs', 7);
/** In-process compiles after the first (cold) one. */
const COMPILE_RUNS = Math.max(RUNS, 30);
const MESSAGES = opt('--messages', 5000);
const WRITE = !argv.includes('--no-write');
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
if (ONLY !== undefined && !['engine', 'managesieve', 'runtime', 'delivery'].includes(ONLY)) {
  throw new Error(`--only takes engine, managesieve, runtime or delivery, not ${ONLY}`);
}
const ENGINE = ONLY === undefined || ONLY === 'engine';
const MANAGESIEVE = ONLY === undefined || ONLY === 'managesieve';
const RUNTIME = ONLY === undefined || ONLY === 'runtime';
const DELIVERY = ONLY === undefined || ONLY === 'delivery';

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function timeProcess(cmd: string, args: string[], options: { cwd?: string } = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    cwd: options.cwd,
    maxBuffer: 64 << 20,
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(0, 500)}`);
  }
  return elapsed;
}

/** Alternates the commands run by run so that drifting machine load hits both alike. */
function timeSideBySide(cmds: Record<string, () => number>, runs: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(cmds)) cmds[name]!(); // warm the page cache
  for (let i = 0; i < runs; i++) for (const [name, f] of Object.entries(cmds)) (out[name] ??= []).push(f());
  return out;
}

const report: string[] = [];
const say = (line = '') => {
  report.push(line);
  console.log(line);
};

const cliPath = process.env.TAMIS_CLI ?? join(ROOT, 'dist/cli/main.cjs');
const haveCli = existsSync(cliPath);
const oracleProblem = !ENGINE
  ? 'not asked for'
  : (pigeonholeUnavailable('sieve-filter') ?? pigeonholeUnavailable('sievec'));
const oracle: Oracle | null = oracleProblem ? null : createOracle();
const work = oracle?.dir ?? mkdtempSync(join(tmpdir(), 'tamis-bench-'));

const header = (): string[] => [
  `Command: \`npm run bench -- ${argv.join(' ')}\``.replace(/ -- `$/, '`'),
  `Machine: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ` +
    `load average at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  `Date: ${new Date().toISOString().slice(0, 10)}`,
];
if (ENGINE) {
  for (const line of header()) say(line);
  if (oracleProblem) say(`Pigeonhole comparison skipped: ${oracleProblem}`);
  if (!haveCli) say(`Whole-process figures skipped: ${cliPath} not found (build with \`npm run build\`)`);
  say();
}

// 1. Compile time ------------------------------------------------------------------------------
if (ENGINE) {
  const big = generateLargeScript(5000);
  const scriptPath = join(work, 'large.sieve');
  writeFileSync(scriptPath, big);
  const times: number[] = [];
  let errors = 0;
  // The first run is the cold one (a one-shot process); the median is over the later runs, which
  // is what a long-running host (the ManageSieve server checking uploads) sees.
  for (let i = 0; i <= COMPILE_RUNS; i++) {
    const engine = new SieveEngine(); // a fresh engine each time: no compile cache
    const t = performance.now();
    errors = engine.compile(big).errors.length;
    times.push(performance.now() - t);
  }
  say(`### 1. Compile a 5,000-rule script (${(Buffer.byteLength(big) / 1024).toFixed(0)} KB)`);
  say();
  say('| | median | note |');
  say('| --- | ---: | --- |');
  say(
    `| tamis, in process | ${ms(median(times.slice(1)))} | median of runs 2–${times.length}; first run ${ms(times[0]!)}${errors ? `, ${errors} errors!` : ''} |`,
  );
  let tamisProcess = NaN;
  let sievec = NaN;
  const cmds: Record<string, () => number> = {};
  const oneRule = join(work, 'one-rule.sieve');
  writeFileSync(oneRule, 'require "fileinto";\nif header :contains "subject" "x" { fileinto "X"; }\n');
  if (haveCli) {
    cmds.tamis = () => timeProcess(process.execPath, [cliPath, 'check', scriptPath]);
    cmds.small = () => timeProcess(process.execPath, [cliPath, 'check', oneRule]);
  }
  cmds.node = () => timeProcess(process.execPath, ['-e', '0']);
  if (oracle) {
    chownSync(scriptPath, oracle.uid, oracle.gid);
    cmds.sievec = () =>
      timeProcess('runuser', oracle.argv('sievec', [scriptPath, join(work, 'large.svbin')]));
  }
  const t = timeSideBySide(cmds, RUNS);
  if (t.tamis) say(`| \`tamis check\`, whole process | ${ms((tamisProcess = median(t.tamis)))} | |`);
  if (t.sievec) say(`| Pigeonhole \`sievec\`, whole process | ${ms((sievec = median(t.sievec)))} | |`);
  if (t.small) say(`| \`tamis check\` of a one-rule script, whole process | ${ms(median(t.small))} | |`);
  say(`| \`node -e 0\`, an empty Node process | ${ms(median(t.node!))} | for reference |`);
  say();
  if (t.small) {
    const r = median(t.small) / median(t.node!);
    say(
      `Target \`tamis check\` of one rule ≤ 1.3× \`node -e 0\`: measured ${r.toFixed(2)}× → ${r <= 1.3 ? 'met' : 'NOT met'}.`,
    );
    say();
  }
  if (t.tamis && t.sievec) {
    const inProcess = median(times.slice(1));
    const verdict = (x: number) => (x <= sievec ? 'met' : 'NOT met');
    say(
      `Target compile ≤ sievec: in process ${ratio(inProcess, sievec)} of sievec → ${verdict(inProcess)}; ` +
        `whole process ${ratio(tamisProcess, sievec)} → ${verdict(tamisProcess)}.`,
    );
    say();
  }
}

// 2. Run time per message ----------------------------------------------------------------------
if (ENGINE) {
  const engine = new SieveEngine({ config: ORACLE_TAMIS_CONFIG });
  const compiled = engine.compile(generateFilterScript(50));
  if (!compiled.program) throw new Error(`50-rule script does not compile: ${compiled.errors[0]?.message}`);
  const rand = prng(7);
  const messages = Array.from({ length: MESSAGES }, (_, i) => Buffer.from(generateMessage(i, rand)));
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const t = performance.now();
    for (const m of messages)
      engine.run(compiled.program, m, { from: 'sender@example.org', to: 'bob@example.com' });
    passes.push(((performance.now() - t) * 1000) / messages.length);
  }
  say(`### 2. Run a 50-rule script over one message (${MESSAGES} messages of 2 KB, in process)`);
  say();
  say(
    `first pass (cold JIT): ${passes[0]!.toFixed(1)} µs/message; steady state: ${median(passes.slice(2)).toFixed(1)} µs/message`,
  );
  say();
}

// 3. Whole process over a Maildir ---------------------------------------------------------------
const READ_FOLDER = `
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(256 * 1024);
for (const sub of ['new', 'cur']) {
  const dir = fs.opendirSync(process.argv[1] + '/' + sub);
  for (let e; (e = dir.readSync()); ) {
    const fd = fs.openSync(dir.path + '/' + e.name, 'r');
    fs.readSync(fd, buf, 0, buf.length, null);
    fs.closeSync(fd);
  }
  dir.closeSync();
}`;
if (ENGINE && haveCli) {
  const maildir = join(work, 'Maildir');
  rmSync(maildir, { recursive: true, force: true });
  writeMaildir(maildir, MESSAGES);
  const script = join(work, 'filter50.sieve');
  const config = join(work, 'spamtest.json');
  writeFileSync(script, generateFilterScript(50));
  writeFileSync(config, JSON.stringify({ engine: ORACLE_TAMIS_CONFIG }));
  if (oracle) execFileSync('chown', ['-R', `${oracle.uid}:${oracle.gid}`, work]);
  const cmds: Record<string, () => number> = {
    'tamis filter': () =>
      timeProcess(process.execPath, [cliPath, 'filter', '--config', config, script, maildir]),
    // The main thread alone (the default adds a worker per CPU once a folder passes 5,000 messages).
    'tamis filter --jobs 1': () =>
      timeProcess(process.execPath, [cliPath, 'filter', '--jobs', '1', '--config', config, script, maildir]),
    'tamis filter --json': () =>
      timeProcess(process.execPath, [cliPath, 'filter', '--json', '--config', config, script, maildir]),
  };
  // The folder shared between one worker thread per CPU.
  const jobs = availableParallelism();
  if (jobs > 1)
    cmds[`tamis filter --jobs ${jobs}`] = () =>
      timeProcess(process.execPath, [
        cliPath,
        'filter',
        '--jobs',
        String(jobs),
        '--config',
        config,
        script,
        maildir,
      ]);
  // What any Node program pays on this machine before doing Sieve work: starting, and listing and
  // reading the same files (one open, read and close each, as tamis filter does).
  cmds['node, empty'] = () => timeProcess(process.execPath, ['-e', '0']);
  cmds['node, read the files only'] = () => timeProcess(process.execPath, ['-e', READ_FOLDER, maildir]);
  // sieve-filter reads the folder through Dovecot's mail storage: INBOX is $work/Maildir.
  if (oracle)
    cmds['sieve-filter'] = () => timeProcess('runuser', oracle.argv('sieve-filter', [script, 'INBOX']));
  const t = timeSideBySide(cmds, RUNS);
  say(`### 3. Whole process: filter a Maildir of ${MESSAGES} messages (2 KB each) with a 50-rule script`);
  say();
  say(`| | median of ${RUNS} | min | max |`);
  say('| --- | ---: | ---: | ---: |');
  for (const [name, xs] of Object.entries(t)) {
    say(`| \`${name}\` | ${ms(median(xs))} | ${ms(Math.min(...xs))} | ${ms(Math.max(...xs))} |`);
  }
  say();
  if (t['sieve-filter']) {
    const r = median(t['tamis filter']!) / median(t['sieve-filter']);
    say(
      `Target tamis filter ≤ 0.5× sieve-filter: measured ${r.toFixed(2)}× → ${r <= 0.5 ? 'met' : 'NOT met'}.`,
    );
    const parallel = t[`tamis filter --jobs ${jobs}`];
    // The 0.15× goal is set for a large folder, where start-up no longer counts (--messages 50000).
    if (parallel && MESSAGES >= 50_000) {
      const p = median(parallel) / median(t['sieve-filter']);
      say(
        `Target at 50,000 messages ≤ 0.15× sieve-filter: tamis filter --jobs ${jobs} measured ${p.toFixed(2)}× ` +
          `→ ${p <= 0.15 ? 'met' : 'NOT met'}.`,
      );
    }
    say();
  }
}

// 4. ManageSieve load ---------------------------------------------------------------------------
// Both servers are started and stopped by benchManageSieve; its lines go to their own markers.
const msReport: string[] = [];
if (MANAGESIEVE) {
  const { benchManageSieve } = await import('./managesieve-bench.js');
  const sayMs = (line = ''): void => {
    msReport.push(line);
    console.log(line);
  };
  sayMs('### 4. ManageSieve load');
  sayMs();
  for (const line of header()) sayMs(line);
  sayMs();
  await benchManageSieve({
    cliPath,
    root: ROOT,
    // Bounded by the cost of a login (≈ 10–25 ms per session on either server): about a minute here.
    sizes: [50, 200],
    repeats: 3,
    holdSessions: 5000,
    users: 100,
    budgetMs: 60_000,
    say: sayMs,
  });
}

// 5–6. run and runAsync; import time ------------------------------------------------------------
const rtReport: string[] = [];
if (RUNTIME) {
  const { benchImport, benchRunAsync } = await import('./engine-bench.js');
  const sayRt = (line = ''): void => {
    rtReport.push(line);
    console.log(line);
  };
  for (const line of header()) sayRt(line);
  sayRt();
  await benchRunAsync(sayRt, Math.min(MESSAGES, 2000));
  benchImport(sayRt, ROOT, Math.max(RUNS, 11));
}

// 7. Delivery ------------------------------------------------------------------------------------
const dlReport: string[] = [];
if (DELIVERY) {
  const sayDl = (line = ''): void => {
    dlReport.push(line);
    console.log(line);
  };
  for (const line of header()) sayDl(line);
  sayDl();
  if (!haveCli) sayDl(`Delivery section skipped: ${cliPath} not found (build with \`npm run build\`)`);
  else {
    const { benchDeliveryLmtp } = await import('./delivery-bench.js');
    const { benchDeliveryLda } = await import('./delivery-lda.js');
    const profile = argv.includes('--delivery-profile')
      ? argv[argv.indexOf('--delivery-profile') + 1]
      : undefined;
    const rounds = opt('--delivery-rounds', 3);
    sayDl('### 7a. LMTP throughput');
    sayDl();
    // --delivery-rounds 0: the per-process figures alone.
    if (rounds > 0)
      await benchDeliveryLmtp({
        cliPath,
        users: 20,
        messages: opt('--delivery-messages', 2000),
        rounds,
        loads: [
          [4, 1],
          [16, 1],
          [16, 4],
        ],
        nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [],
        say: sayDl,
      });
    sayDl('### 7b. One message, whole process: `tamis deliver` and `dovecot-lda`');
    sayDl();
    await benchDeliveryLda({ cliPath, runs: Math.max(RUNS, 15), say: sayDl });
  }
}

if (!oracle) rmSync(work, { recursive: true, force: true });
else rmSync(oracle.dir, { recursive: true, force: true });

if (WRITE) {
  const doc = join(ROOT, 'docs/benchmarks.md');
  let text = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n';
  // Replaces what lies between two markers (appending them when missing); other text stays as it is.
  const fill = (start: string, end: string, lines: string[]): void => {
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    const body = `${start}\n\n${lines.join('\n')}\n${end}`;
    text = a >= 0 && b > a ? text.slice(0, a) + body + text.slice(b + end.length) : `${text}\n${body}\n`;
  };
  if (ENGINE) fill('<!-- bench:start -->', '<!-- bench:end -->', report);
  if (MANAGESIEVE) fill('<!-- bench:managesieve:start -->', '<!-- bench:managesieve:end -->', msReport);
  if (RUNTIME) fill('<!-- bench:runtime:start -->', '<!-- bench:runtime:end -->', rtReport);
  if (DELIVERY) fill('<!-- bench:delivery:start -->', '<!-- bench:delivery:end -->', dlReport);
  writeFileSync(doc, text);
  console.log(`\nwritten to ${doc}`);
}
