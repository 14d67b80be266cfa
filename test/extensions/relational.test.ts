import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, holds as testHolds } from '../support/engine.js';
import type { Envelope } from '../../src/message/types.js';

const MESSAGE = [
  'Received: from a by b',
  'Received: from c by d',
  'From: stephan@example.org',
  'To: foo@example.com, baz@example.com',
  'CC: qux@example.com',
  'X-Spam-Score: 300',
  'X-Nonsense: 1000',
  'X-Nonsense: 20',
  'X-Alpha: abcdzyx',
  'X-Word: Banana',
  'Subject: example',
  'Comment:',
  '',
  'RFC example',
  '',
].join('\r\n');
const ENVELOPE: Envelope = { from: 'sender@example.org', to: 'rcpt@example.net' };

const engine = new SieveEngine();
const REQUIRE = 'require ["relational", "comparator-i;ascii-numeric", "envelope", "variables"];\n';

/** True when `test` holds over the message. */
function holds(test: string, envelope: Envelope = ENVELOPE): boolean {
  return testHolds(test, REQUIRE, { engine, message: MESSAGE, envelope });
}

function errorsOf(script: string): string[] {
  return compileErrors(script, engine);
}

const NUM = ':comparator "i;ascii-numeric"';
const OCT = ':comparator "i;octet"';
const CASE = ':comparator "i;ascii-casemap"';

describe(':value', () => {
  // Each relation against a value equal to, below and above the key.
  const table: Array<[string, boolean, boolean, boolean]> = [
    // relation, value<key, value=key, value>key
    ['gt', false, false, true],
    ['ge', false, true, true],
    ['lt', true, false, false],
    ['le', true, true, false],
    ['eq', false, true, false],
    ['ne', true, false, true],
  ];

  it.each(table)('relation %s with i;ascii-numeric', (rel, below, equal, above) => {
    expect(holds(`header :value "${rel}" ${NUM} "x-spam-score" "301"`)).toBe(below);
    expect(holds(`header :value "${rel}" ${NUM} "x-spam-score" "00300"`)).toBe(equal);
    // 300 > 99 only numerically: textually "3" < "9".
    expect(holds(`header :value "${rel}" ${NUM} "x-spam-score" "99"`)).toBe(above);
  });

  it.each(table)('relation %s with i;octet and i;ascii-casemap', (rel, below, equal, above) => {
    expect(holds(`header :value "${rel}" ${OCT} "x-alpha" "abcdzz"`)).toBe(below);
    expect(holds(`header :value "${rel}" ${OCT} "x-alpha" "abcdzyx"`)).toBe(equal);
    expect(holds(`header :value "${rel}" ${OCT} "x-alpha" "aaaaaaa"`)).toBe(above);
    expect(holds(`header :value "${rel}" ${CASE} "x-word" "BANANB"`)).toBe(below);
    expect(holds(`header :value "${rel}" ${CASE} "x-word" "bAnAnA"`)).toBe(equal);
    expect(holds(`header :value "${rel}" ${CASE} "x-word" "APPLE"`)).toBe(above);
  });

  it('compares numbers as numbers and text by octets', () => {
    expect(holds(`header :value "gt" ${NUM} "x-spam-score" "99"`)).toBe(true);
    expect(holds(`header :value "gt" ${OCT} "x-spam-score" "99"`)).toBe(false);
    expect(holds(`string :value "lt" ${OCT} "Z" "b"`)).toBe(true);
    expect(holds(`string :value "gt" ${CASE} "Z" "b"`)).toBe(true);
    expect(holds(`string :value "gt" ${OCT} "ab" "a"`)).toBe(true);
    expect(holds(`string :value "lt" ${OCT} "" "a"`)).toBe(true);
  });

  it('matches when any value meets any key', () => {
    expect(holds(`header :value "le" ${NUM} "x-nonsense" "300"`)).toBe(true);
    expect(holds(`header :value "lt" ${NUM} "x-nonsense" "3"`)).toBe(false);
    expect(holds(`header :value "gt" ${NUM} "x-nonsense" ["3000", "30"]`)).toBe(true);
    expect(holds(`header :value "gt" ${NUM} "x-nonsense" ["3000", "1001"]`)).toBe(false);
    expect(holds(`header :value "lt" ${NUM} "x-nonsense" ["3", "19"]`)).toBe(false);
  });

  it('treats non-numbers as positive infinity with i;ascii-numeric (RFC 4790 §9.1)', () => {
    expect(holds(`string :value "eq" ${NUM} "a" "b"`)).toBe(true);
    expect(holds(`string :value "eq" ${NUM} "" "a"`)).toBe(true);
    expect(holds(`string :value "eq" ${NUM} "a" "0"`)).toBe(false);
    expect(holds(`string :value "gt" ${NUM} "a" "0"`)).toBe(true);
    expect(holds(`string :value "lt" ${NUM} "0" "a"`)).toBe(true);
    expect(holds(`string :value "ge" ${NUM} "0" "a"`)).toBe(false);
    expect(holds(`string :value "eq" ${NUM} "12abc" "012"`)).toBe(true);
    expect(holds(`string :value "lt" ${NUM} "65535" "65635"`)).toBe(true);
    expect(holds(`string :value "gt" ${NUM} "99999999999999999999999" "99999999999999999999998"`)).toBe(true);
    // An empty header value is infinity, neither equal to 40 nor below 300.
    expect(holds(`header :value "eq" ${NUM} "comment" "40"`)).toBe(false);
    expect(holds(`header :value "gt" ${NUM} "x-spam-score" ""`)).toBe(false);
  });

  it('works on address parts and the envelope', () => {
    expect(holds(`address :value "gt" ${OCT} :localpart "to" "bar"`)).toBe(true);
    expect(holds(`address :value "lt" ${OCT} :localpart "to" "baz"`)).toBe(false);
    expect(holds(`address :value "ge" ${OCT} :domain "from" "example.org"`)).toBe(true);
    expect(holds(`envelope :value "lt" ${OCT} :localpart "to" "rcpu"`)).toBe(true);
    expect(holds(`envelope :value "gt" ${OCT} :localpart "to" "rcpu"`)).toBe(false);
  });

  it('does not set match variables', () => {
    const c = engine.compile(
      `${REQUIRE}if string :matches "ab" "?*" { } if string :value "gt" "b" "a" { set "r" "\${1}"; }`,
    );
    let vars: Map<string, string> | undefined;
    engine.run(c.program!, Buffer.from(MESSAGE), ENVELOPE, { prepare: (rt) => void (vars = rt.variables) });
    expect(vars!.get('r')).toBe('a');
  });
});

describe(':count', () => {
  it('counts header fields, not addresses, for header (RFC 5231 §4.2 example)', () => {
    expect(holds(`header :count "ge" ${NUM} ["received"] ["3"]`)).toBe(false);
    expect(holds(`header :count "ge" ${NUM} ["received", "subject"] ["3"]`)).toBe(true);
    expect(holds(`header :count "ge" ${NUM} ["to", "cc"] ["3"]`)).toBe(false);
    expect(holds(`header :count "eq" ${NUM} ["to", "cc"] ["2"]`)).toBe(true);
  });

  it('counts addresses for address (RFC 5231 §4.2 example)', () => {
    expect(holds(`address :count "ge" ${NUM} ["to", "cc"] ["3"]`)).toBe(true);
    expect(
      holds(`anyof (address :count "ge" ${NUM} ["to"] ["3"], address :count "ge" ${NUM} ["cc"] ["3"])`),
    ).toBe(false);
  });

  it.each([
    ['gt', ['1', '2', '3'], [true, false, false]],
    ['ge', ['1', '2', '3'], [true, true, false]],
    ['lt', ['1', '2', '3'], [false, false, true]],
    ['le', ['1', '2', '3'], [false, true, true]],
    ['eq', ['1', '2', '3'], [false, true, false]],
    ['ne', ['1', '2', '3'], [true, false, true]],
  ] as Array<[string, string[], boolean[]]>)('relation %s on two To addresses', (rel, keys, expected) => {
    keys.forEach((k, i) => {
      expect(holds(`address :count "${rel}" ${NUM} "to" "${k}"`), `${rel} ${k}`).toBe(expected[i]);
      // Two Received fields: the same truth for header.
      expect(holds(`header :count "${rel}" ${NUM} "received" "${k}"`), `${rel} ${k}`).toBe(expected[i]);
    });
  });

  it('compares the count with the comparator given', () => {
    // With i;octet "2" > "10" textually; with i;ascii-numeric it is not.
    expect(holds(`header :count "gt" ${OCT} "received" "10"`)).toBe(true);
    expect(holds(`header :count "gt" ${NUM} "received" "10"`)).toBe(false);
    expect(holds(`header :count "eq" ${CASE} "received" "2"`)).toBe(true);
    expect(holds(`header :count "eq" ${NUM} "cc" "001"`)).toBe(true);
    expect(holds(`header :count "eq" ${OCT} "cc" "001"`)).toBe(false);
  });

  it('counts zero for absent fields and envelope parts', () => {
    expect(holds(`header :count "eq" ${NUM} "x-absent" "0"`)).toBe(true);
    expect(holds(`address :count "eq" ${NUM} "bcc" "0"`)).toBe(true);
    expect(holds(`envelope :count "eq" ${NUM} "to" "1"`)).toBe(true);
    expect(holds(`envelope :count "eq" ${NUM} ["to", "from"] "2"`)).toBe(true);
    expect(holds(`envelope :count "eq" ${NUM} "orig_to" "0"`)).toBe(true);
    expect(holds(`envelope :count "eq" ${NUM} "orig_to" "1"`, { ...ENVELOPE, origTo: 'x@example.net' })).toBe(
      true,
    );
  });

  it('matches when the count meets any key', () => {
    expect(holds(`header :count "lt" ${NUM} "x-nonsense" ["1", "2"]`)).toBe(false);
    expect(holds(`header :count "lt" ${NUM} "x-nonsense" ["1", "2", "3"]`)).toBe(true);
  });

  it('takes keys from variables', () => {
    expect(holds(`header :count "eq" ${NUM} "received" "\${n}"`)).toBe(false);
    const c = engine.compile(
      `${REQUIRE}set "n" "2"; if header :count "eq" ${NUM} "received" "\${n}" { discard; }`,
    );
    const r = engine.run(c.program!, Buffer.from(MESSAGE), ENVELOPE);
    expect(r.actions.map((a) => a.type)).toEqual(['discard']);
  });
});

describe('compile-time checks', () => {
  it('refuses an invalid relation', () => {
    expect(errorsOf('require "relational"; if header :value "gr" "from" "ah" { keep; }')).toEqual([
      'invalid relational match type "gr" (expected "gt", "ge", "lt", "le", "eq" or "ne")',
    ]);
    expect(errorsOf('require "relational"; if header :count "lf" "from" "eek" { keep; }')[0]).toMatch(
      /invalid relational match type "lf"/,
    );
    expect(errorsOf('require "relational"; if header :count "" "from" "1" { keep; }')[0]).toMatch(
      /invalid relational/,
    );
  });

  it('accepts the relation in any case', () => {
    expect(errorsOf('require "relational"; if header :value "GT" "from" "a" { keep; }')).toEqual([]);
    expect(holds(`header :value "GT" ${NUM} "x-spam-score" "299"`)).toBe(true);
  });

  it('needs the relation string and require "relational"', () => {
    expect(errorsOf('require "relational"; if header :value "from" { keep; }').length).toBeGreaterThan(0);
    expect(errorsOf('require "relational"; if header :count 3 "from" "1" { keep; }')[0]).toMatch(
      /needs a string/,
    );
    expect(errorsOf('if header :value "gt" "from" "a" { keep; }')).toEqual([
      'match type :value used without require "relational"',
    ]);
    expect(errorsOf('if header :count "gt" "from" "a" { keep; }')[0]).toMatch(/without require "relational"/);
  });

  it('refuses two match types', () => {
    expect(
      errorsOf('require "relational"; if header :value "gt" :count "gt" "from" "a" { keep; }')[0],
    ).toMatch(/cannot be used together/);
    expect(errorsOf('require "relational"; if header :is :count "gt" "from" "a" { keep; }')[0]).toMatch(
      /cannot be used together/,
    );
  });
});
