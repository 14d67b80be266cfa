/**
 * Bench sections on the engine's own paths: `run` against `runAsync` on the same scripts and
 * messages (the host answering at once, so both do the same work), and the cost of importing the
 * package entries in a fresh Node process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SieveEngine } from '../../src/engine.js';
import { parseMessage } from '../../src/message/index.js';
import type { TraceEvent } from '../../src/index.js';
import { generateFilterScript, generateMessage, prng } from './generate.js';
import { ORACLE_TAMIS_CONFIG } from '../differential/pigeonhole.js';
import { median } from './stats.js';

type Say = (line?: string) => void;

const opsText = (x: number) => Math.round(x).toLocaleString('en-US');

/** A script with variables and match values (set, ${1}, string), which the 50-rule script has none of. */
const VARIABLES_SCRIPT = `require ["variables", "fileinto", "envelope"];
if header :matches "subject" "* *" { set "first" "\${1}"; set :lower "rest" "\${2}"; }
if envelope :domain :matches "from" "*.*" { set "sld" "\${1}"; }
if string :is "\${first}" ["About", "Re"] { fileinto "Threads/\${sld}"; }
if address :localpart :matches "from" "news*" { fileinto "News"; }
`;

/** A script whose tests ask the host (mailboxexists, the clock), which runAsync records as it goes. */
const HOST_SCRIPT = `require ["mailbox", "fileinto", "date", "relational"];
if mailboxexists ["Lists", "Archive"] { fileinto "Lists"; }
if currentdate :value "ge" "year" "2000" { keep; }
if header :contains "subject" "About" { fileinto :create "About"; }
`;

interface Case {
  name: string;
  script: string;
}

/**
 * ops/s of run and runAsync over the same messages, in alternating passes; the steady state is the
 * fastest of the passes after two warm-up passes each. Also run with a trace sink, for what tracing costs.
 */
export async function benchRunAsync(say: Say, messages: number): Promise<void> {
  const engine = new SieveEngine({ config: ORACLE_TAMIS_CONFIG });
  const rand = prng(11);
  const views = Array.from({ length: messages }, (_, i) => Buffer.from(generateMessage(i, rand)));
  const envelope = { from: 'sender@example.org', to: 'bob@example.com' };
  const cases: Case[] = [
    { name: '50-rule filter script', script: generateFilterScript(50) },
    { name: 'variables and match values', script: VARIABLES_SCRIPT },
    { name: 'host queries answered at once', script: HOST_SCRIPT },
  ];
  say(
    `### 5. \`run\` against \`runAsync\` (${messages} messages of 2 KB, in process, fastest of passes 3–9)`,
  );
  say();
  say('| script | `run` ops/s | `runAsync` ops/s | runAsync ÷ run time | `run` with a trace sink ops/s |');
  say('| --- | ---: | ---: | ---: | ---: |');
  for (const c of cases) {
    const compiled = engine.compile(c.script);
    if (!compiled.program) throw new Error(`${c.name} does not compile: ${compiled.errors[0]?.message}`);
    const program = compiled.program;
    // Each pass parses its messages afresh, as a delivery does.
    const sync = (): number => {
      const t = performance.now();
      for (const m of views) engine.run(program, parseMessage(m), envelope);
      return performance.now() - t;
    };
    const async = async (): Promise<number> => {
      const t = performance.now();
      for (const m of views) await engine.runAsync(program, parseMessage(m), envelope);
      return performance.now() - t;
    };
    let events = 0;
    const sink = (_e: TraceEvent): void => {
      events++;
    };
    const traced = (): number => {
      const t = performance.now();
      for (const m of views) engine.run(program, parseMessage(m), envelope, { trace: sink });
      return performance.now() - t;
    };
    const times: Record<'sync' | 'async' | 'traced', number[]> = { sync: [], async: [], traced: [] };
    for (let pass = 0; pass < 9; pass++) {
      times.sync.push(sync());
      times.async.push(await async());
    }
    // Traced passes afterwards: their garbage would otherwise weigh on the passes compared.
    for (let pass = 0; pass < 5; pass++) times.traced.push(traced());
    // The fastest pass after the warm-up: other processes' load can only slow a pass down.
    const ops = (xs: number[]) => (messages * 1000) / Math.min(...xs.slice(2));
    const [s, a, t] = [ops(times.sync), ops(times.async), ops(times.traced)];
    say(
      `| ${c.name} | ${opsText(s)} | ${opsText(a)} | ${(s / a).toFixed(2)}× | ${opsText(t)} (${Math.round(events / (5 * messages))} events/message) |`,
    );
  }
  say();
}

/** Milliseconds an `import()` of `specifier` takes in a fresh Node process, and whether it loaded TLS or crypto. */
function importOnce(root: string, specifier: string): { ms: number; loaded: string[] } {
  const code = `
const t = performance.now();
await import(${JSON.stringify(specifier)});
const ms = performance.now() - t;
const natives = process.moduleLoadList.filter((m) => /^NativeModule (tls|crypto|_tls_wrap|https|net)$/.test(m));
console.log(JSON.stringify({ ms, loaded: natives.map((m) => m.slice(13)) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`import ${specifier} failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as { ms: number; loaded: string[] };
}

/** Import time of the package entries from the build (dist/), fresh processes taking turns, median of `runs`. */
export function benchImport(say: Say, root: string, runs: number): void {
  const entries = ['tamis', 'tamis/managesieve'];
  say(`### 6. Import time of the package entries (fresh Node process each, median of ${runs})`);
  say();
  if (!existsSync(join(root, 'dist/index.js'))) {
    say('Skipped: dist/ not built (`npm run build`).');
    say();
    return;
  }
  const times: Record<string, number[]> = {};
  const loaded: Record<string, string[]> = {};
  for (const e of entries) importOnce(root, e); // warm the page cache
  for (let i = 0; i < runs; i++) {
    for (const e of entries) {
      const r = importOnce(root, e);
      (times[e] ??= []).push(r.ms);
      loaded[e] = r.loaded;
    }
  }
  say('| entry | median | min | max | built-in modules loaded among tls, crypto, https, net |');
  say('| --- | ---: | ---: | ---: | --- |');
  for (const e of entries) {
    const xs = times[e]!;
    const f = (x: number) => `${x.toFixed(1)} ms`;
    say(
      `| \`import('${e}')\` | ${f(median(xs))} | ${f(Math.min(...xs))} | ${f(Math.max(...xs))} | ${loaded[e]!.join(', ') || 'none'} |`,
    );
  }
  say();
}
