import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { holds as testHolds, runScript } from '../support/engine.js';
import { compileRegex, posixToRe2 } from '../../src/extensions/regex.js';

const MESSAGE = Buffer.from(
  [
    'From: Stephan <stephan+sieve@friep.example.com>',
    'Sender: antlr-interest-bounces@ant.example.com',
    'Subject: Re: [Dovecot] regex',
    'X-Long: ' + 'a'.repeat(3000),
    '',
    'Body',
    '',
  ].join('\r\n'),
);
const ENVELOPE = { from: 'a@example.org', to: 'b@example.net' };
const engine = new SieveEngine();

function run(body: string) {
  return runScript(`require ["regex", "variables", "fileinto"];\n${body}`, {
    engine,
    message: MESSAGE,
    envelope: ENVELOPE,
  });
}

function holds(test: string): boolean {
  return testHolds(test, 'require ["regex", "variables", "fileinto"];\n', {
    engine,
    message: MESSAGE,
    envelope: ENVELOPE,
  });
}

/** Runs a script that files into "${name}" and returns the mailbox. */
function captured(script: string): string {
  const r = run(script);
  expect(r.errors).toEqual([]);
  const f = r.actions.find((a) => a.type === 'fileinto');
  return f && 'mailbox' in f ? f.mailbox : '';
}

describe(':regex match type', () => {
  it('searches anywhere in the value and folds case with i;ascii-casemap', () => {
    expect(holds('header :regex "sender" "interest-bounces@"')).toBe(true);
    expect(holds('header :regex "sender" "INTEREST"')).toBe(true);
    expect(holds('header :regex :comparator "i;octet" "sender" "INTEREST"')).toBe(false);
    expect(holds('header :regex "sender" "^interest"')).toBe(false);
  });

  it('understands POSIX bracket classes and literal backslashes in brackets', () => {
    expect(holds('header :regex "subject" "^Re: \\\\[[[:alpha:]]+\\\\]"')).toBe(true);
    expect(holds('header :regex "subject" "[[:digit:]]"')).toBe(false);
    expect(posixToRe2('[\\]')).toBe('[\\\\]');
    expect(compileRegex('[\\d]', false).matches('\\')).toBe(true);
    expect(compileRegex('[\\d]', false).matches('1')).toBe(false);
  });

  it('reads a quantifier after a quantifier the POSIX way, not as lazy', () => {
    // POSIX: (a*)? matches the whole run; a lazy star would stop at once.
    const re = compileRegex('a*?', false);
    const m = re.matcher('aaa');
    expect(m.find()).toBe(true);
    expect(m.group(0)).toBe('aaa');
  });

  it('sets ${0}..${n} from the groups; unmatched groups are empty', () => {
    expect(
      captured(
        'if header :regex "sender" "([^-@]*)-([^-@]*)(-bounces)?(x)?@" { fileinto "${1}.${2}.${3}.${4}.${0}"; }',
      ),
    ).toBe('antlr.interest.-bounces..antlr-interest-bounces@');
  });

  it('reports invalid constant patterns as compile errors', () => {
    const errors = (s: string) => engine.compile(`require "regex";\n${s}`).errors.map((e) => e.message);
    expect(errors('if header :regex "to" "a(+b" { keep; }')[0]).toMatch(/invalid regular expression/);
    expect(errors('if header :regex "to" "ex[]ample" { keep; }')[0]).toMatch(/bracket/);
    expect(errors('if header :regex "to" "(a)\\\\1" { keep; }')[0]).toMatch(/back-references/);
    expect(errors('if header :regex "to" "(?i)a" { keep; }')[0]).toMatch(/not POSIX/);
    expect(
      errors(
        'require "comparator-i;ascii-numeric";\nif header :regex :comparator "i;ascii-numeric" "to" "1" { keep; }',
      ),
    ).toHaveLength(1);
  });

  it('fails the run for an invalid pattern built from variables', () => {
    const r = run('set "p" "[";\nif header :regex "from" "${p}" { discard; }');
    expect(r.status).toBe('error');
    expect(r.errors[0]!.message).toMatch(/invalid regular expression/);
  });

  it('stays linear on patterns that make backtracking engines explode', () => {
    // (a+)+$ over "aaaa...b" takes exponential time with backtracking.
    expect(holds('header :regex "x-long" "^(a+)+$"')).toBe(true);
    const hostile = 'a'.repeat(3000) + 'b';
    const re = compileRegex('^(a|a)*(a+)+$', false);
    expect(re.test(hostile)).toBe(false);
  });

  it('refuses patterns whose program is too large', () => {
    expect(() => compileRegex('(a{1000}){1000}', false)).toThrow();
  });
});

describe(':quoteregex modifier', () => {
  it('escapes every character special to regex', () => {
    expect(captured('set :quoteregex "q" "a.b*c(d)[e]{f}|g^h$i+j?k\\\\l"; fileinto "${q}";')).toBe(
      'a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\+j\\?k\\\\l',
    );
  });

  it('makes a value match itself literally', () => {
    const r = run(
      'set :quoteregex "q" "Re: [Dovecot]";\nif header :regex "subject" "^${q} regex$" { discard; }',
    );
    expect(r.actions.some((a) => a.type === 'discard')).toBe(true);
  });
});
