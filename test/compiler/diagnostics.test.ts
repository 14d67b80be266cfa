import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';

const engine = new SieveEngine();
const errors = (src: string) => engine.compile(src).errors.map((e) => `${e.line}: ${e.message}`);

describe('argument checks', () => {
  it('reports one error per command and stops at its first bad argument', () => {
    expect(errors('if header :all :bogus 1 2 {}')).toEqual([
      "1: unknown tagged argument ':all' for the header test (it takes :comparator, :contains, :is, :matches)",
    ]);
    expect(errors('if address :comparator :frop "from" "x" {}')).toEqual([
      '1: tag :comparator of address test needs a string argument, not a tag :frop',
    ]);
  });

  it('names the positional arguments it knows', () => {
    expect(errors('if header :is 45 "x" {}')).toEqual([
      '1: header test expects a string list as argument 1 (header names), but a number was found',
    ]);
    expect(errors('if address "from" {}')).toEqual([
      '1: the address test requires 2 positional arguments (header list, key list), but 1 was specified',
    ]);
    expect(errors('require "fileinto"; fileinto;')).toEqual([
      '1: the fileinto command requires 1 positional argument (string), but 0 were specified',
    ]);
  });

  it('prefers "unknown tag" over "misplaced tag" and reports a known misplaced one', () => {
    expect(errors('if header "a" "b" :nope {}')[0]).toMatch(/^1: unknown tagged argument ':nope'/);
    expect(errors('if address "from" "x" :is {}')).toEqual([
      "1: unexpected tagged argument ':is' after the positional arguments of the address test",
    ]);
  });

  it('reports a misspelt tag of a command only where it first appears', () => {
    const src = 'keep :flgs "a";\nkeep :flgs "b";\ndiscard :flgs;';
    expect(errors(src)).toEqual([
      "1: unknown tagged argument ':flgs' for the keep command (it takes none)",
      "3: unknown tagged argument ':flgs' for the discard command (it takes none)",
    ]);
  });

  it('reports an unknown command or test once', () => {
    expect(errors('frob;\nfrob;\nif frib {} if frib {}')).toEqual([
      "1: unknown command 'frob'",
      "3: unknown test 'frib'",
    ]);
  });
});

describe('sub-tests and blocks', () => {
  it('tells a missing semicolon from a spurious test and a lost colon', () => {
    expect(errors('require "fileinto";\nfileinto "a"\nkeep;')).toEqual([
      "3: missing semicolon after fileinto command (before 'keep')",
    ]);
    expect(errors('require "fileinto";\nfileinto "a"\ntrue;')).toEqual([
      "3: the fileinto command accepts no tests, but the test 'true' was specified (missing semicolon?)",
    ]);
    expect(errors('if address matches "from" "*x*" {}')).toEqual([
      '1: the address test requires 2 positional arguments (header list, key list), but 0 were specified',
      "1: missing colon before 'matches': it is the :matches tag of the address test",
    ]);
    expect(errors('if header "a" "b" true {}')).toEqual([
      "1: the header test accepts no sub-tests, but 'true' was specified (missing block or operator?)",
    ]);
  });

  it('reports a missing block even when the test is broken too', () => {
    expect(errors('if setflag;')).toEqual([
      "1: 'setflag' is a command, not a test",
      '1: if needs a block in braces',
    ]);
    expect(errors('if address :count "eq" ;')).toHaveLength(2);
    expect(errors('if { keep; }')).toEqual(['1: if needs a test']);
    expect(errors('if true {} else if false {}')).toEqual([
      '1: else takes no test (write elsif, not else if)',
    ]);
  });

  it('explains a test written as a command', () => {
    expect(errors('header "a" "b";')).toEqual([
      "1: cannot use test 'header' as a command (a test belongs in the condition of if or elsif)",
    ]);
  });
});

describe('require', () => {
  it('says that core commands are no capabilities', () => {
    expect(errors('require ["keep", "_x"];')).toEqual([
      '1: "keep" is not a capability: the keep command is always available',
      '1: unsupported capability "_x"',
    ]);
  });

  it('gives a malformed require one error and still enables what it names', () => {
    expect(errors('require "fileinto" true;\nfileinto "x";')).toEqual([
      "1: the require command accepts no tests, but the test 'true' was specified (missing semicolon?)",
    ]);
    expect(errors('require "dovecot.test" true;')).toHaveLength(1);
  });
});

describe('address test fields', () => {
  it('accepts address fields and refuses others with constant names', () => {
    expect(errors('if address ["to", "reply-to", "X-Original-To"] "x" {}')).toEqual([]);
    expect(errors('if address ["to", "frop"] "x" {}')).toEqual([
      "1: header 'frop' is not allowed for the address test: it holds no addresses (use the header test)",
    ]);
    expect(errors('require "variables"; set "h" "frop"; if address "${h}" "x" {}')).toEqual([]);
  });
});

describe('variables limits', () => {
  it('refuses match variables above maxMatchIndex and long variable names', () => {
    expect(errors('require "variables"; if string "${32}" "" {}')).toEqual([]);
    expect(errors('require "variables"; if string "${33}" "" {}')).toEqual([
      '1: match variable ${33} is out of range (the highest is ${32})',
    ]);
    expect(errors(`require "variables"; set "${'v'.repeat(64)}" "x";`)).toEqual([]);
    expect(errors(`require "variables"; set "${'v'.repeat(65)}" "x";`)[0]).toMatch(
      /is too long \(limit 64 characters\)/,
    );
    const small = new SieveEngine({ config: { maxMatchIndex: 9, maxVariableNameLength: 8 } });
    expect(small.compile('require "variables"; set "abcdefghi" "${10}";').errors).toHaveLength(2);
  });

  it('refuses a comparator name built from a variable', () => {
    expect(errors('require "variables"; if header :comparator "${c}" "a" "b" {}')).toEqual([
      '1: the comparator name must be a constant, not "${c}" (variables cannot be used here)',
    ]);
  });
});

describe('nesting limit', () => {
  it('follows Pigeonhole: 32 nested blocks by default', () => {
    const nest = (n: number) => 'if true { '.repeat(n) + 'stop;' + ' }'.repeat(n);
    expect(errors(nest(31))).toEqual([]);
    expect(errors(nest(40))[0]).toMatch(/blocks nested too deeply \(limit 32\)/);
  });
});

describe('diagnostic codes', () => {
  const codes = (src: string) => engine.compile(src).errors.map((e) => e.code);
  const warningCodes = (src: string) => engine.compile(src).warnings.map((w) => w.code);

  it('gives each compile problem a stable code beside its text', () => {
    expect(codes('frobnicate;')).toEqual(['unknown-command']);
    expect(codes('if frobnicate {}')).toEqual(['unknown-test']);
    expect(codes('fileinto "x";')).toEqual(['missing-require']);
    expect(codes('if header :is 45 "x" {}')).toEqual(['bad-argument']);
    expect(codes('if address "from" {}')).toEqual(['wrong-argument-count']);
    expect(codes('if header :nope "a" "b" {}')).toEqual(['unknown-tag']);
    expect(codes('if header :is :contains "a" "b" {}')).toEqual(['conflicting-tags']);
    expect(codes('keep; require "fileinto";')).toEqual(['require-not-first']);
    expect(codes('require "frob";')).toEqual(['unsupported-capability']);
    expect(codes('else {}')).toEqual(['no-preceding-if']);
    expect(codes('if header :comparator "i;frob" "a" "b" {}')).toEqual(['unknown-comparator']);
  });

  it('codes the problems string hooks report', () => {
    expect(codes('require "variables"; set "a" "${99999}";')).toEqual(['match-index-out-of-range']);
    expect(codes('require "encoded-character"; redirect "${unicode:D800}";')).toContain(
      'bad-encoded-character',
    );
  });

  it('gives diagnostics of extensions a code too', () => {
    expect(
      warningCodes('require "vacation"; vacation :days 0 "x";').every((c) => typeof c === 'string'),
    ).toBe(true);
  });
});
