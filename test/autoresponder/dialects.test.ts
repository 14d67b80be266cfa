import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readForward, readVacation } from '../../src/autoresponder/index.js';
import { replied, runAt } from './support.js';

// Scripts written by hand in the shapes these generators produce (see docs/autoresponder.md).
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('vacation rules written by other tools', () => {
  it('Roundcube: marker, iso8601 range with :zone, :from, :addresses, text: body, redirect :copy', () => {
    expect(readVacation(fixture('roundcube-vacation.sieve'))).toEqual({
      ok: true,
      found: true,
      dialect: 'roundcube',
      name: 'Out of Office',
      unknown: [],
      settings: {
        enabled: true,
        subject: 'Out of office',
        body: "I'm away.\n.Back soon.",
        from: 'Me <me@example.com>',
        addresses: ['me@example.com', 'alias@example.com'],
        days: 1,
        start: '2024-02-27T00:00:00+01:00',
        end: '2024-03-05T18:00:00+01:00',
        original: 'copy',
        forwardTo: ['boss@example.com'],
        skipSpam: false,
      },
    });
  });

  it('Roundcube: a disabled rule (if false # ...), date-only range, :seconds, discard', () => {
    const r = readVacation(fixture('roundcube-disabled.sieve'));
    expect(r).toMatchObject({ ok: true, found: true, name: 'Out-of-Office', unknown: [] });
    expect(r.ok && r.found && r.settings).toEqual({
      enabled: false,
      subject: 'Congés',
      body: "Je suis en congés jusqu'au 14 juillet.",
      seconds: 3600,
      // A date-only bound covers its whole day, in the zone the test compares in.
      start: '2024-07-01T00:00:00+02:00',
      end: '2024-07-14T23:59:59+02:00',
      original: 'discard',
      skipSpam: false,
    });
  });

  it('Roundcube: a date key written as a list, and a test of its own that is reported', () => {
    const r = readVacation(fixture('roundcube-custom-test.sieve'));
    expect(r.ok && r.found && r.settings).toMatchObject({ start: '2026-01-05T00:00:00+01:00' });
    expect(r.ok && r.found && r.unknown).toEqual(['header :contains "to" "me@example.com"']);
  });

  it('SOGo: list guards around the vacation, bare redirect and keep for forwarding', () => {
    const text = fixture('sogo.sieve');
    expect(readVacation(text)).toMatchObject({
      ok: true,
      found: true,
      dialect: 'sogo',
      unknown: [],
      settings: {
        enabled: true,
        subject: '',
        body: 'Je suis absent.\nCordialement',
        addresses: ['jdoe@example.com', 'john.doe@example.com'],
        days: 7,
        original: 'keep',
      },
    });
    expect(readForward(text)).toMatchObject({
      found: true,
      settings: { enabled: true, to: ['other@example.net'], keepCopy: true },
    });
  });

  it('Horde Ingo: a # Name comment, list guards, date-only range without :zone', () => {
    expect(readVacation(fixture('ingo.sieve'))).toMatchObject({
      found: true,
      dialect: 'ingo',
      name: 'Vacation',
      unknown: [],
      settings: {
        subject: 'Vacances',
        body: 'Je suis en vacances.',
        start: '2026-12-21T00:00:00+00:00',
        end: '2027-01-04T23:59:59+00:00',
        days: 7,
      },
    });
  });

  it('Nextcloud Mail: UTC bounds, ${subject} from its own variable, named :addresses', () => {
    expect(readVacation(fixture('nextcloud.sieve'))).toMatchObject({
      found: true,
      dialect: 'nextcloud',
      unknown: [],
      settings: {
        subject: 'Re: ${subject}',
        body: 'On holiday.',
        addresses: ['jo@example.org', 'jo.doe@example.org'],
        start: '2026-08-01T22:00:00+00:00',
        end: '2026-08-20T21:59:00+00:00',
        days: 4,
      },
    });
  });

  it('Roundcube saving a tamis rule again: the subject capture flattened into the allof', () => {
    const text = [
      'require ["date","relational","vacation","variables"];',
      '# rule:[Out of Office]',
      'if allof (currentdate :zone "+0100" :value "ge" "iso8601" "2026-12-21T00:00:00+01:00", header :matches "subject" "*", true)',
      '{',
      '\tvacation :subject "Re: ${1}" "Away";',
      '}',
      '',
    ].join('\r\n');
    expect(readVacation(text)).toMatchObject({
      found: true,
      unknown: [],
      settings: { subject: 'Re: ${subject}', start: '2026-12-21T00:00:00+01:00' },
    });
  });

  it('iRedMail sample: vacations in both branches of an if/else are reported, not read', () => {
    expect(readVacation(fixture('iredmail-sample.sieve'))).toEqual({
      ok: true,
      found: false,
      nested: ['line 5: vacation', 'line 10: vacation :days 1 :subject "Auto-reply" "I am away.";'],
    });
  });

  it('reads what the rules actually do', () => {
    // The Roundcube range is in force on 1 March 2024 and over by 6 March.
    const text = fixture('roundcube-vacation.sieve');
    expect(replied(runAt(text, '2024-03-01T12:00:00Z'))).toBe(true);
    expect(replied(runAt(text, '2024-03-06T00:00:00Z'))).toBe(false);
  });
});

describe('forward rules written by Roundcube', () => {
  it('redirect :copy', () => {
    expect(readForward(fixture('roundcube-forward-copy.sieve'))).toEqual({
      ok: true,
      found: true,
      dialect: 'roundcube',
      name: 'Forwarding',
      unknown: [],
      settings: { enabled: true, to: ['elsewhere@example.net'], keepCopy: true },
    });
  });

  it('disabled, without a copy', () => {
    expect(readForward(fixture('roundcube-forward-off.sieve'))).toMatchObject({
      found: true,
      settings: { enabled: false, to: ['elsewhere@example.net'], keepCopy: false },
    });
  });

  it('finds no rule in a script without one, and reports syntax errors', () => {
    expect(readForward(fixture('roundcube-vacation.sieve'))).toEqual({ ok: true, found: false });
    expect(readVacation('if true {')).toMatchObject({
      ok: false,
      errors: [{ code: 'missing-closing-brace' }],
    });
  });
});
