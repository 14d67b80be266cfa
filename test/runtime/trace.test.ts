import { describe, expect, it } from 'vitest';
import { SieveEngine, type TraceEvent } from '../../src/index.js';

const MSG = Buffer.from(
  [
    'From: Alice <alice@example.org>',
    'To: bob@example.com, carol+lists@example.net',
    'Subject: Hello world',
    'X-Spam-Score: 7.5',
    '',
    'body',
    '',
  ].join('\r\n'),
);
const ENV = { from: 'sender@example.org', to: 'rcpt@example.com' };

function trace(source: string, engine = new SieveEngine()): { events: TraceEvent[]; status: string } {
  const c = engine.compile(source);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const events: TraceEvent[] = [];
  const r = engine.run(c.program, MSG, ENV, { trace: (e) => events.push(e) });
  return { events, status: r.status };
}

/** The events without their positions, for comparing sequences. */
function bare(events: TraceEvent[]): Record<string, unknown>[] {
  return events.map(({ pos: _pos, ...rest }) => rest);
}

describe('trace events', () => {
  it('reports the header values read and each key compared, in order, until the first match', () => {
    const { events } = trace('if header :contains "subject" ["foo", "hello", "world"] { keep; }');
    expect(bare(events.slice(0, 4))).toEqual([
      { kind: 'test-start', name: 'header', depth: 0 },
      { kind: 'values', source: 'header', name: 'subject', values: ['Hello world'], depth: 1 },
      {
        kind: 'match',
        matchType: 'contains',
        comparator: 'i;ascii-casemap',
        values: ['Hello world'],
        keys: ['foo', 'hello', 'world'],
        comparisons: [
          { value: 'Hello world', key: 'foo', matched: false },
          { value: 'Hello world', key: 'hello', matched: true },
        ],
        result: true,
        depth: 1,
      },
      { kind: 'test', name: 'header', result: true, depth: 0 },
    ]);
    expect(events[0]!.pos).toMatchObject({ line: 1, column: 4 });
    // The action inside the block is one level deeper and says what it added.
    expect(events[4]).toMatchObject({ kind: 'action', name: 'keep', depth: 1, pos: { line: 1, column: 59 } });
    expect((events[4] as { actions: unknown[] }).actions).toEqual([{ type: 'keep', mailbox: 'INBOX' }]);
  });

  it('names the header and address part of each address value', () => {
    const { events } = trace('if address :domain :is ["from", "to"] "example.net" { keep; }');
    const values = events.filter((e) => e.kind === 'values');
    expect(bare(values)).toEqual([
      { kind: 'values', source: 'address', name: 'from', part: 'domain', values: ['example.org'], depth: 1 },
      {
        kind: 'values',
        source: 'address',
        name: 'to',
        part: 'domain',
        values: ['example.com', 'example.net'],
        depth: 1,
      },
    ]);
    const match = events.find((e) => e.kind === 'match');
    expect(match).toMatchObject({ matchType: 'is', result: true });
    expect(match?.kind === 'match' && match.comparisons.map((c) => c.matched)).toEqual([false, false, true]);
  });

  it('reports envelope parts with their address part', () => {
    const { events } = trace('require "envelope";\nif envelope :localpart :is "from" "sender" { stop; }');
    expect(events.find((e) => e.kind === 'values')).toMatchObject({
      source: 'envelope',
      name: 'from',
      part: 'localpart',
      values: ['sender'],
    });
    expect(events.at(-1)).toMatchObject({ kind: 'stop', depth: 1, pos: { line: 2 } });
  });

  it('reports the spamtest score, the header it came from, and the value matched', () => {
    const engine = new SieveEngine({ config: { spamtest: { header: 'X-Spam-Score', max: 15 } } });
    const { events } = trace(
      'require ["spamtest", "relational", "comparator-i;ascii-numeric"];\n' +
        'if spamtest :value "ge" :comparator "i;ascii-numeric" "3" { keep; }',
      engine,
    );
    expect(bare(events.filter((e) => e.kind === 'score'))).toEqual([
      {
        kind: 'score',
        test: 'spamtest',
        header: 'X-Spam-Score',
        instance: 1,
        raw: '7.5',
        ratio: 0.5,
        value: '5',
        depth: 1,
      },
    ]);
    expect(events.find((e) => e.kind === 'match')).toMatchObject({
      matchType: 'value',
      relation: 'ge',
      comparator: 'i;ascii-numeric',
      comparisons: [{ value: '5', key: '3', matched: true }],
    });
  });

  it('reports a missing spamtest header as not tested', () => {
    const { events } = trace('require "spamtest";\nif spamtest "0" { keep; }');
    expect(events.find((e) => e.kind === 'score')).toMatchObject({ raw: null, ratio: null, value: '0' });
  });

  it('reports match variables and each assignment', () => {
    const { events } = trace(
      'require "variables";\nif header :matches "subject" "* *" { set :upper "w" "${2}"; }\n' +
        'if string :is "${w}" "WORLD" { keep; }',
    );
    expect(events.find((e) => e.kind === 'match')).toMatchObject({
      matchValues: ['Hello world', 'Hello', 'world'],
    });
    expect(bare(events.filter((e) => e.kind === 'set'))).toEqual([
      { kind: 'set', name: 'w', value: 'WORLD', depth: 1 },
    ]);
    expect(events.find((e) => e.kind === 'set')!.pos).toMatchObject({ line: 2, column: 38 });
    expect(events.find((e) => e.kind === 'values' && e.source === 'string')).toMatchObject({
      values: ['WORLD'],
    });
  });

  it('shows where anyof and allof stop, nested one level deeper', () => {
    const { events } = trace(
      'if anyof (false, true, false) { keep; }\nif allof (true, false, true) { keep; }',
    );
    const tests = events.filter((e) => e.kind === 'test').map((e) => [e.name, e.depth, e.result]);
    expect(tests).toEqual([
      ['false', 1, false],
      ['true', 1, true],
      ['anyof', 0, true],
      ['true', 1, true],
      ['false', 1, false],
      ['allof', 0, false],
    ]);
  });

  it('reports not with its own result after the test it inverts', () => {
    const { events } = trace('if not exists ["subject", "x-missing"] { keep; }');
    expect(bare(events.slice(0, 6))).toEqual([
      { kind: 'test-start', name: 'not', depth: 0 },
      { kind: 'test-start', name: 'exists', depth: 1 },
      { kind: 'exists', header: 'subject', present: true, depth: 2 },
      { kind: 'exists', header: 'x-missing', present: false, depth: 2 },
      { kind: 'test', name: 'exists', result: false, depth: 1 },
      { kind: 'test', name: 'not', result: true, depth: 0 },
    ]);
  });

  it('reports size, relational counts and run-time errors', () => {
    const { events, status } = trace(
      'require ["relational", "comparator-i;ascii-numeric", "variables"];\n' +
        'if size :over 10 { keep; }\n' +
        'if header :count "eq" :comparator "i;ascii-numeric" "to" "1" { keep; }\n' +
        'set "a" "no address";\nredirect "${a}";\n',
    );
    expect(status).toBe('error');
    expect(events.find((e) => e.kind === 'size')).toMatchObject({ comparison: 'over', limit: 10 });
    expect(events.find((e) => e.kind === 'match')).toMatchObject({
      matchType: 'count',
      count: 1,
      result: true,
    });
    expect(events.at(-1)).toMatchObject({ kind: 'error', pos: { line: 5 } });
  });

  it('reports include and return, the included steps one level deeper', () => {
    const scripts: Record<string, string> = { lib: 'require "include";\nif true { return; }\nkeep;' };
    const engine = new SieveEngine({ host: { loadScript: (name) => scripts[name] ?? null } });
    const { events } = trace('require "include";\ninclude "lib";\ninclude :once :optional "none";', engine);
    expect(bare(events)).toEqual([
      { kind: 'include', script: 'lib', location: 'personal', ran: true, depth: 0 },
      { kind: 'test-start', name: 'true', depth: 1 },
      { kind: 'test', name: 'true', result: true, depth: 1 },
      { kind: 'return', depth: 2 },
      { kind: 'action', name: 'return', actions: [], depth: 2 },
      { kind: 'action', name: 'include', actions: [], depth: 0 },
      { kind: 'include', script: 'none', location: 'personal', ran: false, depth: 0 },
      { kind: 'action', name: 'include', actions: [], depth: 0 },
    ]);
  });

  it('gives runAsync the events of the attempt that counted only', async () => {
    const engine = new SieveEngine();
    const c = engine.compile(
      'require ["mailbox", "fileinto"];\nif mailboxexists "Lists" { fileinto "Lists"; }',
    );
    const events: TraceEvent[] = [];
    const host = { mailboxExists: (name: string) => Promise.resolve(name === 'Lists') };
    await engine.runAsync(c.program!, MSG, ENV, { host, trace: (e) => events.push(e) });
    expect(events.map((e) => e.kind)).toEqual(['test-start', 'test', 'action']);
  });

  it('leaves results and match variables as an untraced run has them', () => {
    const engine = new SieveEngine();
    const source =
      'require ["variables", "fileinto"];\n' +
      'if anyof (header :matches "subject" "x*", header :matches "subject" "*o w*") { fileinto "${1}-${2}"; }';
    const c = engine.compile(source);
    const plain = engine.run(c.program!, MSG, ENV);
    const traced = engine.run(c.program!, MSG, ENV, { trace: () => {} });
    expect(traced).toEqual(plain);
    expect(plain.actions[0]).toMatchObject({ type: 'fileinto', mailbox: 'Hell-orld' });
  });
});
