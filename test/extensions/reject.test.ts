import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, runScript } from '../support/engine.js';
import type { Envelope } from '../../src/message/types.js';
import type { Action } from '../../src/runtime/result.js';
import { oracleMissing, sieveTest } from './pigeonhole-sieve-test.js';

const MESSAGE = [
  'From: stephan@example.org',
  'To: nico@frop.example.org',
  'Subject: Test',
  '',
  'Test.',
  '',
].join('\r\n');
const ENVELOPE: Envelope = { from: 'sirius@example.org', to: 'nico@frop.example.org' };

const engine = new SieveEngine();

function errorsOf(script: string): string[] {
  return compileErrors(script, engine);
}

function run(script: string, envelope = ENVELOPE): { status: string; actions: Action[]; errors: string[] } {
  const r = runScript(script, { engine, message: MESSAGE, envelope });
  return { status: r.status, actions: r.actions, errors: r.errors.map((e) => `${e.line}: ${e.message}`) };
}

describe('reject and ereject: compile-time checks', () => {
  it('each needs its own capability', () => {
    expect(errorsOf('reject "no";')).toEqual(['reject used without require "reject"']);
    expect(errorsOf('ereject "no";')).toEqual(['ereject used without require "ereject"']);
    expect(errorsOf('require "reject";\nereject "no";')).toEqual(['ereject used without require "ereject"']);
    expect(errorsOf('require "ereject";\nreject "no";')).toEqual(['reject used without require "reject"']);
    expect(engine.capabilities()).toEqual(expect.arrayContaining(['reject', 'ereject']));
  });

  it('takes exactly one reason string and no tags', () => {
    expect(errorsOf('require "reject";\nreject;')[0]).toMatch(
      /reject command requires 1 positional argument/,
    );
    expect(errorsOf('require "reject";\nreject ["a", "b"];')[0]).toMatch(
      /expects a string as argument 1, but a string list was found/,
    );
    expect(errorsOf('require "reject";\nreject 5;')[0]).toMatch(
      /expects a string as argument 1, but a number was found/,
    );
    expect(errorsOf('require "reject";\nreject "a" "b";')[0]).toMatch(/requires 1 positional argument/);
    expect(errorsOf('require "ereject";\nereject :copy "a";')[0]).toMatch(
      /unknown tagged argument ':copy' for the ereject command/,
    );
    expect(errorsOf('require "reject";\nreject "no" { keep; }')[0]).toMatch(/takes no block/);
  });
});

describe('reject and ereject: the action', () => {
  it('cancels the implicit keep and records the reason', () => {
    expect(run('require "reject";\nreject "I don\'t want your mail";')).toEqual({
      status: 'ok',
      actions: [{ type: 'reject', reason: "I don't want your mail" }],
      errors: [],
    });
    expect(run('require "ereject";\nereject "go away";').actions).toEqual([
      { type: 'ereject', reason: 'go away' },
    ]);
  });

  it('keeps a multi-line reason as written', () => {
    const r = run('require "reject";\nreject text:\nline one\r\n..line two\r\n.\r\n;');
    expect(r.actions).toEqual([{ type: 'reject', reason: 'line one\r\n.line two\r\n' }]);
  });

  it('expands variables in the reason', () => {
    const r = run('require ["reject", "variables"];\nset "why" "spam";\nreject "no ${why} please";');
    expect(r.actions).toEqual([{ type: 'reject', reason: 'no spam please' }]);
  });

  it('runs the Pigeonhole example: reject and stop before keep', () => {
    const r = run(
      'require "reject";\nif address :contains "to" "frop.example" {\n  reject "Don\'t send unrequested messages.";\n  stop;\n}\nkeep;',
    );
    expect(r.actions).toEqual([{ type: 'reject', reason: "Don't send unrequested messages." }]);
  });

  it("records the reject for a null sender too (how to refuse is the host's decision)", () => {
    expect(run('require "reject";\nreject "no";', { from: '', to: 'nico@frop.example.org' }).actions).toEqual(
      [{ type: 'reject', reason: 'no' }],
    );
  });

  it('goes with discard in either order', () => {
    expect(run('require "reject";\nreject "no";\ndiscard;').actions.map((a) => a.type)).toEqual([
      'reject',
      'discard',
    ]);
    expect(run('require "reject";\ndiscard;\nreject "no";').actions.map((a) => a.type)).toEqual([
      'discard',
      'reject',
    ]);
  });
});

describe('reject and ereject: conflicts (RFC 5429 §2.4, Pigeonhole)', () => {
  const fails = (script: string, error: string) => {
    const r = run(script);
    expect(r.status).toBe('error');
    expect(r.errors).toEqual([error]);
    // A failed script falls back to keeping the message.
    expect(r.actions).toEqual([{ type: 'keep', mailbox: 'INBOX', implicit: true }]);
  };

  it('refuses actions that deliver the message, before or after the reject', () => {
    fails('require "reject";\nreject "no";\nkeep;', '3: keep action conflicts with earlier reject action');
    fails('require "reject";\nkeep;\nreject "no";', '3: reject action conflicts with earlier keep action');
    fails(
      'require ["reject", "fileinto"];\nreject "no";\nfileinto "Spam";',
      '3: fileinto action conflicts with earlier reject action',
    );
    fails(
      'require ["reject", "fileinto"];\nfileinto "Spam";\nreject "no";',
      '3: reject action conflicts with earlier fileinto action',
    );
    fails(
      'require "reject";\nreject "no";\nredirect "frop@example.com";',
      '3: redirect action conflicts with earlier reject action',
    );
    fails(
      'require "ereject";\nredirect "frop@example.com";\nereject "no";',
      '3: ereject action conflicts with earlier redirect action',
    );
  });

  it('refuses :copy deliveries too (they still deliver)', () => {
    fails(
      'require ["reject", "fileinto", "copy"];\nfileinto :copy "Spam";\nreject "no";',
      '3: reject action conflicts with earlier fileinto action',
    );
    fails(
      'require ["reject", "copy"];\nreject "no";\nredirect :copy "a@example.org";',
      '3: redirect action conflicts with earlier reject action',
    );
  });

  it('refuses vacation, which also answers the sender', () => {
    fails(
      'require ["reject", "vacation"];\nreject "no";\nvacation "away";',
      '3: vacation action conflicts with earlier reject action',
    );
    fails(
      'require ["reject", "vacation"];\nvacation "Ik ben ff weg.";\nreject "Ik heb nu geen zin aan mail.";',
      '3: reject action conflicts with earlier vacation action',
    );
    fails(
      'require ["ereject", "vacation"];\nvacation "away";\nereject "no";',
      '3: ereject action conflicts with earlier vacation action',
    );
  });

  it('allows only one reject or ereject', () => {
    fails(
      'require "reject";\nreject "Message is not appreciated.";\nreject "No, really, it is not appreciated.";',
      '3: reject action conflicts with earlier reject action',
    );
    fails(
      'require ["reject", "ereject"];\nreject "a";\nereject "b";',
      '3: ereject action conflicts with earlier reject action',
    );
  });
});

describe.skipIf(oracleMissing !== null)('reject: same conflicts as Pigeonhole sieve-test', () => {
  if (oracleMissing) console.warn(`skipping Pigeonhole comparison: ${oracleMissing}`);
  const scripts = [
    'require ["reject", "fileinto"];\nreject "No nonsense in my mailbox.";\nfileinto "Spam";',
    'require ["reject", "fileinto"];\nfileinto "Spam";\nreject "no";',
    'require ["reject", "copy"];\nreject "no";\nredirect :copy "a@example.org";',
    'require ["reject", "vacation"];\nvacation "away";\nreject "no";',
    'require "reject";\nreject "no";\nreject "again";',
    'require "reject";\nreject "no";\ndiscard;',
    'require "reject";\nreject "no";',
  ];
  for (const script of scripts) {
    it(script.split('\n').slice(1).join(' '), () => {
      const out = sieveTest(script, MESSAGE, { from: ENVELOPE.from, to: ENVELOPE.to }).output;
      const theirsFailed = /final result: failed/.test(out);
      if (!theirsFailed) expect(out).toMatch(/reject message with reason/);
      const ours = run(script);
      expect(ours.status === 'error').toBe(theirsFailed);
      if (!theirsFailed) expect(ours.actions.some((a) => a.type === 'reject')).toBe(true);
    });
  }
});
