/**
 * The trace side by side with Pigeonhole's (`sieve-test -t - -T level=matching`): on the same
 * scripts and messages both must report the same tests run, in the same order, with the same
 * results, and the same comparisons (value, key, outcome) with the same match type and comparator.
 * Pigeonhole compiles anyof, allof, not, true and false into jumps, so only the other tests are
 * compared; its result for a test is read from the jump that follows it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { SieveEngine, type TraceEvent } from '../../src/index.js';
import { createOracle, ORACLE_TAMIS_CONFIG, pigeonholeUnavailable, type Oracle } from './pigeonhole.js';

const unavailable = pigeonholeUnavailable('sieve-test');
if (unavailable) console.warn(`trace comparison skipped: ${unavailable}`);

interface Step {
  test: string;
  result: boolean | null;
  match?: string;
  comparisons: string[];
}

const COMPOSITE = new Set(['anyof', 'allof', 'not', 'true', 'false']);

/** Pigeonhole's trace as steps: a test, its match type and comparator, comparisons, and the result. */
function parsePigeonhole(trace: string): Step[] {
  const steps: Step[] = [];
  let cur: Step | null = null;
  let value = '';
  let jumpOn: boolean | null = null;
  for (const raw of trace.split('\n')) {
    const line = raw.replace(/^\s*\d+:/, '');
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^ (\S+)(?: :\w+)? test/))) {
      cur = { test: m[1]!, result: null, comparisons: [] };
      steps.push(cur);
    } else if (!cur) {
      continue;
    } else if ((m = line.match(/^ {3}starting `:([\w-]+)' match with `([^']+)' comparator/))) {
      // Relational match types print as `:value-ge`.
      cur.match = `${m[1]!.replace(/^(value|count)-/, '$1 ')} ${m[2]}`;
    } else if ((m = line.match(/^ {3}matching (?:count )?value `(.*)'$/))) {
      value = m[1]!;
    } else if ((m = line.match(/^ {5}with key `(.*)' => ([01])$/))) {
      // For :count, Pigeonhole prints something other than whether the key matched: left out.
      if (!cur.match?.startsWith('count')) cur.comparisons.push(`${value} ~ ${m[1]} ${m[2] === '1'}`);
    } else if ((m = line.match(/^ jump if result is (true|false)$/))) {
      jumpOn = m[1] === 'true';
    } else if (jumpOn !== null && /^ {3}(not )?jumping/.test(line)) {
      const jumped = !line.includes('not jumping');
      if (cur.result === null) cur.result = jumped ? jumpOn : !jumpOn;
      jumpOn = null;
    }
  }
  return steps;
}

/** tamis's trace as the same steps, leaving out the tests Pigeonhole compiles away. */
function stepsOf(events: TraceEvent[]): Step[] {
  const steps: Step[] = [];
  const open: Step[] = [];
  for (const e of events) {
    if (e.kind === 'test-start') {
      const step: Step = { test: e.name, result: null, comparisons: [] };
      open.push(step);
      if (!COMPOSITE.has(e.name)) steps.push(step);
    } else if (e.kind === 'test') {
      open.pop()!.result = e.result;
    } else if (e.kind === 'match' && open.length) {
      const step = open[open.length - 1]!;
      step.match = `${e.matchType}${e.relation ? ` ${e.relation}` : ''} ${e.comparator}`;
      step.comparisons = e.comparisons.map((c) => `${c.value} ~ ${c.key} ${c.matched}`);
    }
  }
  return steps;
}

const MESSAGE = [
  'From: Alice <alice@example.org>',
  'To: bob@example.com, carol@example.net',
  'Subject: Hello world',
  'X-Spam-Score: 7.5',
  '',
  'body',
  '',
].join('\r\n');
const ENV = { from: 'sender@example.org', to: 'rcpt@example.com' };

const SCRIPTS: Record<string, string> = {
  'header, address and envelope': [
    'require ["fileinto", "envelope"];',
    'if header :contains "subject" ["foo", "hello"] { fileinto "A"; }',
    'if address :domain :is ["from", "to"] ["example.net", "example.org"] { fileinto "B"; }',
    'if envelope :localpart :is "from" "nobody" { fileinto "C"; }',
    'if address :all :contains "to" ["zzz", "carol"] { fileinto "D"; }',
  ].join('\n'),
  'exists, size, not, anyof and allof': [
    'require ["relational", "comparator-i;ascii-numeric"];',
    'if exists ["subject", "from"] { keep; }',
    'if not exists "x-nope" { keep; }',
    'if anyof (header :is "subject" "nope", address :all :contains "from" "example") { keep; }',
    'if allof (size :under 1M, header :is "subject" "nope", size :over 1) { keep; }',
    'if not header :matches "subject" "Hello*" { keep; } elsif header :is "from" "x" { keep; }',
  ].join('\n'),
  'spamtest, string and match variables': [
    'require ["variables", "fileinto", "spamtest", "relational", "comparator-i;ascii-numeric"];',
    'if spamtest :value "ge" :comparator "i;ascii-numeric" "3" { fileinto "Spam"; }',
    'if header :matches "subject" "* *" { set "w" "${1}"; }',
    // Pigeonhole's string test defaults to i;octet, against RFC 5228 §2.7.3: name the comparator.
    'if string :is :comparator "i;ascii-casemap" "${w}" ["x", "HELLO"] { keep; }',
    'if header :count "ge" :comparator "i;ascii-numeric" "to" "2" { keep; }',
    'if header :count "lt" :comparator "i;ascii-numeric" "to" ["0", "2"] { keep; }',
  ].join('\n'),
};

describe.skipIf(unavailable !== null)('the trace agrees with Pigeonhole sieve-test -T level=matching', () => {
  let oracle: Oracle | null = null;
  const engine = new SieveEngine({ config: ORACLE_TAMIS_CONFIG });
  afterAll(() => {
    if (oracle) rmSync(oracle.dir, { recursive: true, force: true });
  });

  it.each(Object.keys(SCRIPTS))('%s', (name) => {
    oracle ??= createOracle();
    const n = Object.keys(SCRIPTS).indexOf(name);
    const scriptFile = oracle.write(`trace-${n}.sieve`, SCRIPTS[name]!);
    const messageFile = oracle.write(`trace-${n}.eml`, MESSAGE);
    const r = oracle.runSync('sieve-test', [
      '-t',
      '-',
      '-T',
      'level=matching',
      '-f',
      ENV.from,
      '-a',
      ENV.to,
      scriptFile,
      messageFile,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const theirs = parsePigeonhole(r.stdout);
    const compiled = engine.compile(SCRIPTS[name]!);
    const events: TraceEvent[] = [];
    engine.run(compiled.program!, Buffer.from(MESSAGE), ENV, { trace: (e) => events.push(e) });
    const ours = stepsOf(events);
    expect(theirs.length).toBeGreaterThan(2);
    expect(ours).toEqual(theirs);
  });
});
