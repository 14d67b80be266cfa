import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, runScript } from '../support/engine.js';
import type { Action } from '../../src/runtime/result.js';

const ENVELOPE = { from: 'sender@example.org', to: 'rcpt@example.com' };
const MESSAGE = Buffer.from('From: a@example.org\r\nSubject: flags\r\n\r\nbody\r\n');
const engine = new SieveEngine();
const REQ = 'require ["imap4flags", "fileinto", "variables", "relational", "comparator-i;ascii-numeric"];\n';

function run(script: string): { actions: Action[]; errors: string[] } {
  const r = runScript(REQ + script, { engine, message: MESSAGE, envelope: ENVELOPE });
  return { actions: r.actions, errors: r.errors.map((e) => e.message) };
}

/** mailbox → flags of every store. */
function stored(script: string): Record<string, string[]> {
  const { actions, errors } = run(script);
  expect(errors).toEqual([]);
  const out: Record<string, string[]> = {};
  for (const a of actions) if (a.type === 'keep' || a.type === 'fileinto') out[a.mailbox] = a.flags ?? [];
  return out;
}

function holds(test: string, setup = ''): boolean {
  return 'yes' in stored(`${setup}\nif ${test} { fileinto "yes"; }`);
}

function errorsOf(script: string): string[] {
  return compileErrors(script, engine);
}

describe('internal variable and keep/fileinto', () => {
  it('stores with the current flags, implicit keep included', () => {
    expect(stored('setflag "\\\\Seen";')).toEqual({ INBOX: ['\\Seen'] });
    expect(
      stored('addflag ["\\\\Seen", "$Label1 \\\\Flagged"]; fileinto "A"; removeflag "\\\\seen"; keep;'),
    ).toEqual({
      A: ['\\Seen', '$Label1', '\\Flagged'],
      INBOX: ['$Label1', '\\Flagged'],
    });
  });

  it('explicit :flags override the internal variable for that store only', () => {
    expect(stored('setflag "a"; fileinto :flags "b c" "X"; fileinto "Y";')).toEqual({
      X: ['b', 'c'],
      Y: ['a'],
    });
    expect(stored('setflag "a"; keep :flags "";')).toEqual({ INBOX: [] });
  });

  it('the implicit keep takes the flags as they are at the end', () => {
    expect(stored('setflag "a"; setflag "b";')).toEqual({ INBOX: ['b'] });
    expect(stored('setflag "a"; removeflag "a";')).toEqual({ INBOX: [] });
  });

  it('the last store into one mailbox decides its flags (RFC 5232, duplicate elimination)', () => {
    const script = [
      'setflag "IMPLICIT";',
      'fileinto :flags "\\\\Seen \\\\Draft" "INBOX.Junk";',
      'fileinto :flags "NONSENSE" "INBOX.Junk";',
      'keep;',
      'keep :flags "\\\\Seen";',
      'fileinto :flags "\\\\Seen" "Nonsense";',
      'fileinto "Nonsense";',
    ].join('\n');
    expect(stored(script)).toEqual({ 'INBOX.Junk': ['NONSENSE'], INBOX: ['\\Seen'], Nonsense: ['IMPLICIT'] });
  });

  it('drops invalid flags and case-insensitive duplicates, keeping the first spelling', () => {
    expect(stored('setflag "\\\\seen \\\\SEEN \\\\Recent \\\\Bogus a(b a*b $Ok $ok \\\\Answered";')).toEqual({
      INBOX: ['\\seen', '$Ok', '\\Answered'],
    });
    expect(stored('fileinto :flags ["x", "X", "\\\\Deleted  y"] "F";')).toEqual({
      F: ['x', '\\Deleted', 'y'],
    });
  });

  it('takes flags from variables in the flag list', () => {
    expect(stored('set "f" "$A $B"; setflag "${f}"; addflag "${f} $C";')).toEqual({
      INBOX: ['$A', '$B', '$C'],
    });
  });

  it('a script without imap4flags stores no flags', () => {
    const c = engine.compile('require "fileinto"; fileinto "A";');
    const r = engine.run(c.program!, MESSAGE, ENVELOPE);
    expect(r.actions).toEqual([{ type: 'fileinto', mailbox: 'A' }]);
  });
});

describe('hasflag', () => {
  it('matches the internal variable with :is by default (case-insensitive)', () => {
    expect(holds('hasflag "\\\\Seen"')).toBe(false);
    expect(holds('hasflag "\\\\Seen"', 'setflag "\\\\seen";')).toBe(true);
    expect(holds('hasflag ["b", "A"]', 'setflag "A B";')).toBe(true);
    expect(holds('hasflag :is "b A"', 'setflag "A B";')).toBe(true);
    expect(holds('hasflag "C"', 'setflag "A B";')).toBe(false);
  });

  it('ignores empty and invalid keys for :is and :contains', () => {
    expect(holds('hasflag ""', 'setflag "";')).toBe(false);
    expect(holds('hasflag "\\\\Recent"', 'setflag "\\\\Seen";')).toBe(false);
  });

  it('counts distinct flags with :count', () => {
    expect(holds('hasflag :count "eq" :comparator "i;ascii-numeric" "0"')).toBe(true);
    expect(
      holds('hasflag :count "eq" :comparator "i;ascii-numeric" "3"', 'setflag "a b"; addflag "c A";'),
    ).toBe(true);
    expect(
      holds(
        'hasflag :count "eq" :comparator "i;ascii-numeric" "Flags" "6"',
        'set "Flags" "A B C D E F A B C D E F";',
      ),
    ).toBe(true);
  });

  it('reads named variables (RFC 5232 examples)', () => {
    const setup = 'set "MyVar" "NonJunk Junk gnus-forward $Forwarded NotJunk JunkRecorded $Junk $NotJunk";';
    expect(holds('hasflag :contains "MyVar" "Junk"', setup)).toBe(true);
    expect(holds('hasflag :contains "MyVar" "forward"', setup)).toBe(true);
    expect(holds('hasflag :contains "MyVar" ["label", "forward"]', setup)).toBe(true);
    expect(holds('hasflag :contains "MyVar" "junk forward"', setup)).toBe(true);
    expect(holds('hasflag :contains "MyVar" "label"', setup)).toBe(false);
    expect(holds('hasflag :contains "MyVar" ["label1", "label2"]', setup)).toBe(false);
    expect(holds('hasflag ["a", "b", "c"] ["Bflag"]', 'setflag "A" "Aflag"; setflag "B" "Bflag";')).toBe(
      true,
    );
  });

  it('uses :matches keys as written', () => {
    expect(holds('hasflag :matches "$La*"', 'setflag "$Label1";')).toBe(true);
    expect(holds('hasflag :matches "*1 *"', 'setflag "$Label1 x";')).toBe(false);
  });

  it('splits keys computed at run time', () => {
    expect(holds('hasflag "${k}"', 'set "k" "zz   B"; setflag "B";')).toBe(true);
  });
});

describe('variable-name form', () => {
  it('setflag/addflag/removeflag write the variable as a space-separated list', () => {
    const s = stored(
      [
        'setflag "flags" "\\\\seen $frop $frop \\\\seen";',
        'fileinto "s-${flags}";',
        'addflag "Flags" "\\\\seen \\\\Draft";',
        'fileinto "a-${flags}";',
        'removeflag "flags" "$FROP";',
        'fileinto "r-${flags}";',
      ].join('\n'),
    );
    expect(Object.keys(s)).toEqual(['s-\\seen $frop', 'a-\\seen $frop \\Draft', 'r-\\seen \\Draft']);
  });

  it('does not touch the internal variable', () => {
    expect(stored('setflag "v" "a"; addflag "b";')).toEqual({ INBOX: ['b'] });
  });

  it('needs the variables extension', () => {
    expect(errorsOf('require "imap4flags"; setflag "v" "a";')).toEqual([
      'setflag takes a variable name only when "variables" is required',
    ]);
    expect(errorsOf('require "imap4flags"; if hasflag "v" "a" { keep; }')).toEqual([
      'hasflag takes a variable name only when "variables" is required',
    ]);
  });

  it('checks variable names', () => {
    expect(errorsOf(`${REQ}setflag "1" "a";`)).toHaveLength(1);
    expect(errorsOf(`${REQ}setflag "a-b" "a";`)).toHaveLength(1);
    expect(errorsOf(`${REQ}setflag ["a", "b"] "a";`)).toHaveLength(1);
    expect(errorsOf(`${REQ}if hasflag ["ok", "no way"] "a" { keep; }`)).toEqual([
      'invalid variable name "no way" for hasflag',
    ]);
  });
});

describe('syntax', () => {
  it('needs require "imap4flags" for the commands, the test and :flags', () => {
    expect(errorsOf('setflag "a";')[0]).toMatch(/require "imap4flags"/);
    expect(errorsOf('if hasflag "a" { keep; }')[0]).toMatch(/require "imap4flags"/);
    expect(errorsOf('keep :flags "a";')[0]).toMatch(/require "imap4flags"/);
    expect(errorsOf('require "fileinto"; fileinto :flags "a" "b";')[0]).toMatch(/require "imap4flags"/);
  });

  it('refuses wrong argument shapes', () => {
    for (const bad of [
      'setflag;',
      'addflag 3;',
      'removeflag :frop "a";',
      'if hasflag { keep; }',
      'keep :flags;',
      'setflag "a" "b" "c";',
    ]) {
      expect(errorsOf(`require "imap4flags"; ${bad}`).length, bad).toBeGreaterThan(0);
    }
    expect(errorsOf('require "imap4flags"; if setflag "a" { keep; }')).toEqual([
      "'setflag' is a command, not a test",
    ]);
  });

  it('warns about constant flags that will be ignored', () => {
    const c = engine.compile('require "imap4flags"; addflag "\\\\Recent";');
    expect(c.errors).toEqual([]);
    expect(c.warnings.map((w) => w.message)).toEqual([
      'invalid IMAP flag "\\Recent" given to addflag is ignored',
    ]);
  });
});
