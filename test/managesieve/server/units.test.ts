import { describe, expect, it } from 'vitest';
import { encodeString } from '../../../src/managesieve/protocol/strings.js';
import { encodeResponse, parseNumber, tokenizeLine } from '../../../src/managesieve/protocol/wire.js';
import { parseScriptName, scriptNameProblem } from '../../../src/scripts/names.js';
import { AuthThrottle } from '../../../src/managesieve/server/throttle.js';
import { checkQuota } from '../../../src/scripts/types.js';
import { userFolderName } from '../../../src/scripts/file-store.js';

const tok = (s: string, first = true) => tokenizeLine(Buffer.from(s, 'latin1'), first);

describe('wire tokenizer', () => {
  it('splits atoms, quoted strings with escapes and a trailing literal', () => {
    const r = tok('PUTSCRIPT "a \\"b\\" \\\\c" {12+}');
    expect(r.tokens).toEqual([
      { kind: 'atom', value: 'PUTSCRIPT' },
      { kind: 'string', value: Buffer.from('a "b" \\c'), literal: false },
    ]);
    expect(r.literal).toEqual({ size: 12, nonSync: true });
    expect(tok('X {0}').literal).toEqual({ size: 0, nonSync: false });
    expect(tok('', false).tokens).toEqual([]);
    expect(tok(' "x"', false).tokens).toHaveLength(1);
  });

  it('rejects malformed input', () => {
    for (const bad of [
      '"unterminated',
      '"bad \\n escape"',
      'X "nul\0"',
      'X {12',
      'X {12+} "after"',
      'X {abc}',
      'X {4294967296+}',
      'X {99999999999}',
      '"a""b"',
      'X (',
      '\xff',
    ]) {
      expect(() => tok(bad), JSON.stringify(bad)).toThrow();
    }
    expect(() => tok('"x"', false)).toThrow(); // continuation must start with a space
  });

  it('parses numbers within 0..2^32-1', () => {
    expect(parseNumber({ kind: 'atom', value: '4294967295' })).toBe(4294967295);
    expect(parseNumber({ kind: 'atom', value: '4294967296' })).toBeNull();
    expect(parseNumber({ kind: 'atom', value: '-1' })).toBeNull();
  });
});

describe('wire encoder', () => {
  it('quotes when possible, escapes quotes and backslashes, falls back to literals', () => {
    expect(encodeString('a"b\\c').toString()).toBe('"a\\"b\\\\c"');
    expect(encodeString('two\r\nlines').toString()).toBe('{10}\r\ntwo\r\nlines');
    expect(encodeString('x'.repeat(1025)).toString()).toMatch(/^\{1025\}\r\n/);
    expect(encodeString(Buffer.from([0x61, 0x00])).toString('latin1')).toBe('{2}\r\na\0');
  });

  it('formats responses with codes', () => {
    expect(encodeResponse({ kind: 'OK', code: { name: 'TAG', arg: 'x"y' }, text: 'Done' }).toString()).toBe(
      'OK (TAG "x\\"y") "Done"\r\n',
    );
    expect(
      encodeResponse({ kind: 'BYE', code: { name: 'REFERRAL', arg: 'sieve://h' }, text: 't' }).toString(),
    ).toBe('BYE (REFERRAL sieve://h) "t"\r\n');
    expect(encodeResponse({ kind: 'NO', code: { name: 'QUOTA/MAXSIZE' } }).toString()).toBe(
      'NO (QUOTA/MAXSIZE)\r\n',
    );
    expect(encodeResponse({ kind: 'NO', text: 'a\r\nb\r\n' }).toString()).toBe('NO {6}\r\na\r\nb\r\n\r\n');
  });
});

describe('script names', () => {
  it('accepts Net-Unicode names and refuses the rest', () => {
    for (const ok of [
      'main',
      'Ünïcødé name',
      '..',
      '.hidden',
      'a\\b',
      'x'.repeat(249),
      'é'.repeat(124),
      '日本語',
    ]) {
      expect(scriptNameProblem(ok), ok).toBeNull();
    }
    for (const bad of [
      '',
      'a/b',
      'a\0b',
      'a\x1fb',
      'a\x7fb',
      'a\u0085b',
      'a\u2028b',
      'e\u0301',
      'x'.repeat(257),
      // With ".sieve" these no longer fit in a 255-byte file name.
      'x'.repeat(250),
      'x'.repeat(256),
      'é'.repeat(128),
      '\ud800',
    ]) {
      expect(scriptNameProblem(bad), JSON.stringify(bad)).not.toBeNull();
    }
    expect(parseScriptName(Buffer.from([0xc3, 0x28]))).toEqual({ problem: 'not valid UTF-8' });
  });

  it('maps user names to one safe folder name', () => {
    expect(userFolderName('alice@example.org')).toBe('alice@example.org');
    for (const u of ['..', '.', '../x', 'a/b', 'a\0b', '.hidden']) {
      const f = userFolderName(u);
      expect(f).not.toMatch(/\//);
      expect(f.startsWith('.')).toBe(false);
    }
    expect(userFolderName('a/b')).not.toBe(userFolderName('a%2Fb'.replace('%', '')));
    expect(() => userFolderName('')).toThrow();
  });
});

describe('quota arithmetic', () => {
  const limits = { maxScripts: 2, maxStorage: 100, maxScriptSize: 60 };
  const existing = new Map([
    ['a', 50],
    ['b', 30],
  ]);
  it('checks size, count and total storage, counting replacements by their difference', () => {
    expect(checkQuota(limits, existing, 'a', 61)).toMatchObject({ ok: false, code: 'QUOTA/MAXSIZE' });
    expect(checkQuota(limits, existing, 'c', 1)).toMatchObject({ ok: false, code: 'QUOTA/MAXSCRIPTS' });
    expect(checkQuota(limits, existing, 'a', 60)).toEqual({ ok: true });
    expect(checkQuota(limits, existing, 'b', 51)).toMatchObject({ ok: false, code: 'QUOTA' });
    expect(checkQuota({ maxScripts: 0, maxStorage: 0, maxScriptSize: 0 }, existing, 'z', 1e9)).toEqual({
      ok: true,
    });
  });
});

describe('failed-login throttle', () => {
  it('grows the delay, locks out per address and per user, forgets after the window, stays bounded', () => {
    let now = 0;
    const t = new AuthThrottle(
      {
        baseDelayMs: 100,
        maxDelayMs: 1000,
        maxFailuresPerAddress: 6,
        maxFailuresPerUser: 3,
        windowMs: 1000,
        maxEntries: 50,
      },
      () => now,
    );
    expect(t.delayMs('1.2.3.4', 'alice')).toBe(0);
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      t.recordFailure('1.2.3.4', 'alice');
      delays.push(t.delayMs('1.2.3.4', 'alice'));
    }
    expect(delays).toEqual([100, 200, 400]);
    expect(t.isLocked('5.6.7.8', 'alice')).toBe(true); // the user, from anywhere
    expect(t.isLocked('1.2.3.4', 'bob')).toBe(false);
    for (let i = 0; i < 3; i++) t.recordFailure('1.2.3.4', `u${i}`);
    expect(t.isLocked('1.2.3.4', null)).toBe(true); // the address, for anyone
    expect(t.delayMs('1.2.3.4', null)).toBe(1000);
    now = 1001;
    expect(t.isLocked('1.2.3.4', 'alice')).toBe(false);
    t.recordSuccess('alice');
    for (let i = 0; i < 500; i++) t.recordFailure(`10.0.${i >> 8}.${i & 255}`, null);
    expect(t.size).toBeLessThanOrEqual(50);
  });
});
