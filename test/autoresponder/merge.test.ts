import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkScript } from '../../src/index.js';
import {
  forwardRule,
  mergeForward,
  mergeVacation,
  readForward,
  readVacation,
  setRuleEnabled,
  vacationRule,
  type VacationSettings,
} from '../../src/autoresponder/index.js';
import { vacationSettings } from './arbitraries.js';
import { engine, sievec, sievecErrors } from './support.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const away: VacationSettings = {
  enabled: true,
  subject: 'Absent',
  body: 'Back on Monday.',
  days: 2,
  skipSpam: false,
};

function merged(r: ReturnType<typeof mergeVacation>): string {
  if (!r.ok)
    throw new Error(`refused: ${r.refusal.code} ${r.refusal.message} ${r.refusal.details.join('; ')}`);
  return r.script;
}

const USER = [
  '# My filters, written by hand.',
  'require ["fileinto", "imap4flags"];',
  '/* lists */',
  'if header :contains "list-id" "<dev.example.org>" {',
  '    fileinto "Lists/dev";   # keep them apart',
  '}',
  'if address :is "from" "boss@example.com" { addflag "\\\\Flagged"; }',
  '',
].join('\r\n');

describe('merging into an existing script', () => {
  it('adds the rule at the top, after the requires, leaving every other byte as it was', () => {
    const r = mergeVacation(USER, away);
    expect(r).toMatchObject({ ok: true, change: 'added' });
    const rule = vacationRule(away).text;
    const requireEnd = USER.indexOf('/* lists */');
    expect(merged(r)).toBe(
      USER.slice(0, requireEnd) + 'require "vacation";\r\n' + rule + '\r\n' + USER.slice(requireEnd),
    );
    expect(checkScript(merged(r), engine).ok).toBe(true);
  });

  it('updates the rule in place', () => {
    const first = merged(mergeVacation(USER, away));
    const later = { ...away, body: 'Back on Tuesday.', days: 3 };
    const second = merged(mergeVacation(first, later));
    expect(second).toBe(first.replace(vacationRule(away).text, vacationRule(later).text));
    expect(readVacation(second)).toMatchObject({ found: true, settings: later });
    expect(mergeVacation(second, later)).toEqual({ ok: true, script: second, change: 'unchanged' });
  });

  it("updates a Roundcube rule where it stands, keeping its name and the script's other rules", () => {
    const source = fixture('roundcube-vacation.sieve');
    const start = source.indexOf('# rule:[Out of Office]');
    const end = source.indexOf('# rule:[Lists]');
    const r = merged(mergeVacation(source, { ...away, original: 'copy', forwardTo: ['boss@example.com'] }));
    const rule = vacationRule(
      { ...away, original: 'copy', forwardTo: ['boss@example.com'] },
      { name: 'Out of Office' },
    ).text;
    expect(r).toBe(source.slice(0, start) + rule + '\r\n' + source.slice(end));
  });

  it('adds only the capabilities the script does not require yet, after its requires', () => {
    const source = fixture('roundcube-vacation.sieve');
    const r = merged(mergeVacation(source, { ...away, skipSpam: true, subject: 'Re: ${subject}' }));
    const firstLine = source.indexOf('\r\n') + 2;
    expect(r.slice(0, firstLine)).toBe(source.slice(0, firstLine));
    expect(r.slice(firstLine).split('\r\n')[0]).toBe(
      'require ["comparator-i;ascii-numeric","spamtestplus","variables"];',
    );
  });

  it('keeps LF line ends in a script written with them', () => {
    const lf = USER.replace(/\r\n/g, '\n');
    const r = merged(mergeVacation(lf, away));
    expect(r).not.toContain('\r');
    expect(readVacation(r)).toMatchObject({ found: true, settings: { ...away, original: 'keep' } });
  });

  it('creates a script when there is none', () => {
    const r = merged(mergeVacation(null, away));
    expect(r).toBe('require "vacation";\r\n' + vacationRule(away).text + '\r\n');
  });

  it('puts a new forward rule after the vacation rule, so that its stop does not hide the reply', () => {
    const withVacation = merged(mergeVacation(USER, away));
    const r = mergeForward(withVacation, { enabled: true, to: ['a@example.net'], keepCopy: false });
    const script = merged(r);
    expect(script.indexOf('# rule:[Forwarding]')).toBeGreaterThan(script.indexOf('# rule:[Out of Office]'));
    expect(script.indexOf('# rule:[Forwarding]')).toBeLessThan(script.indexOf('/* lists */'));
    expect(readForward(script)).toMatchObject({ found: true, settings: { to: ['a@example.net'] } });
    expect(readVacation(script)).toMatchObject({ found: true, settings: { body: away.body } });
  });

  it('keeps the rest byte for byte whatever the settings', () => {
    fc.assert(
      fc.property(vacationSettings, (s) => {
        const once = merged(mergeVacation(USER, s));
        const twice = merged(mergeVacation(once, { ...s, body: s.body + ' (updated)' }));
        for (const piece of USER.split('\r\n').filter((l) => l)) expect(twice).toContain(piece + '\r\n');
        const requireEnd = USER.indexOf('/* lists */');
        expect(twice.slice(0, requireEnd)).toBe(USER.slice(0, requireEnd));
        expect(twice.endsWith(USER.slice(requireEnd))).toBe(true);
        expect(checkScript(twice, engine).errors).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe.skipIf(!sievec())("merged scripts compile in Pigeonhole's sievec", () => {
  it('for every fixture, vacation and forward', async () => {
    const names = [
      'roundcube-vacation.sieve',
      'roundcube-disabled.sieve',
      'roundcube-forward-copy.sieve',
      'sogo.sieve',
      'ingo.sieve',
      'nextcloud.sieve',
    ];
    const scripts: string[] = [USER];
    for (const name of names) {
      const withVacation = merged(
        mergeVacation(fixture(name), { ...away, skipSpam: true, subject: 'Re: ${subject}' }, { force: true }),
      );
      scripts.push(
        withVacation,
        merged(
          mergeForward(
            withVacation,
            { enabled: true, to: ['a@example.net'], keepCopy: true },
            { force: true },
          ),
        ),
      );
    }
    expect(await sievecErrors(scripts)).toEqual([]);
  }, 120_000);
});

describe('refusals', () => {
  it('never edits a script with syntax errors', () => {
    const r = mergeVacation('if true {\r\n  keep;\r\n', away);
    expect(r).toMatchObject({ ok: false, refusal: { code: 'syntax-error' } });
  });

  it('says what would be lost from a rule it does not fully understand, and replaces it when forced', () => {
    const source = fixture('roundcube-custom-test.sieve');
    const r = mergeVacation(source, away);
    expect(r).toMatchObject({
      ok: false,
      refusal: {
        code: 'unknown-parts',
        details: ['header :contains "to" "me@example.com"'],
        current: source.slice(source.indexOf('# rule:'), source.lastIndexOf('}') + 1),
        proposed: vacationRule(away, { name: 'Out of Office' }).text,
      },
    });
    const forced = mergeVacation(source, away, { force: true });
    expect(forced).toMatchObject({ ok: true, change: 'updated' });
  });

  it('refuses when a vacation is sent from inside another rule', () => {
    const source =
      'require ["vacation"];\r\nif header :is "x" "y" {\r\n  if true { keep; }\r\n  vacation "nested";\r\n}\r\n';
    expect(mergeVacation(source, away)).toMatchObject({ ok: false, refusal: { code: 'nested-rule' } });
  });

  it('refuses to add a rule beside the vacations of an if/else chain', () => {
    expect(mergeVacation(fixture('iredmail-sample.sieve'), away)).toMatchObject({
      ok: false,
      refusal: { code: 'nested-rule', details: ['line 5: vacation', expect.stringMatching(/^line 10: /)] },
    });
  });

  it('refuses when there are several vacation rules, unless forced', () => {
    const one = merged(mergeVacation(null, away));
    const two = one + vacationRule(away, { name: 'Again' }).text + '\r\n';
    expect(mergeVacation(two, away)).toMatchObject({ ok: false, refusal: { code: 'several-rules' } });
  });

  it('refuses "${" in the reply when the script uses variables, which would expand it', () => {
    const source = 'require ["variables"];\r\nset "x" "1";\r\n';
    expect(mergeVacation(source, { ...away, body: 'Costs ${price}' })).toMatchObject({
      ok: false,
      refusal: { code: 'variables-in-text', details: ['Costs ${price}'] },
    });
    expect(mergeVacation(source, { ...away, subject: 'Re: ${subject}' })).toMatchObject({ ok: true });
    // Without variables, the text is sent as written.
    expect(mergeVacation(USER, { ...away, body: 'Costs ${price}' })).toMatchObject({ ok: true });
  });

  it('refuses settings that do not validate, with their problems', () => {
    expect(mergeVacation(USER, { ...away, days: 0 })).toMatchObject({
      ok: false,
      refusal: { code: 'invalid-settings', problems: [{ path: 'days', code: 'out-of-range' }] },
    });
  });

  it('refuses a result that would not compile', () => {
    // The script does not compile (fileinto is not required), so neither would the result.
    const r = mergeForward('require "copy";\r\nfileinto "Archive";\r\n', {
      enabled: true,
      to: ['a@example.net'],
      keepCopy: true,
    });
    expect(r).toMatchObject({ ok: false, refusal: { code: 'does-not-compile' } });
  });
});

describe('enabling and disabling', () => {
  it("switches an if rule in place, Roundcube's way, even one with parts tamis does not understand", () => {
    const source = fixture('roundcube-custom-test.sieve');
    const off = setRuleEnabled('vacation', source, false);
    const head =
      'if allof (currentdate :zone "+0100" :value "ge" "date" ["2026-01-05"], header :contains "to" "me@example.com")';
    expect(off).toMatchObject({ ok: true, change: 'updated' });
    expect(off.ok && off.script).toBe(source.replace(head, head.replace('if ', 'if false # ')));
    expect(readVacation(off.ok ? off.script : '')).toMatchObject({
      found: true,
      settings: { enabled: false },
    });
    const on = setRuleEnabled('vacation', off.ok ? off.script : '', true);
    expect(on.ok && on.script).toBe(source);
  });

  it('enables a Roundcube rule written disabled', () => {
    const source = fixture('roundcube-disabled.sieve');
    const on = setRuleEnabled('vacation', source, true);
    expect(on.ok && on.script).toBe(source.replace('if false # allof', 'if allof'));
  });

  it('turns off a bare SOGo forward by rewriting it as a rule', () => {
    const r = setRuleEnabled('forward', fixture('sogo.sieve'), false);
    expect(r.ok && readForward(r.script)).toMatchObject({ found: true, settings: { enabled: false } });
  });

  it('has nothing to enable in a script without the rule', () => {
    expect(setRuleEnabled('forward', USER, true)).toMatchObject({ ok: false, refusal: { code: 'no-rule' } });
    expect(setRuleEnabled('forward', USER, false)).toEqual({ ok: true, script: USER, change: 'unchanged' });
  });

  it('a disabled forward rule is generated as Roundcube would', () => {
    expect(forwardRule({ enabled: false, to: ['a@example.net'], keepCopy: true }).text).toContain(
      'if false # true',
    );
  });
});

describe('hostile and broken input', () => {
  const pieces = fc.constantFrom(
    'if ',
    'true',
    'false # ',
    'allof (',
    ')',
    '{',
    '}',
    ';',
    'vacation ',
    'redirect ',
    ':copy ',
    '"a@b.c"',
    'text:\r\n',
    '\r\n.\r\n',
    '# rule:[x]\r\n',
    'require "vacation";',
    ':days 2 ',
    '"x"',
    ',',
    '\r\n',
    '/* c */',
    'currentdate :zone "+0100" :value "ge" "iso8601" "2026-01-01T00:00:00+01:00"',
    'elsif true ',
    'else ',
  );
  const scripts = fc.oneof(
    fc.string(),
    fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')),
  );

  it('reading and merging never throw, whatever the script', () => {
    fc.assert(
      fc.property(scripts, (text) => {
        const read = readVacation(text);
        expect(typeof read.ok).toBe('boolean');
        expect(typeof readForward(text).ok).toBe('boolean');
        const r = mergeVacation(text, away);
        // Whatever comes back either compiles or says why not.
        if (r.ok) expect(checkScript(r.script, engine).errors).toEqual([]);
        else expect(r.refusal.message).toMatch(/\w/);
        const f = setRuleEnabled('forward', text, false);
        if (f.ok) expect(f.change === 'unchanged' || checkScript(f.script, engine).ok).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('validation never throws, whatever the JSON', () => {
    fc.assert(
      fc.property(fc.anything(), fc.jsonValue(), (a, j) => {
        for (const v of [a, j, { enabled: true, body: 'x', subject: a }, { enabled: true, to: j }]) {
          expect(typeof mergeVacation(null, v).ok).toBe('boolean');
          expect(typeof mergeForward(null, v).ok).toBe('boolean');
        }
      }),
      { numRuns: 300 },
    );
  });
});
