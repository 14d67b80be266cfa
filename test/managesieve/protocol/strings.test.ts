import { describe, expect, it } from 'vitest';
import {
  encodeLiteral,
  encodeString,
  parseLiteralHeader,
  scanQuoted,
} from '../../../src/managesieve/protocol/strings.js';
import { gs2Header, parseGs2 } from '../../../src/managesieve/sasl/gs2.js';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('shared string encoding', () => {
  it('uses the same quoting for both ends and differs only where asked', () => {
    const bytes = Buffer.from([0xff, 0x22]);
    expect(encodeString(bytes).toString('latin1')).toBe('"\xff\\""');
    expect(encodeString(bytes, { utf8Only: true }).toString('latin1')).toBe('{2}\r\n\xff"');
    expect(encodeString(bytes, { utf8Only: true, nonSync: true }).toString('latin1')).toBe('{2+}\r\n\xff"');
    expect(encodeString('é"\\').toString('utf8')).toBe('"é\\"\\\\"');
    expect(encodeString('x'.repeat(1024))).toHaveLength(1026);
    expect(encodeString('x'.repeat(1025), { nonSync: true }).toString().startsWith('{1025+}\r\n')).toBe(true);
    expect(encodeString('').toString()).toBe('""');
    expect(encodeLiteral(Buffer.alloc(0), true).toString()).toBe('{0+}\r\n');
  });

  it('round-trips through the scanner whatever the bytes', () => {
    for (let n = 0; n < 256; n++) {
      const value = Buffer.from([n, 0x22, 0x5c, 255 - n]);
      const encoded = encodeString(value);
      if (encoded[0] !== 0x22) continue;
      for (const strict of [true, false]) {
        expect(scanQuoted(encoded, 0, strict)).toEqual({ value, end: encoded.length });
      }
    }
  });
});

describe('shared quoted-string scanner', () => {
  it('stops at the closing quote and reports where the string ends', () => {
    expect(scanQuoted(b('X "a\\"b" rest'), 2, true)).toEqual({ value: b('a"b'), end: 8 });
  });

  it('refuses NUL, CR and LF in both modes', () => {
    for (const bad of ['"a\0"', '"a\r"', '"a\n"']) {
      expect(scanQuoted(b(bad), 0, true)).toEqual({ error: 'char' });
      expect(scanQuoted(b(bad), 0, false)).toEqual({ error: 'char' });
    }
  });

  it('allows only quoted-specials after a backslash when strict, any byte otherwise', () => {
    expect(scanQuoted(b('"\\n"'), 0, true)).toEqual({ error: 'escape' });
    expect(scanQuoted(b('"\\n"'), 0, false)).toEqual({ value: b('n'), end: 4 });
    expect(scanQuoted(b('"\\'), 0, true)).toEqual({ error: 'escape' });
    expect(scanQuoted(b('"ab\\'), 0, false)).toEqual({ more: true, at: 3 });
    expect(scanQuoted(b('"abc'), 0, true)).toEqual({ more: true, at: 4 });
  });
});

describe('shared literal header', () => {
  it('reads {N} and {N+} and refuses anything else', () => {
    expect(parseLiteralHeader(b('x {12+}'), 2, 6)).toEqual({ size: 12, nonSync: true });
    expect(parseLiteralHeader(b('{0}'), 0, 2)).toEqual({ size: 0, nonSync: false });
    expect(parseLiteralHeader(b('{9999999999}'), 0, 11)).toEqual({ size: 9999999999, nonSync: false });
    for (const bad of ['{}', '{+}', '{1++}', '{-1}', '{ 1}', '{12345678901}', '{1a}', '{１}']) {
      const buf = Buffer.from(bad);
      expect(parseLiteralHeader(buf, 0, buf.length - 1), bad).toBeNull();
    }
  });
});

describe('GS2 header', () => {
  it('is written and read by the same rules', () => {
    expect(gs2Header(undefined)).toBe('n,,');
    expect(gs2Header('')).toBe('n,,');
    expect(gs2Header('a,b=c')).toBe('n,a=a=2Cb=3Dc,');
    expect(parseGs2(gs2Header('a,b=c') + 'rest')).toEqual({
      header: 'n,a=a=2Cb=3Dc,',
      channelBinding: false,
      authzid: 'a,b=c',
      authzidOk: true,
      rest: 'rest',
    });
  });

  it('flags channel binding and bad identities, and refuses what is not a header', () => {
    expect(parseGs2('p=tls-unique,,x')).toMatchObject({ channelBinding: true, authzidOk: true });
    expect(parseGs2('n,a=,x')).toMatchObject({ authzid: '', authzidOk: false });
    expect(parseGs2('n,a=b=41,x')).toMatchObject({ authzid: null, authzidOk: false });
    for (const bad of ['', 'n', 'n,', 'x,,', 'n,b=c,', 'n,a=b']) expect(parseGs2(bad), bad).toBeNull();
  });
});
