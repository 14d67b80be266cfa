/**
 * Untraced runs call a test's bound form (TestDef.bind) and traced runs its `test`: on the same
 * scripts and messages both must take the same actions. The scripts cover what the bound forms
 * special-case (one constant field name, constant keys) and what they hand back (several
 * addresses, none, :all over text that holds no address, :count over an empty list).
 */
import { describe, expect, it } from 'vitest';
import { SieveEngine, parseMessage } from '../../src/index.js';
import { memoized } from '../../src/runtime/comparators.js';

const MESSAGES = [
  'From: Alice <ALICE@Example.org>\r\nTo: bob@example.com, carol@example.net\r\nSubject: Invoice 42\r\nList-Id: Dev <dev.lists.example.org>\r\n\r\nbody\r\n',
  'From: not an address\r\nSubject: hello\r\nCc:\r\n\r\nbody\r\n',
  'Subject: =?utf-8?q?R=C3=A9sum=C3=A9?=\r\nFrom: "x" <news7@shop.example>\r\nSender: a@b.c\r\n\r\n',
  'X-Other: 1\r\nFrom: localonly\r\n\r\n',
  'Subject: none\r\n\r\n',
];

const TESTS = [
  'header :contains "subject" "invoice"',
  'header :is "Subject" "Invoice 42"',
  'header :is :comparator "i;octet" "subject" "hello"',
  'header :matches "list-id" "*<dev.*>*"',
  'header :matches "subject" "*sum?"',
  'header :count "eq" :comparator "i;ascii-numeric" "cc" "0"',
  'header :count "eq" :comparator "i;ascii-numeric" "list-id" "0"',
  'header :value "gt" :comparator "i;ascii-numeric" "x-other" "0"',
  'header :contains ["subject", "from"] ["zzz", "news"]',
  'address :domain :is "from" "example.org"',
  'address :localpart :matches "from" "news*"',
  'address :all :contains "from" "not an"',
  'address :all :is "to" "carol@example.net"',
  'address :count "eq" :comparator "i;ascii-numeric" "to" "2"',
  'address :count "eq" :comparator "i;ascii-numeric" "from" "0"',
  'address :domain :is ["from", "sender"] "b.c"',
  'address :domain :count "eq" :comparator "i;ascii-numeric" "from" "0"',
  'not exists "list-id"',
  'allof (header :contains "subject" "o", not address :domain :is "from" "shop.example")',
  'anyof (false, header :matches "SUBJECT" "h*")',
];

describe('bound tests agree with the tests they stand for', () => {
  const engine = new SieveEngine();
  it.each(TESTS)('%s', (test) => {
    const source = `require ["relational", "comparator-i;ascii-numeric", "imap4flags"];\nif ${test} { addflag "hit"; }\n`;
    const { program, errors } = engine.compile(source);
    expect(errors).toEqual([]);
    let hits = 0;
    for (const raw of MESSAGES) {
      const envelope = { from: 'a@b.c', to: 'bob@example.com' };
      const plain = engine.run(program!, parseMessage(Buffer.from(raw)), envelope);
      const traced = engine.run(program!, parseMessage(Buffer.from(raw)), envelope, { trace: () => {} });
      expect(plain.status).toBe('ok');
      expect(plain.actions).toEqual(traced.actions);
      if (JSON.stringify(plain.actions).includes('hit')) hits++;
    }
    // Each test holds for some message and fails for another, so both outcomes are compared.
    expect(hits, 'matching messages').toBeGreaterThan(0);
    expect(hits, 'matching messages').toBeLessThan(MESSAGES.length);
  });
});

describe('folding memo', () => {
  it('folds values that take turns once each, and a key used throughout stays', () => {
    const seen: string[] = [];
    const fold = memoized((s) => {
      seen.push(s);
      return s.toLowerCase();
    });
    // Four tests in turn at four fields of one message, then the same key between new values.
    for (let round = 0; round < 5; round++) {
      for (const v of ['Subject', 'Example.ORG', 'List', 'News7']) expect(fold(v)).toBe(v.toLowerCase());
    }
    expect(seen).toEqual(['Subject', 'Example.ORG', 'List', 'News7']);
    seen.length = 0;
    for (let i = 0; i < 20; i++) {
      expect(fold('KEY')).toBe('key');
      expect(fold(`V${i}`)).toBe(`v${i}`);
    }
    expect(seen.filter((s) => s === 'KEY')).toEqual(['KEY']);
  });
});
