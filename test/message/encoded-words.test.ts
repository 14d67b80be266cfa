import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, parseMessage } from '../../src/message/index.js';

describe('RFC 2047 encoded-words', () => {
  it('decodes B and Q words in UTF-8 and ISO-8859-1', () => {
    expect(decodeEncodedWords('=?UTF-8?B?w4l0w6kgw6AgUGFyaXM=?=')).toBe('\u00c9t\u00e9 \u00e0 Paris');
    expect(decodeEncodedWords('=?utf-8?q?caf=C3=A9_cr=C3=A8me?=')).toBe('caf\u00e9 cr\u00e8me');
    expect(decodeEncodedWords('=?ISO-8859-1?Q?Andr=E9?= Pirard')).toBe('Andr\u00e9 Pirard');
    expect(decodeEncodedWords('=?iso-8859-1?b?QW5kcuk=?=')).toBe('Andr\u00e9');
    expect(decodeEncodedWords('=?windows-1252?Q?=80?=')).toBe('\u20ac');
  });

  it('follows the RFC 2047 section 8 examples for blanks between words', () => {
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=)')).toBe('(a)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= b)')).toBe('(a b)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)')).toBe('(ab)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a_b?=)')).toBe('(a b)');
    expect(decodeEncodedWords('(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)')).toBe('(a b)');
  });

  it('joins a multi-byte character split across adjacent words', () => {
    // U+00E9 is C3 A9 in UTF-8: one byte in each word.
    expect(decodeEncodedWords('=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=')).toBe('caf\u00e9');
    // "éé" as base64 of C3 A9 C3 | A9 split on a 3-byte boundary.
    expect(decodeEncodedWords('=?UTF-8?B?w6nD?= =?utf-8?B?qQ==?=')).toBe('\u00e9\u00e9');
  });

  it('keeps text around words and decodes words inside a word (as mail readers do)', () => {
    expect(decodeEncodedWords('Re: =?utf-8?Q?=C3=A9t=C3=A9?= [list]')).toBe('Re: \u00e9t\u00e9 [list]');
    expect(decodeEncodedWords('x=?utf-8?Q?a?=y')).toBe('xay');
  });

  it('leaves invalid words as written', () => {
    const invalid = [
      '=?utf-8?B?!!!not base64?=',
      '=?utf-8?B?w4l0YXQ===?=',
      '=?utf-8?Q?has space?=',
      '=?utf-8?X?abc?=',
      '=??Q?abc?=',
      '=?utf-8?Q?unterminated',
      '=?utf-8?Q?a?',
      '=?utf 8?Q?a?=',
      '=?',
      '=?=?=?',
      '?=',
    ];
    for (const text of invalid) expect(decodeEncodedWords(text)).toBe(text);
    expect(decodeEncodedWords('=?utf-8?B?!!?= =?utf-8?Q?ok?=')).toBe('=?utf-8?B?!!?= ok');
  });

  it('decodes an empty encoded text to nothing', () => {
    expect(decodeEncodedWords('a =?utf-8?Q??= b')).toBe('a  b');
  });

  it('reads an unknown charset as UTF-8 and honours RFC 2231 language suffixes', () => {
    expect(decodeEncodedWords('=?x-unknown?Q?caf=C3=A9?=')).toBe('caf\u00e9');
    expect(decodeEncodedWords('=?utf-8*fr?Q?caf=C3=A9?=')).toBe('caf\u00e9');
  });

  it('decodes ISO-2022-JP', () => {
    expect(decodeEncodedWords('=?ISO-2022-JP?B?GyRCJEgbKEI=?=')).toBe('\u3068');
  });

  it('returns plain text unchanged', () => {
    const plain = 'no encoded words here';
    expect(decodeEncodedWords(plain)).toBe(plain);
  });

  it('is applied by header() but not by rawHeader()', () => {
    const raw = 'Subject: =?utf-8?B?w4l0YXQ=?=\r\n =?utf-8?B?IENFVA==?=\r\n\r\n';
    const m = parseMessage(Buffer.from(raw));
    expect(m.header('subject')).toEqual(['\u00c9tat CET']);
    expect(m.rawHeader('subject')).toEqual(['=?utf-8?B?w4l0YXQ=?= =?utf-8?B?IENFVA==?=']);
  });

  it('stays linear on hostile input', () => {
    const mb = 1024 * 1024;
    for (const unit of ['=?', '=?a?Q?', '=?a?B?', '=?a?Q?a?', '=?utf-8?Q?=C3?= ']) {
      const text = unit.repeat(Math.ceil(mb / unit.length));
      expect(typeof decodeEncodedWords(text)).toBe('string');
    }
    const many = '=?utf-8?B?w6k=?= =?iso-8859-1?Q?=E9?= '.repeat(20_000).trimEnd();
    expect(decodeEncodedWords(many)).toBe('\u00e9\u00e9'.repeat(20_000));
  });
});
