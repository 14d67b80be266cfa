import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { holds as testHolds } from '../support/engine.js';
import type { Envelope } from '../../src/message/types.js';
import { splitSubaddress } from '../../src/extensions/subaddress.js';

const RFC_MESSAGE = [
  'From: stephan+@example.org',
  'To: timo+spam@example.net',
  'CC: nico@example.com',
  'Subject: fetch my spam',
  '',
  'Spam!',
  '',
].join('\r\n');

const OTHER_MESSAGE = [
  'From: stephan+sieve@example.org',
  'To: test-failed@example.com',
  'Bcc: undisclosed-recipients:;',
  'Subject: subaddress test',
  '',
  'Test!',
  '',
].join('\r\n');

const ENVELOPE: Envelope = { from: 'list_request@lists.example.net', to: 'friep+-frop@example.net' };

/** True when `test` holds; `delimiter` sets recipientDelimiter. */
function holds(
  test: string,
  options: { message?: string; envelope?: Envelope; delimiter?: string } = {},
): boolean {
  const engine = new SieveEngine({
    config: options.delimiter === undefined ? {} : { recipientDelimiter: options.delimiter },
  });
  const req = 'require ["subaddress", "envelope", "relational", "comparator-i;ascii-numeric"];\n';
  return testHolds(test, req, {
    engine,
    message: options.message ?? RFC_MESSAGE,
    envelope: options.envelope ?? ENVELOPE,
  });
}

describe('RFC 5233 examples', () => {
  it(':user is the part before the delimiter, or the whole local part', () => {
    expect(holds('address :user "cc" "nico"')).toBe(true);
    expect(holds('address :user "to" "timo"')).toBe(true);
    expect(holds('address :user "from" "stephan"')).toBe(true);
    expect(holds('address :user "to" "timo+spam"')).toBe(false);
  });

  it(':detail is the part after the delimiter', () => {
    expect(holds('address :detail "to" "spam"')).toBe(true);
    expect(holds('address :detail :matches "to" "sp*"')).toBe(true);
  });

  it('an address without a delimiter matches no :detail key, not even "" or "*"', () => {
    expect(holds('address :detail :matches "cc" ["*", "?"]')).toBe(false);
    expect(holds('address :detail :contains "cc" ""')).toBe(false);
    expect(holds('address :detail :is "cc" ""')).toBe(false);
    expect(holds('not address :detail :is "cc" "x"')).toBe(true);
  });

  it('an empty detail is the empty string', () => {
    expect(holds('address :detail "from" ""')).toBe(true);
    expect(holds('address :detail :matches "from" "*"')).toBe(true);
    expect(holds('address :detail :matches "from" "?*"')).toBe(false);
  });

  it('skips addresses without a detail when counting', () => {
    expect(holds('address :count "eq" :comparator "i;ascii-numeric" :detail ["to", "cc"] "1"')).toBe(true);
    expect(holds('address :count "eq" :comparator "i;ascii-numeric" :user ["to", "cc"] "2"')).toBe(true);
  });
});

describe('with comparators, match types and the envelope', () => {
  it('works on header addresses', () => {
    const message = OTHER_MESSAGE;
    expect(holds('address :is :user "from" "stephan"', { message })).toBe(true);
    expect(holds('address :is :detail "from" "sieve"', { message })).toBe(true);
    expect(holds('address :is :detail "from" "nonsense"', { message })).toBe(false);
    expect(holds('address :contains :user "to" "est-fa"', { message })).toBe(true);
    expect(holds('address :contains :detail "to" "fai"', { message })).toBe(false);
  });

  it('works on the envelope', () => {
    const envelope = { from: 'list+request@lists.example.net', to: 'friep+frop@example.net' };
    expect(holds('envelope :is :user "to" "friep"', { envelope })).toBe(true);
    expect(holds('envelope :comparator "i;ascii-casemap" :is :user "to" "FRIEP"', { envelope })).toBe(true);
    expect(holds('envelope :comparator "i;octet" :is :user "to" "FRIEP"', { envelope })).toBe(false);
    expect(
      holds('envelope :comparator "i;ascii-casemap" :contains :detail "from" "QUES"', { envelope }),
    ).toBe(true);
    expect(holds('envelope :comparator "i;ascii-casemap" :contains :detail "from" "LIS"', { envelope })).toBe(
      false,
    );
    expect(holds('envelope :detail "to" "virus"', { envelope: { from: '', to: 'frop@example.net' } })).toBe(
      false,
    );
  });

  it('takes nothing from the null sender for :detail and "" for :user', () => {
    const envelope = { from: '', to: 'a@example.net' };
    expect(holds('envelope :detail :matches "from" "*"', { envelope })).toBe(false);
    expect(holds('envelope :user :is "from" ""', { envelope })).toBe(true);
  });

  it('ignores group names', () => {
    const message = OTHER_MESSAGE;
    expect(holds('address :detail :contains "bcc" "undisclosed-recipients"', { message })).toBe(false);
    expect(holds('address :user :contains "bcc" "undisclosed-recipients"', { message })).toBe(false);
  });
});

describe('recipientDelimiter', () => {
  it('uses another single delimiter', () => {
    const message = OTHER_MESSAGE;
    expect(holds('address :is :user "to" "test"', { message, delimiter: '-' })).toBe(true);
    expect(holds('address :is :detail "to" "failed"', { message, delimiter: '-' })).toBe(true);
    // "+" is then an ordinary character.
    expect(holds('address :is :user "from" "stephan+sieve"', { message, delimiter: '-' })).toBe(true);
  });

  it('splits at the first occurrence of any of several delimiters', () => {
    for (const delimiter of ['+-', '-+', '+-_']) {
      expect(holds('envelope :is :user "to" "friep"', { delimiter }), delimiter).toBe(true);
      expect(holds('envelope :is :detail "to" "-frop"', { delimiter }), delimiter).toBe(true);
    }
    expect(holds('envelope :is :user "from" "list"', { delimiter: '+-_' })).toBe(true);
    expect(holds('envelope :is :detail "from" "request"', { delimiter: '+-_' })).toBe(true);
    expect(holds('envelope :is :user "from" "list_request"', { delimiter: '+-' })).toBe(true);
  });

  it('splits at the first delimiter only', () => {
    expect(splitSubaddress('a+b+c', '+')).toEqual({ user: 'a', detail: 'b+c' });
    expect(splitSubaddress('+b', '+')).toEqual({ user: '', detail: 'b' });
    expect(splitSubaddress('ab', '+')).toBeNull();
    expect(splitSubaddress('a+b', '')).toBeNull();
  });

  it('with an empty delimiter never finds a detail', () => {
    expect(holds('address :user "to" "timo+spam"', { delimiter: '' })).toBe(true);
    expect(holds('address :detail :matches "to" "*"', { delimiter: '' })).toBe(false);
  });
});

describe('compile-time checks', () => {
  const engine = new SieveEngine();
  it('needs require "subaddress"', () => {
    expect(engine.compile('if address :user "to" "a" { keep; }').errors.map((e) => e.message)).toEqual([
      'address part :user used without require "subaddress"',
    ]);
    expect(engine.compile('if address :detail "to" "a" { keep; }').errors[0]?.message).toMatch(
      /require "subaddress"/,
    );
  });

  it('refuses two address parts', () => {
    expect(
      engine.compile('require "subaddress"; if address :user :detail "to" "a" { keep; }').errors[0]?.message,
    ).toMatch(/cannot be used together/);
  });

  it('is not available on header', () => {
    expect(
      engine.compile('require "subaddress"; if header :user "to" "a" { keep; }').errors[0]?.message,
    ).toMatch(/unknown tagged argument ':user'/);
  });
});
