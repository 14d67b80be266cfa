import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { datePart, parseRfc5322Date } from '../../src/extensions/date.js';

const engine = new SieveEngine();
const ENVELOPE = { from: 'a@example.org', to: 'b@example.com' };

function check(script: string, message: string, now = new Date('2024-02-29T23:30:00Z')): boolean {
  const c = engine.compile(`require ["date", "fileinto", "relational", "variables", "index"];\n${script}`);
  if (!c.program) throw new Error(c.errors.map((e) => e.message).join('\n'));
  const r = engine.run(c.program, Buffer.from(message), ENVELOPE, { host: { now: () => now } });
  return r.actions.some((a) => a.type === 'fileinto' && a.mailbox === 'yes');
}

const MSG =
  'Date: Mon, 20 Jul 2009 21:44:43 +0300\r\n' +
  'Received: from x by y; Wed, 12 Nov 2014 18:18:31 +0100\r\n' +
  'Received: from x by y; Wed, 12 Nov 2014 18:18:28 +0100\r\n\r\nbody\r\n';
const yes = (test: string, message = MSG, now?: Date) =>
  check(`if ${test} { fileinto "yes"; }`, message, now);

describe('date parsing', () => {
  it('reads RFC 5322 dates with and without the weekday, seconds and with comments', () => {
    const d = parseRfc5322Date('Mon, 20 Jul 2009 21:44:43 +0300')!;
    expect(datePart(d, 'iso8601')).toBe('2009-07-20T21:44:43+03:00');
    expect(datePart(parseRfc5322Date('20 Jul 2009 21:44 -0130 (local)')!, 'std11')).toBe(
      'Mon, 20 Jul 2009 21:44:00 -0130',
    );
    expect(datePart(parseRfc5322Date('1 Jan 99 00:00:00 EST')!, 'zone')).toBe('-0500');
  });

  it('refuses impossible dates and junk', () => {
    for (const bad of [
      'Moo, 34 Juul 3060 25:30:42 +6600',
      '31 Feb 2009 10:00:00 +0000',
      '20 Jul 2009 24:00:00 +0000',
      '',
      'x'.repeat(10000),
      '('.repeat(5000) + '20 Jul 2009 10:00 +0000',
    ]) {
      expect(parseRfc5322Date(bad)).toBeNull();
    }
  });

  it('gives every date part', () => {
    const d = parseRfc5322Date('Mon, 20 Jul 2009 21:44:43 +0300')!;
    expect(
      ['year', 'month', 'day', 'date', 'julian', 'hour', 'minute', 'second', 'time', 'weekday'].map((p) =>
        datePart(d, p),
      ),
    ).toEqual(['2009', '07', '20', '2009-07-20', '55032', '21', '44', '43', '21:44:43', '1']);
  });
});

describe('date test', () => {
  it('uses the original zone, a given zone, and compares with relational', () => {
    expect(yes('date :originalzone "date" "hour" "21"')).toBe(true);
    expect(yes('date :zone "+0000" "date" "time" "18:44:43"')).toBe(true);
    expect(yes('date :zone "-0500" "date" "date" "2009-07-20"')).toBe(true);
    expect(yes('date :originalzone :value "lt" "date" "date" "2009-07-21"')).toBe(true);
    expect(yes('date :originalzone :value "gt" "date" "date" "2009-07-21"')).toBe(false);
  });

  it('takes a Received date after the last semicolon and honours :index/:last', () => {
    expect(yes('date :index 1 "received" "second" "31"')).toBe(true);
    expect(yes('date :index 1 :last "received" "second" "28"')).toBe(true);
    expect(yes('date :index 1 :last "received" "second" "31"')).toBe(false);
    expect(yes('date :count "eq" "received" "date" "2"')).toBe(true);
  });

  it('is false for a missing or invalid header, also with :matches "*"', () => {
    expect(yes('date :matches "resent-date" "date" "*"')).toBe(false);
    expect(yes('date :matches "x" "date" "*"', 'X: Moo, 34 Juul 3060\r\n\r\n')).toBe(false);
  });

  it('reports a bad zone or date part at compile time', () => {
    const c = engine.compile('require "date"; if date :zone "0200" "date" "frop" "x" {}');
    expect(c.errors.map((e) => e.message)).toEqual([
      expect.stringContaining('invalid :zone "0200"'),
      expect.stringContaining('unknown date part "frop"'),
    ]);
  });
});

describe('currentdate', () => {
  it('reads the host clock in the requested zone', () => {
    const now = new Date('2024-02-29T23:30:00Z');
    expect(yes('currentdate :zone "+0100" "date" "2024-03-01"', MSG, now)).toBe(true);
    expect(yes('currentdate :zone "+0000" "julian" "60369"', MSG, now)).toBe(true);
    expect(yes('currentdate :zone "-1000" "weekday" "4"', MSG, now)).toBe(true);
  });

  it('expands a :zone from a variable and fails the test for a bad one', () => {
    const now = new Date('2024-02-29T23:30:00Z');
    expect(
      check('set "z" "+0530"; if currentdate :zone "${z}" "time" "05:00:00" { fileinto "yes"; }', MSG, now),
    ).toBe(true);
    expect(
      check('set "z" "bogus"; if currentdate :zone "${z}" :matches "time" "*" { fileinto "yes"; }', MSG, now),
    ).toBe(false);
  });
});
