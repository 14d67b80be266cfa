import { describe, expect, it } from 'vitest';
import { formatAddress, isValidAddress, parseAddressList, parseMessage } from '../../src/message/index.js';
import type { MailAddress } from '../../src/message/index.js';

const addr = (localPart: string, domain: string | null, name = ''): MailAddress => ({
  name,
  localPart,
  domain,
  address: formatAddress(localPart, domain),
});
const emails = (text: string) => parseAddressList(text).map((a) => a.address);

describe('parseAddressList: mailboxes', () => {
  it('reads a bare addr-spec', () => {
    expect(parseAddressList('user@example.com')).toEqual([addr('user', 'example.com')]);
    expect(parseAddressList('  first.last+tag@sub.example.com  ')).toEqual([
      addr('first.last+tag', 'sub.example.com'),
    ]);
  });

  it('reads name-addr with plain and quoted display names', () => {
    expect(parseAddressList('Mary Smith <mary@x.test>')).toEqual([addr('mary', 'x.test', 'Mary Smith')]);
    expect(parseAddressList('"Joe Q. Public" <john.q.public@example.com>')).toEqual([
      addr('john.q.public', 'example.com', 'Joe Q. Public'),
    ]);
    expect(parseAddressList('"Giant; \\"Big\\" Box" <sysservices@example.net>')).toEqual([
      addr('sysservices', 'example.net', 'Giant; "Big" Box'),
    ]);
    expect(parseAddressList('<boss@nil.test>')).toEqual([addr('boss', 'nil.test')]);
  });

  it('reads obsolete phrases with dots and collapses blanks in names', () => {
    expect(parseAddressList('John Q. Public <jqp@example.com>')[0].name).toBe('John Q. Public');
    expect(parseAddressList('Who?  \t <one@y.test>')[0].name).toBe('Who?');
    expect(parseAddressList('"  spaced   out " <a@b>')[0].name).toBe('spaced out');
  });

  it('unquotes quoted local parts and re-quotes the address only when needed', () => {
    expect(parseAddressList('"a b"@c.test')).toEqual([
      { name: '', localPart: 'a b', domain: 'c.test', address: '"a b"@c.test' },
    ]);
    expect(parseAddressList('"john.doe"@example.com')).toEqual([
      { name: '', localPart: 'john.doe', domain: 'example.com', address: 'john.doe@example.com' },
    ]);
    expect(parseAddressList('"a\\"b\\\\c"@x')).toEqual([
      { name: '', localPart: 'a"b\\c', domain: 'x', address: '"a\\"b\\\\c"@x' },
    ]);
    expect(parseAddressList('""@x')).toEqual([{ name: '', localPart: '', domain: 'x', address: '""@x' }]);
    expect(parseAddressList('Name <"x y"@z>')[0].address).toBe('"x y"@z');
  });

  it('reads obsolete local parts and domains with blanks or quotes around dots', () => {
    expect(parseAddressList('a . b @ c . d')).toEqual([addr('a.b', 'c.d')]);
    expect(parseAddressList('"a".b@c')).toEqual([addr('a.b', 'c')]);
    expect(emails('a..b@docomo.ne.jp')).toEqual(['a..b@docomo.ne.jp']);
  });

  it('reads domain literals and UTF-8 addresses', () => {
    expect(parseAddressList('postmaster@[192.0.2.1]')).toEqual([addr('postmaster', '[192.0.2.1]')]);
    expect(parseAddressList('J\u00f6rg <j\u00f6rg@m\u00fcller.example>')).toEqual([
      addr('j\u00f6rg', 'm\u00fcller.example', 'J\u00f6rg'),
    ]);
  });

  it('reads addresses without a domain', () => {
    expect(parseAddressList('MAILER-DAEMON')).toEqual([addr('MAILER-DAEMON', null)]);
    expect(parseAddressList('Postmaster <postmaster>')).toEqual([addr('postmaster', null, 'Postmaster')]);
    expect(parseAddressList('"some one"')).toEqual([
      { name: '', localPart: 'some one', domain: null, address: '"some one"' },
    ]);
  });

  it('drops route addresses down to the final mailbox', () => {
    expect(parseAddressList('<@route.test:a@b.test>')).toEqual([addr('a', 'b.test')]);
    expect(parseAddressList('Name <@r1.test,@r2.test:a@b.test>, c@d')).toEqual([
      addr('a', 'b.test', 'Name'),
      addr('c', 'd'),
    ]);
  });

  it('decodes RFC 2047 display names', () => {
    expect(parseAddressList('=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>')[0].name).toBe(
      'Keld J\u00f8rn Simonsen',
    );
    expect(parseAddressList('=?utf-8?B?w4l0w6k=?= =?utf-8?Q?_Dupont?= <e@x>')[0].name).toBe(
      '\u00c9t\u00e9 Dupont',
    );
    // Not allowed inside quotes by RFC 2047, but sent by many clients and decoded by readers.
    expect(parseAddressList('"=?utf-8?Q?Andr=C3=A9?=" <a@x>')[0].name).toBe('Andr\u00e9');
    // The encoded text is not parsed as address syntax.
    expect(parseAddressList('=?utf-8?Q?a=2C_b?= <a@x>')).toEqual([addr('a', 'x', 'a, b')]);
  });
});

describe('parseAddressList: lists, groups and comments', () => {
  it('reads a list and skips empty members (obsolete syntax)', () => {
    expect(emails('a@b, c@d')).toEqual(['a@b', 'c@d']);
    expect(emails(',a@b,,  ,c@d,')).toEqual(['a@b', 'c@d']);
    expect(emails('Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>')).toEqual([
      'mary@x.test',
      'jdoe@example.org',
      'one@y.test',
    ]);
  });

  it('flattens groups into their members', () => {
    expect(parseAddressList('A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;')).toEqual([
      addr('c', 'a.test', 'Ed Jones'),
      addr('joe', 'where.test'),
      addr('jdoe', 'one.test', 'John'),
    ]);
    expect(emails('undisclosed: a@b, c@d;')).toEqual(['a@b', 'c@d']);
    expect(emails('x@y, team: a@b; , z@w')).toEqual(['x@y', 'a@b', 'z@w']);
    expect(emails('"quoted group": a@b;')).toEqual(['a@b']);
  });

  it('yields nothing for an empty group', () => {
    expect(parseAddressList('Undisclosed recipients:;')).toEqual([]);
    expect(parseAddressList('undisclosed-recipients: ;')).toEqual([]);
    expect(emails('empty:; , a@b')).toEqual(['a@b']);
  });

  it('tolerates a group without its closing semicolon', () => {
    expect(emails('team: a@b, c@d')).toEqual(['a@b', 'c@d']);
  });

  it('ignores comments anywhere, nested and escaped', () => {
    expect(parseAddressList('Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>')).toEqual([
      addr('pete', 'silly.test', 'Pete'),
    ]);
    expect(emails('(a (nested (deep)) comment) x@y (trailing)')).toEqual(['x@y']);
    expect(emails('a(c)@(d)b.(e)test')).toEqual(['a@b.test']);
    expect(emails('(comment, with: specials; <x@y>) real@z')).toEqual(['real@z']);
  });

  it('uses a comment as the name when there is no display name', () => {
    expect(parseAddressList('bob@example.com (Bob Example)')).toEqual([
      addr('bob', 'example.com', 'Bob Example'),
    ]);
    expect(parseAddressList('Named <a@b> (not the name)')[0].name).toBe('Named');
    expect(parseAddressList('a@b ()')[0].name).toBe('');
  });
});

describe('parseAddressList: broken input', () => {
  it('skips unreadable members and keeps the others', () => {
    expect(emails('John Smith, a@b')).toEqual(['a@b']);
    expect(emails('Bad <<x@y>>, ok@z')).toEqual(['ok@z']);
    expect(emails('a@b@c, d@e')).toEqual(['d@e']);
    expect(emails('a@, @b, ok@c')).toEqual(['ok@c']);
    expect(emails('<a@b> trailing junk, ok@c')).toEqual(['ok@c']);
    expect(emails('Name <a@b, ok@c')).toEqual(['ok@c']);
    expect(emails('x>y, a@b')).toEqual(['a@b']);
    expect(emails('outer: inner: a@b;; c@d')).toEqual([]);
    expect(emails('a@b c, d@e')).toEqual(['d@e']);
  });

  it('yields nothing for the null address and for empty text', () => {
    expect(parseAddressList('<>')).toEqual([]);
    expect(parseAddressList('')).toEqual([]);
    expect(parseAddressList('   ')).toEqual([]);
    expect(parseAddressList('(only a comment)')).toEqual([]);
  });

  it('does not throw on unterminated quotes, comments and literals', () => {
    for (const text of [
      '"unterminated <a@b>',
      '(open comment a@b',
      'a@[1.2.3',
      'a@b, "x',
      '\\',
      '@',
      ':',
      ';',
      '<',
      '>',
    ]) {
      expect(() => parseAddressList(text)).not.toThrow();
    }
    expect(emails('a@b, "x')).toEqual(['a@b']);
    expect(emails('a@b, (open')).toEqual(['a@b']);
    expect(emails('a@b, c@[1.2')).toEqual(['a@b']);
  });

  it('handles control characters and NUL bytes', () => {
    expect(emails('a\u0000b@c, ok@d')).toEqual(['ok@d']);
    expect(emails('"a\u0000b"@c')).toEqual(['"a\u0000b"@c']);
  });

  it('stays linear on 512 KB of hostile text', () => {
    const size = 512 * 1024;
    for (const unit of [
      '(',
      '()',
      '"',
      '""',
      '<',
      '<>',
      '@',
      'a@',
      ':',
      'a:',
      ';',
      ',',
      '\\',
      '[',
      'x y ',
      '=?a?Q?a?= ',
    ]) {
      expect(Array.isArray(parseAddressList(unit.repeat(Math.ceil(size / unit.length))))).toBe(true);
    }
    expect(parseAddressList('(x)'.repeat(300_000) + 'a@b')).toEqual([addr('a', 'b', 'x')]);
    expect(parseAddressList('a@b,'.repeat(200_000)).length).toBe(200_000);
    expect(parseAddressList('g: ' + 'a@b, '.repeat(100_000) + ';').length).toBe(100_000);
  });
});

describe('isValidAddress', () => {
  it('accepts one addr-spec', () => {
    for (const ok of [
      'a@b',
      'first.last@example.com',
      '"a b"@c',
      'a@[192.0.2.1]',
      ' a@b ',
      'x+y=z@d-e.f',
      'a@\u00fc.de',
      // Dots anywhere in the local part, as Pigeonhole accepts (some mobile carriers' addresses).
      '.a@b',
      'a.@b',
      'a..b@c',
    ]) {
      expect(isValidAddress(ok), ok).toBe(true);
    }
  });

  it('rejects anything else', () => {
    const bad = [
      '',
      'a',
      'a@',
      '@b',
      'a b@c',
      'a@b c',
      'a@b.',
      'a@.b',
      '\u00e9@b',
      'a(x)@b',
      'a@b (x)',
      '<a@b>',
      'Name <a@b>',
      'a@b,c@d',
      'a@b@c',
      '"unterminated@b',
      'a@[1.2',
      'a\u0000@b',
      'a@b;',
    ];
    for (const text of bad) expect(isValidAddress(text), text).toBe(false);
  });
});

describe('addresses() on a message', () => {
  it('parses every field of the name, in order, and caches the result', () => {
    const raw = [
      'To: a@x.test, "B" <b@x.test>',
      'Cc: not an address at all',
      'to: group: c@x.test;',
      'From: =?utf-8?Q?Z=C3=B6e?=',
      ' <zoe@x.test>',
      '',
      'body',
    ].join('\r\n');
    const m = parseMessage(Buffer.from(raw));
    expect(m.addresses('TO').map((a) => a.address)).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(m.addresses('cc')).toEqual([]);
    expect(m.addresses('from')).toEqual([addr('zoe', 'x.test', 'Z\u00f6e')]);
    expect(m.addresses('to')).toBe(m.addresses('To'));
    expect(Object.isFrozen(m.addresses('to')[0])).toBe(true);
    expect(m.addresses('x-missing')).toEqual([]);
  });

  it('reads raw UTF-8 display names and local parts', () => {
    const m = parseMessage(Buffer.from('From: Ren\u00e9e <ren\u00e9e@exemple.fr>\r\n\r\n'));
    expect(m.addresses('from')).toEqual([addr('ren\u00e9e', 'exemple.fr', 'Ren\u00e9e')]);
  });
});

describe('formatAddress', () => {
  it('quotes local parts that are not atoms', () => {
    expect(formatAddress('a.b', 'c')).toBe('a.b@c');
    expect(formatAddress('a b', 'c')).toBe('"a b"@c');
    expect(formatAddress('a@b', 'c')).toBe('"a@b"@c');
    expect(formatAddress('', 'c')).toBe('""@c');
    expect(formatAddress('q"b', null)).toBe('"q\\"b"');
  });
});
