import { describe, expect, it } from 'vitest';
import { SieveEngine } from '../../src/engine.js';
import { errorsOf as compileErrors, runScript } from '../support/engine.js';
import type { ConfigInput } from '../../src/config.js';
import type { Extension } from '../../src/extensions/types.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import {
  registerVariableNamespace,
  onNamespaceAssign,
  truncateUtf8,
} from '../../src/extensions/variables.js';

const MESSAGE = [
  'From: Coyote <coyote@desert.example.org>',
  'To: roadrunner@acme.example.com',
  'Subject: [acme-users] [fwd] version 1.0 is out',
  'List-Id: ACME users <acme-users@lists.example.net>',
  '',
  'Beep beep.',
  '',
].join('\r\n');
const ENVELOPE = { from: 'coyote@desert.example.org', to: 'roadrunner@acme.example.com' };

interface Options {
  config?: ConfigInput;
  extensions?: Extension[];
  message?: string;
}

function engineFor(options: Options): SieveEngine {
  return new SieveEngine({ config: options.config, extensions: options.extensions, allowTestOnly: true });
}

function errorsOf(script: string, options: Options = {}): string[] {
  return compileErrors(script, engineFor(options));
}

/** Compiles and runs a script; returns the variables and the run result. */
function run(script: string, options: Options = {}) {
  let rt: Runtime | undefined;
  const prepare = (r: Runtime) => {
    rt = r;
  };
  const message = options.message ?? MESSAGE;
  const result = runScript(script, {
    engine: engineFor(options),
    message,
    envelope: ENVELOPE,
    options: { prepare },
  });
  return { result, vars: rt!.variables, rt: rt! };
}

/** Runs `body` after `require "variables"` and returns one variable. */
function varAfter(body: string, name = 'r', options: Options = {}): string | undefined {
  const { result, vars } = run(
    `require ["variables", "encoded-character", "relational", "comparator-i;ascii-numeric"];\n${body}`,
    options,
  );
  expect(result.errors).toEqual([]);
  return vars.get(name);
}

/** True when `test` holds (with variables, relational and i;ascii-numeric required). */
function holds(test: string, setup = '', options: Options = {}): boolean {
  return varAfter(`${setup}\nif ${test} { set "r" "yes"; } else { set "r" "no"; }`, 'r', options) === 'yes';
}

describe('set and modifiers (RFC 5229 §4)', () => {
  it('assigns and expands, names case-insensitive', () => {
    expect(varAfter('set "VeRyLong_Name1" "x"; set "r" "[${verylong_name1}|${VERYLONG_NAME1}]";')).toBe(
      '[x|x]',
    );
  });

  it('applies each modifier', () => {
    expect(varAfter('set :lower "r" "VaLuE Ä";')).toBe('value ä');
    expect(varAfter('set :upper "r" "vAlUe ä";')).toBe('VALUE Ä');
    expect(varAfter('set :lowerfirst "r" "VALUE";')).toBe('vALUE');
    expect(varAfter('set :upperfirst "r" "value";')).toBe('Value');
    expect(varAfter('set :upperfirst "r" "";')).toBe('');
    expect(varAfter('set :quotewildcard "r" "a*b?c\\\\d";')).toBe('a\\*b\\?c\\\\d');
    expect(varAfter('set :length "r" "";')).toBe('0');
    expect(varAfter('set :length "r" "VaLuE";')).toBe('5');
  });

  it('counts characters, not octets, for :length', () => {
    expect(
      varAfter('set :length "r" "Das ist ${unicode: 00fc}berhaupt nicht m${unicode: 00f6}glich.";'),
    ).toBe('32');
    expect(varAfter('set :length "r" "${unicode:1F600}";')).toBe('1');
  });

  it('applies modifiers by precedence whatever their order', () => {
    expect(varAfter('set :lower :upperfirst "r" "vAlUe";')).toBe('Value');
    expect(varAfter('set :upperfirst :lower "r" "vAlUe";')).toBe('Value');
    expect(varAfter('set :upper :lowerfirst "r" "VaLuE";')).toBe('vALUE');
    expect(varAfter('set :lowerfirst :upper "r" "VaLuE";')).toBe('vALUE');
    expect(varAfter('set :length :quotewildcard "r" "^^***??**^^";')).toBe('18');
    expect(varAfter('set :quotewildcard :upper "r" "a*";')).toBe('A\\*');
  });

  it('follows the RFC §4.1 examples', () => {
    const setup = 'set "a" "juMBlEd lETteRS";';
    expect(varAfter(`${setup} set :length "r" "\${a}";`)).toBe('15');
    expect(varAfter(`${setup} set :lower "r" "\${a}";`)).toBe('jumbled letters');
    expect(varAfter(`${setup} set :upperfirst "r" "\${a}";`)).toBe('JuMBlEd lETteRS');
    expect(varAfter(`${setup} set :upperfirst :lower "r" "\${a}";`)).toBe('Jumbled letters');
    expect(varAfter('set :quotewildcard "r" "Rock*";')).toBe('Rock\\*');
  });

  it('refuses two modifiers of the same precedence', () => {
    for (const pair of [':lower :upper', ':lowerfirst :upperfirst', ':upper :lower']) {
      const errors = errorsOf(`require "variables"; set ${pair} "a" "b";`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/cannot be used together/);
    }
    expect(errorsOf('require "variables"; set :length :length "a" "b";')[0]).toMatch(/more than once/);
  });

  it('expands the value once: a "${" produced by expansion stays literal', () => {
    expect(varAfter('set "something" "value"; set "s" "$"; set "r" "${s}{something}";')).toBe('${something}');
  });

  it('substitutes the RFC §3 examples', () => {
    const setup = 'set "company" "ACME";';
    expect(varAfter(`${setup} set "r" "\${full}";`)).toBe('');
    expect(varAfter(`${setup} set "r" "\${company}";`)).toBe('ACME');
    expect(varAfter(`${setup} set "r" "\${BAD\${Company}";`)).toBe('${BADACME');
    expect(varAfter(`${setup} set "r" "\${President, \${Company} Inc.}";`)).toBe('${President, ACME Inc.}');
  });

  it('leaves text that is not a variable reference alone', () => {
    for (const text of [
      '$',
      '${',
      '${a',
      '${$}',
      '${%%%%}',
      '${0.s}',
      '&%${}!',
      '${doh!}',
      '${a b}',
      '${-1}',
      '${.a}',
      '${a.}',
    ]) {
      const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      expect(varAfter(`set "variable" "nonsense"; set "r" "${escaped}";`)).toBe(text);
    }
  });

  it('handles escapes before expansion (RFC 5229 §3 quoting examples)', () => {
    expect(varAfter('set "foo" "bar"; set "r" "${fo\\o}";')).toBe('bar');
    expect(varAfter('set "foo" "bar"; set "r" "${fo\\\\o}";')).toBe('${fo\\o}');
    expect(varAfter('set "foo" "bar"; set "r" "\\${foo}";')).toBe('bar');
    expect(varAfter('set "foo" "bar"; set "r" "\\\\${foo}";')).toBe('\\bar');
    // encoded-character is decoded before variables are looked for.
    expect(varAfter('set "name" "Ethelbert"; set "r" "dear${hex:20 24 7b 4e}ame}";')).toBe('dear Ethelbert');
  });

  it('expands multi-line strings', () => {
    const script =
      'set "honorific" "Mr"; set "last_name" "Coyote";\nset "r" text:\nDear ${HONORIFIC} ${last_name},\nbye\n.\n;';
    expect(varAfter(script)).toMatch(/^Dear Mr Coyote,\r?\nbye\r?\n$/);
  });

  it('does not expand anything without require "variables"', () => {
    const { result } = run('require "fileinto"; fileinto "${x}";');
    expect(result.actions[0]).toMatchObject({ type: 'fileinto', mailbox: '${x}' });
    expect(errorsOf('set "a" "b";')[0]).toMatch(/set used without require "variables"/);
    expect(errorsOf('if string "a" "a" { stop; }')[0]).toMatch(
      /string test used without require "variables"/,
    );
  });

  it('uses variables in action arguments', () => {
    const { result } = run('require ["variables", "fileinto"]; set "box" "Lists"; fileinto "INBOX.${box}";');
    expect(result.actions[0]).toMatchObject({ type: 'fileinto', mailbox: 'INBOX.Lists' });
  });
});

describe('variable names at compile time', () => {
  it('refuses names that are not identifiers', () => {
    for (const name of ['${frop}', '....', 'name.', '.name', '1abc', 'a-b', '', 'a b']) {
      const errors = errorsOf(`require "variables"; set "${name}" "x";`);
      expect(errors, name).toHaveLength(1);
      expect(errors[0]).toMatch(/invalid variable name/);
    }
  });

  it('refuses assignment to match variables', () => {
    expect(errorsOf('require "variables"; set "0" "x";')).toEqual([
      'set cannot assign to match variable "0"',
    ]);
    expect(errorsOf('require "variables"; set "12" "x";')[0]).toMatch(/match variable/);
  });

  it('accepts tags in any case and refuses unknown tags', () => {
    expect(varAfter('set :UPPER "r" "frop";')).toBe('FROP');
    expect(errorsOf('require "variables"; set :inner "name" "frop";')[0]).toMatch(
      /unknown tagged argument ':inner'/,
    );
  });

  it('needs constant name and two strings', () => {
    expect(errorsOf('require "variables"; set "a";')[0]).toMatch(/requires 2 positional/);
    expect(errorsOf('require "variables"; set ["a", "b"] "c";')[0]).toMatch(/string/);
    expect(errorsOf('require "variables"; set "a" 5;')[0]).toMatch(/string/);
  });

  it('refuses unknown namespaces in set and in references', () => {
    const errors = errorsOf(
      'require ["variables", "fileinto"]; set "namespace.frop" "v"; set "complex.struct.frop" "v";\n' +
        'fileinto "${namespace.frop}"; fileinto "${complex.struct.frop}";',
    );
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => /unknown variable namespace/.test(e))).toBe(true);
  });

  it('lets an extension register a namespace, read-only unless it says otherwise', () => {
    const store = new Map<string, string>();
    const ext: Extension = {
      name: 'vnd.example.ns',
      testOnly: true,
      onRequire: (cx) => registerVariableNamespace(cx, 'ex'),
      onRun: (rt) => rt.namespaces.set('ex', (n) => `<${n}>`),
    };
    const rw: Extension = {
      name: 'vnd.example.rw',
      testOnly: true,
      onRequire: (cx) => registerVariableNamespace(cx, 'rw', { assignable: true }),
      onRun: (rt) => {
        rt.namespaces.set('rw', (n) => store.get(n) ?? '');
        onNamespaceAssign(rt, 'rw', (n, v) => store.set(n, v));
      },
    };
    const extensions = [ext, rw];
    expect(errorsOf('require "variables"; set "r" "${ex.Name}";', { extensions })[0]).toMatch(
      /unknown variable namespace "ex"/,
    );
    // Registration works whichever of the two capabilities is required first.
    const { vars } = run('require ["vnd.example.ns", "variables"]; set "r" "${EX.Name}";', { extensions });
    expect(vars.get('r')).toBe('<name>');
    const { vars: v2 } = run('require ["variables", "vnd.example.ns"]; set "r" "${ex.x}";', { extensions });
    expect(v2.get('r')).toBe('<x>');
    expect(errorsOf('require ["variables", "vnd.example.ns"]; set "ex.x" "1";', { extensions })[0]).toMatch(
      /read-only/,
    );
    const { vars: v3 } = run(
      'require ["variables", "vnd.example.rw"]; set :upper "rw.k" "v"; set "r" "${rw.k}";',
      {
        extensions,
      },
    );
    expect(store.get('k')).toBe('V');
    expect(v3.get('r')).toBe('V');
  });
});

describe('limits', () => {
  it('refuses more distinct variables than maxVariables, once', () => {
    const sets = (n: number) =>
      Array.from({ length: n }, (_, i) => `set "v${i}" "x"; set "V${i}" "y";`).join('\n');
    const config = { maxVariables: 5 };
    expect(errorsOf(`require "variables";\n${sets(5)}`, { config })).toEqual([]);
    const errors = errorsOf(`require "variables";\n${sets(8)}`, { config });
    expect(errors).toEqual(['too many variables in script (limit 5)']);
  });

  it('cuts values to maxVariableSize octets without splitting characters', () => {
    const config = { maxVariableSize: 10 };
    expect(varAfter('set "r" "0123456789abc";', 'r', { config })).toBe('0123456789');
    expect(varAfter('set "a" "01234567"; set "r" "${a}${a}";', 'r', { config })).toBe('0123456701');
    // 9 octets + a 3-octet character do not fit in 10: the character goes whole.
    expect(varAfter('set "r" "012345678${unicode:4e03}";', 'r', { config })).toBe('012345678');
    expect(varAfter('set "r" "0123456${unicode:4e03}";', 'r', { config })).toBe('0123456\u4e03');
    expect(varAfter('set :length "r" "0123456789abcdef";', 'r', { config })).toBe('10');
  });

  it('bounds what references add to a string, never the literal text', () => {
    const config = { maxVariableSize: 5 };
    const setup = 'set "a" "12345";';
    expect(holds('string :is :comparator "i;octet" "${a}xyz" "12345xyz"', setup, { config })).toBe(true);
    expect(holds('string :is :comparator "i;octet" "<${a}${a}>" "<12345>"', setup, { config })).toBe(true);
  });

  it('does not leave half an escape when :quotewildcard reaches the limit', () => {
    const config = { maxVariableSize: 6 };
    expect(varAfter('set :quotewildcard "r" "0****";', 'r', { config })).toBe('0\\*\\*');
    expect(varAfter('set :quotewildcard "r" "*****";', 'r', { config })).toBe('\\*\\*\\*');
  });

  it('truncateUtf8 keeps whole code points', () => {
    expect(truncateUtf8('a\u{1F600}b', 4)).toBe('a');
    expect(truncateUtf8('a\u{1F600}b', 5)).toBe('a\u{1F600}');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});

describe('string test (RFC 5229 §5)', () => {
  it('matches expanded strings with every match type', () => {
    const setup = 'set "state" "${state} pending";';
    expect(holds('string :matches " ${state} " "* pending *"', setup)).toBe(true);
    expect(holds('string :is "${state}" " pending"', setup)).toBe(true);
    expect(holds('string :contains "${state}" "PEND"', setup)).toBe(true);
    expect(holds('string :contains :comparator "i;octet" "${state}" "PEND"', setup)).toBe(false);
    expect(holds('string ["a", "b"] ["c", "B"]')).toBe(true);
    expect(holds('string ["a", "b"] ["c", "d"]')).toBe(false);
  });

  it('keeps white space', () => {
    expect(
      holds(
        'string :is :comparator "i;octet" "${vara}" "      ${varb}       "',
        'set "vara" "      value       "; set "varb" "value";',
      ),
    ).toBe(true);
  });

  it('compares with the comparator given', () => {
    expect(holds('string :is "fropfropfrop" "FrOpfropfRoP"')).toBe(true);
    expect(holds('string :comparator "i;octet" :is "frop" "FrOp"')).toBe(false);
    expect(holds('string :is :comparator "i;ascii-numeric" "042" "42"')).toBe(true);
  });

  it('does not count empty strings with :count', () => {
    expect(holds('string :count "eq" :comparator "i;ascii-numeric" ["a", "b", "c"] "3"')).toBe(true);
    expect(holds('string :count "eq" :comparator "i;ascii-numeric" ["a", "", "c"] "2"')).toBe(true);
    expect(holds('string :count "eq" :comparator "i;ascii-numeric" "${unset}" "0"')).toBe(true);
    expect(holds('string :count "eq" :comparator "i;ascii-numeric" ["", ""] "0"')).toBe(true);
    // :value still sees the empty string.
    expect(holds('string :value "eq" :comparator "i;octet" "" ""')).toBe(true);
  });
});

describe('match variables', () => {
  /** The expansion of `expr` right after `test` succeeded. */
  const get = (test: string, expr: string) =>
    varAfter(`if ${test} { set "r" "${expr}"; } else { set "r" "no match"; }`);

  it('sets ${0} to the whole value and ${N} to each wildcard', () => {
    expect(get('string :matches "frop:frup:frop" "*:*:*"', '${0}|${1}|${2}|${3}|${4}')).toBe(
      'frop:frup:frop|frop|frup|frop|',
    );
    expect(get('string :matches "frop:frup:frop" "*:*:*"', '${0000002}')).toBe('frup');
    expect(get('string :matches "a b c d e f g" "? ? ? ? ? ? ?"', '${0}')).toBe('a b c d e f g');
    expect(get('string :matches "test" "*"', '[${2}]')).toBe('[]');
  });

  it('takes as little as possible for each star', () => {
    expect(get('string :matches "frop.......frop.........frop...." "?*frop*"', '${1}${2}${3}')).toBe(
      'frop................frop....',
    );
    expect(get('string :matches "klopfropstroptop" "*fr??*top"', ':${1}:${2}:${3}:${4}:${5}:')).toBe(
      ':klop:o:p:strop::',
    );
    expect(get('string :matches "klopfropstroptop" "*?op"', ':${1}:${2}:${3}:')).toBe(':klopfropstrop:t::');
    expect(get('string :matches "klopfropstroptop" "*?op*"', ':${1}:${2}:${3}:')).toBe(':k:l:fropstroptop:');
    expect(
      get('string :matches "foo1234@foobar.example.com" "*??@foobar.example.com"', '${1}|${2}|${3}'),
    ).toBe('foo12|3|4');
  });

  it('treats escaped wildcards literally', () => {
    expect(get('string :matches "beter van niet?" "*\\\\?"', '${1}')).toBe('beter van niet');
    expect(holds('string :matches "beter van niet!" "*\\\\?"')).toBe(false);
    expect(get('string :matches "a*b" "?\\\\**"', '${1}|${2}')).toBe('a|b');
  });

  it('changes only on a successful match', () => {
    const setup =
      'set "s1" "the cat jumps off the table"; set "s2" "the dog barks at the cat in the alley";\n' +
      'if string :matches "${s1}" "the * jumps off the *" { set "a" "${1}:${2}"; }\n' +
      'if string :matches "${s2}" "the * barks at the * in the store" { stop; }\n' +
      'set "b" "${1}:${2}";\n' +
      'if string :matches "${s2}" "the * barks at the * in the alley" { set "c" "${1}:${2}"; }';
    const { vars } = run(`require "variables";\n${setup}`);
    expect([vars.get('a'), vars.get('b'), vars.get('c')]).toEqual(['cat:table', 'cat:table', 'dog:cat']);
  });

  it('is not touched by :is or :contains', () => {
    const script =
      'if string :matches "ab" "?*" { } if string :is "x" "x" { } if string :contains "xyz" "y" { set "r" "${1}"; }';
    expect(varAfter(script)).toBe('a');
  });

  it('comes from the value that matched in header and address tests', () => {
    expect(get('header :matches "List-Id" "*<*@*"', '${2}')).toBe('acme-users');
    expect(get('header :matches "Subject" "[*] *"', '${1}|${2}')).toBe('acme-users|[fwd] version 1.0 is out');
    expect(
      get('address :matches ["To", "Cc"] ["coyote@**.com", "roadrunner@**.com"]', '${0}|${1}|${2}'),
    ).toBe('roadrunner@acme.example.com||acme.example');
  });

  it('stops at the first test of anyof that matches', () => {
    const test =
      'anyof (string :matches "a b c d e f g" "? ?", string :matches "puk pok puk pok" "pu*ok", string :matches "snot kip snot" "snot*snot")';
    expect(get(test, '${1}')).toBe('k pok puk p');
  });

  it('keeps only maxMatchValues values', () => {
    const config = { maxMatchValues: 3 };
    expect(get('string :matches "abcd" "????"', '${0}|${1}|${2}|${3}')).toBe('abcd|a|b|c');
    expect(
      varAfter('if string :matches "abcd" "????" { set "r" "${0}|${1}|${2}|${3}"; }', 'r', { config }),
    ).toBe('abcd|a|b|');
  });
});

describe('hostile templates', () => {
  it('parses long runs of unterminated references in linear time', () => {
    const text = '${'.repeat(200_000) + 'a}';
    const script = `require "variables"; set "a" "x"; set "r" "${text}";`;
    const { vars } = run(script, { config: { maxVariableSize: 1_000_000 } });
    expect(vars.get('r')).toBe('${'.repeat(199_999) + 'x');
  });

  it('parses many references in one string', () => {
    const { vars } = run(`require "variables"; set "a" "x"; set "r" "${'${a}'.repeat(50_000)}";`);
    expect(vars.get('r')).toBe('x'.repeat(4096));
  });
});
