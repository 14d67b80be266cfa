/**
 * `node --import tsx test/bench/hostile.ts`: how long hostile inputs take the engine, in wall and
 * CPU time (the figures of docs/benchmarks.md, "Hostile input"). Each case runs in a fresh engine
 * after one warm-up run; printed as a Markdown table. Nothing is checked here: the regression
 * tests (test/runtime/cpu-limit.test.ts and others) bound the same cases loosely.
 */
import { cpuUsage } from 'node:process';
import { SieveEngine } from '../../src/engine.js';
import type { ConfigInput } from '../../src/config.js';

interface Case {
  name: string;
  script: string;
  message: string;
  config?: ConfigInput;
}

const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };
const list = (n: number, f: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => JSON.stringify(f(i))).join(',');

function fields(n: number): string {
  let h = '';
  for (let i = 0; i < n; i++) h += `X-F${i % 50}: value number ${i} with some text\r\n`;
  return `${h}\r\nbody\r\n`;
}

function deepMime(depth: number): string {
  let m = 'MIME-Version: 1.0\r\n';
  for (let i = 0; i < depth; i++) m += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
  m += 'Content-Type: text/plain\r\n\r\nhello\r\n';
  for (let i = depth - 1; i >= 0; i--) m += `--b${i}--\r\n`;
  return m;
}

const numericFields = Array.from({ length: 10_000 }, (_, i) => `X-N: ${i}\r\n`).join('') + '\r\n';
const names = list(50, (i) => `x-f${i}`);
const cases: Case[] = [
  {
    name: 'maxCpuTime 1 s: 100,000 fields, 3 header tests × 50 names × 400 keys',
    script: [
      `if header :matches [${names}] [${list(400, (i) => `*k${i}*x`)}] { discard; }`,
      `if header :contains [${names}] [${list(400, (i) => `k${i}y`)}] { discard; }`,
      `if header :is [${names}] [${list(400, (i) => `value number ${i}`)}] { discard; }`,
    ].join('\n'),
    message: fields(100_000),
    config: { maxCpuTime: 1 },
  },
  {
    name: 'addheader on a Subject folded 100,000 times',
    script: 'require "editheader"; addheader "X-A" "1"; addheader :last "X-B" "2";',
    message: `Subject: x${'\r\n y'.repeat(100_000)}\r\n\r\nbody\r\n`,
  },
  {
    name: 'deleteheader of 40,000 Subject and 40,000 To fields',
    script: 'require "editheader"; deleteheader "subject"; deleteheader "to";',
    message: `${'Subject: s\r\nTo: t@x\r\n'.repeat(40_000)}\r\nbody\r\n`,
  },
  {
    name: 'i;ascii-numeric: 20,000-digit key against 10,000 fields',
    script: `require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" :is "x-n" "${'1'.repeat(20_000)}" { discard; }`,
    message: numericFields,
  },
  {
    name: 'i;ascii-numeric: 100,000-digit key against 10,000 fields',
    script: `require "comparator-i;ascii-numeric"; if header :comparator "i;ascii-numeric" :is "x-n" "${'1'.repeat(100_000)}" { discard; }`,
    message: numericFields,
  },
  {
    name: 'i;unicode-casemap :contains, 200 keys over a 400,000-character Subject',
    script: `require "comparator-i;unicode-casemap"; if header :comparator "i;unicode-casemap" :contains "subject" [${list(200, (i) => `zz${i}é`)}] { discard; }`,
    message: `Subject: ${'Ça fait déjà ÉTÉ '.repeat(24_000)}\r\n\r\nbody\r\n`,
  },
  {
    name: 'a 1 MB (|a)(|a)... regex built from a variable',
    script: `require ["regex", "variables"]; set "p" "${'(|a)'.repeat(250_000)}"; if header :regex "subject" "\${p}" { discard; }`,
    message: 'Subject: a\r\n\r\nbody\r\n',
    config: { maxVariableSize: 2_000_000 },
  },
  {
    name: '20,000-deep multipart, limits raised: body :content "text"',
    script: 'require "body"; if body :content "text" :contains "hello" { discard; }',
    message: deepMime(20_000),
    config: { maxMimeDepth: 1e9, maxMimeParts: 1e9 },
  },
];

function measure(c: Case): { wall: number; cpu: number; status: string } {
  const engine = new SieveEngine({ config: c.config });
  const program = engine.compile(c.script).program;
  if (!program) throw new Error(`${c.name}: ${engine.compile(c.script).errors[0]?.message}`);
  const raw = Buffer.from(c.message);
  engine.run(program, raw, ENVELOPE);
  const t = performance.now();
  const before = cpuUsage();
  const r = engine.run(program, raw, ENVELOPE);
  const used = cpuUsage(before);
  return { wall: performance.now() - t, cpu: (used.user + used.system) / 1000, status: r.status };
}

function compileTime(): { wall: number; cpu: number; status: string } {
  const engine = new SieveEngine();
  const script = `require "regex"; if header :regex "subject" "${'(|a)'.repeat(250_000)}" { discard; }`;
  const t = performance.now();
  const before = cpuUsage();
  const c = engine.compile(script);
  const used = cpuUsage(before);
  return {
    wall: performance.now() - t,
    cpu: (used.user + used.system) / 1000,
    status: c.errors[0]?.code ?? 'ok',
  };
}

console.log('| case | wall ms | CPU ms | status |\n| --- | ---: | ---: | --- |');
const row = (name: string, m: { wall: number; cpu: number; status: string }) =>
  console.log(`| ${name} | ${m.wall.toFixed(0)} | ${m.cpu.toFixed(0)} | ${m.status} |`);
row('compile: a 1 MB (|a)(|a)... constant regex', compileTime());
for (const c of cases) row(c.name, measure(c));
