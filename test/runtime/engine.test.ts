import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { runScript } from '../support/engine.js';
import { compileGlob } from '../../src/runtime/match-types.js';

const MESSAGE = Buffer.from(
  [
    'From: "Alice Example" <alice@example.org>',
    'To: bob@example.com, "Carol" <carol@example.net>',
    'Subject: Weekly report: numbers are up',
    'X-Count: 42',
    '',
    'Body text.',
    '',
  ].join('\r\n'),
);
const ENVELOPE = { from: 'alice@example.org', to: 'bob@example.com' };

function run(script: string, message = MESSAGE, engine = new SieveEngine()) {
  return runScript(script, { engine, message, envelope: ENVELOPE });
}

describe(':matches patterns', () => {
  const cases: Array<[string, string, string[] | null]> = [
    ['*', 'abc', ['abc']],
    ['', '', []],
    ['', 'a', null],
    ['a?c', 'abc', ['b']],
    ['a?c', 'ac', null],
    ['*@*', 'alice@example.org', ['alice', 'example.org']],
    // The leftmost star takes as little as it can (RFC 5229 §3.2).
    ['*.*', 'a.b.c', ['a', 'b.c']],
    ['coyote@**.com', 'coyote@ACME.Example.COM', null],
    ['coyote@**.COM', 'coyote@ACME.Example.COM', ['', 'ACME.Example']],
    ['\\*\\?', '*?', []],
    ['\\*', 'x', null],
    ['a*b*c', 'aXbYbZc', ['X', 'YbZ']],
    ['*b', 'abab', ['aba']],
    ['?*?', 'ab', ['a', '', 'b']],
    ['😀?', '😀é', ['é']],
    ['?', '😀', ['😀']],
  ];
  it.each(cases)('%j against %j', (pattern, value, captures) => {
    const spans = compileGlob(pattern)(value);
    if (captures === null) expect(spans).toBeNull();
    else expect(spans!.map(([s, e]) => value.slice(s, e))).toEqual(captures);
  });

  it('sets match variables only when the test succeeds', () => {
    const r = run(`require ["variables", "fileinto"];
      if header :matches "subject" "*: *" { set "a" "\${1}|\${2}"; }
      if header :matches "subject" "nothing*" { set "a" "changed"; }
      fileinto "\${a}";`);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'Weekly report|numbers are up' }]);
  });

  it('stays fast and correct for many stars against a long header (no backtracking blow-up)', () => {
    const long = 'a'.repeat(200_000);
    const message = Buffer.from(`Subject: ${long}\r\n\r\nx\r\n`);
    const stars = '*a'.repeat(500) + '*b';
    const r = run(
      `require "fileinto"; if header :matches "subject" "${stars}" { fileinto "hit"; } else { fileinto "miss"; }`,
      message,
    );
    expect(r.status).toBe('ok');
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'miss' }]);
    const hit = run(
      `require "fileinto"; if header :matches "subject" "${'*a'.repeat(500)}*" { fileinto "hit"; }`,
      message,
    );
    expect(hit.actions).toEqual([{ type: 'fileinto', mailbox: 'hit' }]);
  });
});

describe('result', () => {
  it('keeps the implicit keep unless an action cancels it', () => {
    expect(run('if false { discard; }').actions).toEqual([
      { type: 'keep', mailbox: 'INBOX', implicit: true },
    ]);
    expect(run('discard;').actions).toEqual([{ type: 'discard' }]);
    expect(run('require ["fileinto", "copy"]; fileinto :copy "A";').actions).toEqual([
      { type: 'fileinto', mailbox: 'A', copy: true },
      { type: 'keep', mailbox: 'INBOX', implicit: true },
    ]);
  });

  it('reads the envelope recipient only for a script that needs it', () => {
    const engine = new SieveEngine();
    let reads = 0;
    const envelope = {
      from: 'alice@example.org',
      get to() {
        reads++;
        return 'bob@example.com';
      },
    };
    const plain = engine.compile('if header :contains "subject" "report" { keep; }').program!;
    expect(engine.run(plain, MESSAGE, envelope).status).toBe('ok');
    expect(reads).toBe(0);
    // duplicate keeps records per user, the recipient when none is given.
    const users: string[] = [];
    const dup = engine.compile('require "duplicate"; if duplicate { discard; }').program!;
    const host = { duplicateSeen: (q: { user: string }) => (users.push(q.user), false) };
    const withId = Buffer.concat([Buffer.from('Message-ID: <1@example.org>\r\n'), MESSAGE]);
    expect(engine.run(dup, withId, envelope, { host }).status).toBe('ok');
    expect(users).toEqual(['bob@example.com']);
    expect(engine.run(dup, withId, envelope, { host, user: 'carol' }).status).toBe('ok');
    expect(users).toEqual(['bob@example.com', 'carol']);
  });

  it('merges duplicates: one delivery per mailbox, one redirect per address', () => {
    const r = run(`require "fileinto";
      fileinto "A"; fileinto "A"; keep; fileinto "INBOX";
      redirect "x@example.org"; redirect "X <x@EXAMPLE.org>";`);
    expect(r.actions).toEqual([
      { type: 'fileinto', mailbox: 'A' },
      { type: 'keep', mailbox: 'INBOX' },
      { type: 'redirect', address: 'x@example.org' },
    ]);
  });

  it('stops at stop, including inside nested blocks', () => {
    const r = run('require "fileinto"; if true { if true { fileinto "A"; stop; } } fileinto "B";');
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'A' }]);
  });

  it('fails the run and keeps the message when a limit is exceeded', () => {
    const engine = new SieveEngine({ config: { maxRedirects: 2, maxActions: 3 } });
    const redirects = run('redirect "a@x.org"; redirect "b@x.org"; redirect "c@x.org";', MESSAGE, engine);
    expect(redirects.status).toBe('error');
    expect(redirects.errors[0]).toMatchObject({ line: 1, column: 41 });
    expect(redirects.errors[0]!.message).toMatch(/redirect.*limit \(2\)/);
    expect(redirects.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
    const actions = run(
      'require "fileinto"; fileinto "a"; fileinto "b"; fileinto "c"; fileinto "d";',
      MESSAGE,
      engine,
    );
    expect(actions.status).toBe('error');
    expect(actions.errors[0]!.message).toMatch(/actions.*limit \(3\)/);
  });

  it('refuses conflicting actions at run time with the position of the second one', () => {
    const r = run('require ["reject", "fileinto"];\nfileinto "A";\nreject "no";');
    expect(r.status).toBe('error');
    expect(r.errors[0]).toMatchObject({ line: 3, column: 1 });
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  });
});

describe('tests over the message', () => {
  it('address parts, comparators and size', () => {
    const r = run(`require ["fileinto", "relational", "comparator-i;ascii-numeric"];
      if address :domain :is "to" "EXAMPLE.NET" { fileinto "casemap"; }
      if address :domain :comparator "i;octet" :is "to" "EXAMPLE.NET" { fileinto "octet"; }
      if address :localpart :is "from" "alice" { fileinto "local"; }
      if header :value "gt" :comparator "i;ascii-numeric" "x-count" "41" { fileinto "numeric"; }
      if size :under 1K { fileinto "small"; }
      if exists ["subject", "x-missing"] { fileinto "never"; }`);
    expect(r.actions.map((a) => (a.type === 'fileinto' ? a.mailbox : a.type))).toEqual([
      'casemap',
      'local',
      'numeric',
      'small',
    ]);
  });

  it('never throws on binary junk as a message', () => {
    const junk = Buffer.from(Array.from({ length: 64 * 1024 }, (_, i) => (i * 7919) % 256));
    const r = run(
      'require ["envelope", "fileinto"]; if anyof (header :contains "subject" "x", address :all :is "from" "a@b", exists "to", size :over 1) { fileinto "J"; }',
      junk,
    );
    expect(r.status).toBe('ok');
  });

  it('handles a huge string list of keys', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `"k${i}"`).join(', ');
    const r = run(`require "fileinto"; if header :is "x-count" [${keys}, "42"] { fileinto "found"; }`);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'found' }]);
  });
});

describe('compile limits', () => {
  it('refuses nesting beyond the limit with an error instead of overflowing the stack', () => {
    const deep = 'if true { '.repeat(5000) + '}'.repeat(5000);
    const r = new SieveEngine().compile(deep);
    expect(r.program).toBeNull();
    expect(r.errors[0]!.message).toMatch(/nested too deeply/);
    const nots = new SieveEngine().compile(`if ${'not '.repeat(5000)}true { }`);
    expect(nots.errors[0]!.message).toMatch(/nested too deeply/);
  });

  it('refuses a script over the size limit', () => {
    const r = new SieveEngine({ config: { maxScriptSize: 1000 } }).compile(`# ${'x'.repeat(2000)}\nkeep;`);
    expect(r.program).toBeNull();
    expect(r.errors[0]!.message).toMatch(/too large/);
  });
});
