import { describe, expect, it } from 'vitest';
import { buildVacationReply, checkScript, parseMessage, type VacationAction } from '../../src/index.js';
import {
  forwardRule,
  generateScript,
  SettingsError,
  vacationRule,
  type VacationSettings,
} from '../../src/autoresponder/index.js';
import { engine, message, replied, runAt, sievec, sievecErrors } from './support.js';

const base: VacationSettings = { enabled: true, subject: 'Absent', body: 'I am away.', skipSpam: false };
const script = (s: Partial<VacationSettings>) => generateScript([vacationRule({ ...base, ...s })]);

describe('vacation rule generation', () => {
  it('writes a Roundcube-shaped rule with CRLF line ends and a require built from what is used', () => {
    const text = script({ days: 3, addresses: ['a@example.com'] });
    expect(text).toBe(
      'require "vacation";\r\n# rule:[Out of Office]\r\nif true\r\n{\r\n\tvacation :days 3 :addresses "a@example.com" :subject "Absent" "I am away.";\r\n}\r\n',
    );
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
  });

  it('escapes quotes and backslashes, keeps non-ASCII, and dot-stuffs text: blocks', () => {
    const text = script({ subject: 'Say "hi" \\ à bientôt 🎉', body: '.first\nsecond\n..third\n.' });
    expect(text).toContain(':subject "Say \\"hi\\" \\\\ à bientôt 🎉"');
    expect(text).toContain('text:\r\n..first\r\nsecond\r\n...third\r\n..\r\n.\r\n;');
    const [a] = runAt(text, '2026-01-01T00:00:00Z');
    expect(a).toMatchObject({ type: 'vacation', subject: 'Say "hi" \\ à bientôt 🎉' });
    expect((a as { reason: string }).reason).toBe('.first\r\nsecond\r\n..third\r\n.\r\n');
  });

  it('uses vacation-seconds only for seconds', () => {
    expect(script({ days: 2 })).toMatch(/^require "vacation";/);
    const s = script({ seconds: 600 });
    expect(s).toMatch(/^require "vacation-seconds";/);
    expect(s).toContain('vacation :seconds 600 ');
    // The engine raises a period under its minimum (one day by default, as Pigeonhole does).
    expect(runAt(s, '2026-01-01T00:00:00Z')[0]).toMatchObject({ type: 'vacation', seconds: 86400 });
  });

  it('refuses bad settings with coded problems', () => {
    expect(() => vacationRule({ ...base, body: 'a\u0000b' })).toThrow(SettingsError);
    try {
      vacationRule({ ...base, days: 2, seconds: 5 });
    } catch (e) {
      expect((e as SettingsError).problems).toEqual([
        { path: 'seconds', code: 'days-and-seconds', message: 'give days or seconds, not both' },
      ]);
    }
  });

  it('sends the original subject with ${subject}', () => {
    const s = script({ subject: 'Re: ${subject} (absent)' });
    expect(s).toContain('"variables"');
    expect(runAt(s, '2026-01-01T00:00:00Z', message({ subject: 'Lunch?' }))[0]).toMatchObject({
      subject: 'Re: Lunch? (absent)',
    });
    // Mail without a subject is answered too.
    expect(runAt(s, '2026-01-01T00:00:00Z', message())[0]).toMatchObject({ subject: 'Re:  (absent)' });
  });

  it('sends HTML as multipart/alternative with the text part first', () => {
    const s = script({ html: '<p>Je suis <b>absent</b></p>', body: 'Je suis absent' });
    const [a] = runAt(s, '2026-01-01T00:00:00Z');
    expect(a).toMatchObject({ type: 'vacation', mime: true });
    const reason = (a as { reason: string }).reason;
    expect(reason).toMatch(/^Content-Type: multipart\/alternative; boundary="tamis-alternative"\r\n/);
    expect(reason.indexOf('text/plain')).toBeLessThan(reason.indexOf('text/html'));
    expect(reason).toContain('\r\n\r\nJe suis absent\r\n--tamis-alternative\r\n');
    // The reply as delivery sends it: one MIME-Version, the alternative with both parts.
    const reply = buildVacationReply(a as VacationAction, parseMessage(message({ subject: 'Hi' })));
    expect(reply.match(/^MIME-Version:/gim)).toHaveLength(1);
    expect(reply).toMatch(/^Content-Type: multipart\/alternative; boundary="tamis-alternative"/m);
    expect(reply).toContain(
      'Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<p>Je suis <b>absent</b></p>\r\n--tamis-alternative--',
    );
  });

  it('picks a boundary that appears in neither part', () => {
    const s = script({ html: '<p>--tamis-alternative</p>', body: 'x' });
    expect(s).toContain('boundary="tamis-alternative-1"');
  });

  it('files, discards, redirects or copies the original as asked', () => {
    const types = (s: Partial<VacationSettings>) =>
      runAt(script(s), '2026-01-01T00:00:00Z').map((a) => a.type + ('copy' in a && a.copy ? ':copy' : ''));
    expect(types({ original: 'keep' })).toEqual(['vacation', 'keep']);
    expect(types({ original: 'discard' })).toEqual(['vacation', 'discard']);
    expect(types({ original: 'redirect', forwardTo: ['x@example.net', 'y@example.net'] })).toEqual([
      'vacation',
      'redirect',
      'redirect',
    ]);
    const copy = runAt(script({ original: 'copy', forwardTo: ['x@example.net'] }), '2026-01-01T00:00:00Z');
    expect(copy.map((a) => a.type)).toEqual(['vacation', 'redirect', 'keep']);
  });

  it('does not answer mail the platform spam rule files as Junk (skipSpam)', () => {
    const s = script({ skipSpam: true });
    expect(s).toContain('not spamtest :percent :value "ge" :comparator "i;ascii-numeric" "100"');
    expect(replied(runAt(s, '2026-01-01T00:00:00Z', message({ spam: 4.5 })))).toBe(false);
    expect(replied(runAt(s, '2026-01-01T00:00:00Z', message({ spam: 4.49 })))).toBe(true);
    expect(replied(runAt(s, '2026-01-01T00:00:00Z', message()))).toBe(true);
    // Without skipSpam, spam is answered like anything else.
    expect(replied(runAt(script({ skipSpam: false }), '2026-01-01T00:00:00Z', message({ spam: 9 })))).toBe(
      true,
    );
  });

  it('encodes a non-ASCII display name in :from', () => {
    const s = script({ from: 'Élodie Martin <elodie@example.com>' });
    expect(s).toContain(':from "=?UTF-8?B?w4lsb2RpZSBNYXJ0aW4=?= <elodie@example.com>"');
    expect(checkScript(s, engine).ok).toBe(true);
  });
});

describe('date ranges across time zones and DST', () => {
  // Europe/Paris leaves summer time on 2026-10-25 at 03:00 (+02:00 → +01:00) and enters it on
  // 2027-03-28 at 02:00 (+01:00 → +02:00).
  const paris = (start: string, end: string) => script({ start, end, timezone: 'Europe/Paris' });

  it('covers exactly the days asked for over the end of October', () => {
    const s = paris('2026-10-24T00:00:00+02:00', '2026-10-26T23:59:59+01:00');
    expect(s).toContain('currentdate :zone "+0200" :value "ge" "iso8601" "2026-10-24T00:00:00+02:00"');
    expect(s).toContain('currentdate :zone "+0100" :value "le" "iso8601" "2026-10-26T23:59:59+01:00"');
    expect(replied(runAt(s, '2026-10-23T21:59:59Z'))).toBe(false); // 23:59:59 Paris, the day before
    expect(replied(runAt(s, '2026-10-23T22:00:00Z'))).toBe(true); // midnight Paris
    expect(replied(runAt(s, '2026-10-25T01:30:00Z'))).toBe(true); // during the repeated hour
    expect(replied(runAt(s, '2026-10-26T22:59:59Z'))).toBe(true); // 23:59:59 Paris, last second
    expect(replied(runAt(s, '2026-10-26T23:00:00Z'))).toBe(false); // next midnight Paris
  });

  it('covers exactly the days asked for over the end of March', () => {
    const s = paris('2027-03-27T00:00:00+01:00', '2027-03-29T00:00:00+02:00');
    expect(s).toContain(':zone "+0100" :value "ge" "iso8601" "2027-03-27T00:00:00+01:00"');
    expect(s).toContain(':zone "+0200" :value "le" "iso8601" "2027-03-29T00:00:00+02:00"');
    expect(replied(runAt(s, '2027-03-26T22:59:59Z'))).toBe(false);
    expect(replied(runAt(s, '2027-03-26T23:00:00Z'))).toBe(true);
    expect(replied(runAt(s, '2027-03-28T01:30:00Z'))).toBe(true); // just after the skipped hour
    expect(replied(runAt(s, '2027-03-28T22:00:00Z'))).toBe(true);
    expect(replied(runAt(s, '2027-03-28T22:00:01Z'))).toBe(false);
  });

  it('writes a bound given in another offset in the zone it falls in, without moving it', () => {
    // 23:30 UTC on the 24th is 01:30 (summer time) in Paris on the 25th.
    const s = paris('2026-10-24T23:30:00Z', '2026-10-25T12:00:00-05:00');
    expect(s).toContain('"iso8601" "2026-10-25T01:30:00+02:00"');
    expect(s).toContain('"iso8601" "2026-10-25T18:00:00+01:00"');
    expect(replied(runAt(s, '2026-10-24T23:29:59Z'))).toBe(false);
    expect(replied(runAt(s, '2026-10-24T23:30:00Z'))).toBe(true);
    expect(replied(runAt(s, '2026-10-25T17:00:00Z'))).toBe(true);
    expect(replied(runAt(s, '2026-10-25T17:00:01Z'))).toBe(false);
  });

  it('keeps the given offset when no time zone is named', () => {
    const s = script({ start: '2026-12-21T00:00:00+05:30' });
    expect(s).toContain('currentdate :zone "+0530" :value "ge" "iso8601" "2026-12-21T00:00:00+05:30"');
    expect(replied(runAt(s, '2026-12-20T18:29:59Z'))).toBe(false);
    expect(replied(runAt(s, '2026-12-20T18:30:00Z'))).toBe(true);
  });
});

describe('forward rule generation', () => {
  it('redirects to each address, with :copy to keep a copy and stop otherwise', () => {
    const keep = generateScript([
      forwardRule({ enabled: true, to: ['a@example.net', 'b@example.net'], keepCopy: true }),
    ]);
    expect(keep).toBe(
      'require "copy";\r\n# rule:[Forwarding]\r\nif true\r\n{\r\n\tredirect :copy "a@example.net";\r\n\tredirect :copy "b@example.net";\r\n}\r\n',
    );
    expect(runAt(keep, '2026-01-01T00:00:00Z').map((a) => a.type)).toEqual(['redirect', 'redirect', 'keep']);
    const move = generateScript([forwardRule({ enabled: true, to: ['a@example.net'], keepCopy: false })]);
    expect(runAt(move + 'keep;\r\n', '2026-01-01T00:00:00Z').map((a) => a.type)).toEqual(['redirect']);
  });

  it('writes a disabled rule as Roundcube does', () => {
    const off = generateScript([forwardRule({ enabled: false, to: ['a@example.net'], keepCopy: false })]);
    expect(off).toContain('if false # true\r\n');
    expect(runAt(off, '2026-01-01T00:00:00Z').map((a) => a.type)).toEqual(['keep']);
  });
});

describe.skipIf(!sievec())("generated scripts compile in Pigeonhole's sievec", () => {
  it('every settings case', async () => {
    const cases: Array<Partial<VacationSettings>> = [
      {},
      { skipSpam: true, days: 7 },
      { seconds: 3600, addresses: ['a@example.com', 'b@example.com'] },
      { subject: 'Re: ${subject}', from: 'Élodie <e@example.com>' },
      { html: '<p>x</p>', body: 'x\n.y' },
      { start: '2026-10-24T00:00:00+02:00', end: '2026-10-27T00:00:00+01:00', timezone: 'Europe/Paris' },
      { original: 'discard', enabled: false },
      { original: 'redirect', forwardTo: ['x@example.net'] },
      { original: 'copy', forwardTo: ['x@example.net', 'y@example.net'], skipSpam: true, subject: '' },
    ];
    const scripts = [
      ...cases.map(script),
      generateScript([forwardRule({ enabled: true, to: ['a@example.net'], keepCopy: true })]),
      generateScript([
        forwardRule({ enabled: false, to: ['a@example.net', 'b@example.net'], keepCopy: false }),
      ]),
    ];
    for (const s of scripts) expect(checkScript(s, engine).errors).toEqual([]);
    expect(await sievecErrors(scripts)).toEqual([]);
  }, 60_000);
});
